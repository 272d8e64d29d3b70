#!/usr/bin/python3
"""XGBoost reference run for bench/gbdt.ts: trains XGBoost `hist` on a CSV file written by
the benchmark and scores another, timing only xgb.train, and prints one JSON line.

Usage: /usr/bin/python3 bench/xgboost_reference.py TRAIN.csv TEST.csv [--trees 200]
       [--depth 6] [--eta 0.1] [--max-bin 256] [--nthread 2] [--base-score P]
The CSV files have a header, feature columns, then a 0/1 `label` column; `nan` is missing.

The base score defaults to the training base rate, as ours does (and as XGBoost 2 does by
default): 1.7's fixed 0.5 makes the early trees fit a different problem, which moves the test
AUC of a 200-tree model by a few thousandths either way, so the comparison would measure
that choice rather than the two implementations.
"""
import argparse
import json
import resource
import time

import numpy as np
import xgboost as xgb
from sklearn.metrics import roc_auc_score


def load(path):
    table = np.loadtxt(path, delimiter=',', skiprows=1, dtype=np.float32)
    return table[:, :-1], table[:, -1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('train')
    parser.add_argument('test')
    parser.add_argument('--trees', type=int, default=200)
    parser.add_argument('--depth', type=int, default=6)
    parser.add_argument('--eta', type=float, default=0.1)
    parser.add_argument('--max-bin', type=int, default=256)
    parser.add_argument('--nthread', type=int, default=2)
    parser.add_argument('--base-score', type=float, default=None)
    args = parser.parse_args()

    x_train, y_train = load(args.train)
    x_test, y_test = load(args.test)
    dtrain = xgb.DMatrix(x_train, label=y_train, missing=np.nan, nthread=args.nthread)
    dtest = xgb.DMatrix(x_test, missing=np.nan, nthread=args.nthread)
    params = {
        'objective': 'binary:logistic',
        'tree_method': 'hist',
        'max_depth': args.depth,
        'eta': args.eta,
        'max_bin': args.max_bin,
        'nthread': args.nthread,
        'lambda': 1.0,
        'min_child_weight': 1.0,
        'subsample': 1.0,
        'colsample_bytree': 1.0,
        'seed': 0,
        'base_score': args.base_score if args.base_score is not None else float(y_train.mean()),
    }
    started = time.perf_counter()
    booster = xgb.train(params, dtrain, num_boost_round=args.trees)
    fit_seconds = time.perf_counter() - started
    predicted = booster.predict(dtest)
    print(json.dumps({
        'fitSeconds': fit_seconds,
        'auc': float(roc_auc_score(y_test, predicted)),
        'trees': args.trees,
        'xgboostVersion': xgb.__version__,
        'peakRssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == '__main__':
    main()
