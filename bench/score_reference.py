#!/usr/bin/python3
"""XGBoost reference for bench/score.ts: trains a model of the same shape (200 trees, depth 6,
hist) on the benchmark's training rows and times scoring the benchmark's profiles: building
the DMatrix and predicting probabilities. Prints one JSON line.

Usage: /usr/bin/python3 bench/score_reference.py TRAIN.f32 TRAIN.labels SCORE.f32 FEATURES [--trees 200] [--nthread 2]
                                                [--model FILE] [--repeat 2]
With --model, a model saved there by an earlier run is loaded instead of trained (so a benchmark
can alternate the two sides without training again); a new one is saved there.
Matrices are raw little-endian float32, row-major, NaN = missing; labels are raw uint8.
"""
import argparse
import json
import os
import time

import numpy as np
import xgboost as xgb


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('train')
    parser.add_argument('labels')
    parser.add_argument('score')
    parser.add_argument('features', type=int)
    parser.add_argument('--trees', type=int, default=200)
    parser.add_argument('--nthread', type=int, default=2)
    parser.add_argument('--model')
    parser.add_argument('--repeat', type=int, default=2)
    args = parser.parse_args()

    x_score = np.fromfile(args.score, dtype='<f4').reshape(-1, args.features)
    if args.model and os.path.exists(args.model):
        booster = xgb.Booster({'nthread': args.nthread}, model_file=args.model)
    else:
        x_train = np.fromfile(args.train, dtype='<f4').reshape(-1, args.features)
        y_train = np.fromfile(args.labels, dtype=np.uint8).astype(np.float32)
        params = {'objective': 'binary:logistic', 'tree_method': 'hist', 'max_depth': 6, 'eta': 0.1, 'max_bin': 256,
                  'nthread': args.nthread, 'seed': 0, 'base_score': float(y_train.mean())}
        booster = xgb.train(params, xgb.DMatrix(x_train, label=y_train, missing=np.nan, nthread=args.nthread), num_boost_round=args.trees)
        if args.model:
            booster.save_model(args.model)
    best = float('inf')
    for _ in range(args.repeat):
        started = time.perf_counter()
        booster.predict(xgb.DMatrix(x_score, missing=np.nan, nthread=args.nthread))
        best = min(best, time.perf_counter() - started)
    print(json.dumps({'seconds': best, 'rows': int(x_score.shape[0]), 'version': xgb.__version__}))


if __name__ == '__main__':
    main()
