#!/usr/bin/python3
"""Python reference for bench/trainTable.ts, timed as a whole process by the caller: pandas reads
the table, XGBoost 1.7 fits 200 trees of depth 6 (hist, 2 threads) and saves the model. After the
timed part's output line, it scores the test table and prints its AUC (not part of the work compared).

Usage: /usr/bin/python3 bench/train_table_reference.py TRAIN.csv TEST.csv MODEL_OUT.json
"""
import json
import sys
import time

import pandas as pd
import xgboost as xgb

train = pd.read_csv(sys.argv[1])
x = train.drop(columns=['label'])
booster = xgb.train({'objective': 'binary:logistic', 'tree_method': 'hist', 'max_depth': 6, 'eta': 0.1, 'nthread': 2, 'seed': 0},
                    xgb.DMatrix(x, label=train['label'], nthread=2), num_boost_round=200)
booster.save_model(sys.argv[3])
# epoch seconds (the caller times from the spawn), and the CPU seconds of every thread so far
print(json.dumps({'done': True, 'at': time.time(), 'cpu': time.process_time()}), flush=True)

from sklearn.metrics import roc_auc_score  # noqa: E402  (after the compared work)
test = pd.read_csv(sys.argv[2])
print(json.dumps({'auc': float(roc_auc_score(test['label'], booster.predict(xgb.DMatrix(test.drop(columns=['label']), nthread=2)))),
                  'version': xgb.__version__}))
