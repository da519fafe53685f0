#!/usr/bin/env python3
"""Trains the peers' shared model: LightGBM 4.7.0 (100 trees, 31 leaves, one thread) on the
labelled rows of `churnguard demo-data`, features in the scorer's schema order. ChurnGuard
serves it after `churnguard model import-lightgbm`; the FastAPI peer loads the text file; the
gRPC peer loads the imported artifact. Same trees everywhere.

    python3 bench/peers/make-demo-lightgbm.py DEMO.csv MODEL.txt [TREES LEAVES SEED]

bench/hot-swap-run uses the optional arguments for larger models of different seeds.
"""
import csv
import sys

import lightgbm as lgb
import numpy as np

FEATURES = 10


def main():
    rows_path, model_path = sys.argv[1], sys.argv[2]
    trees = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    leaves = int(sys.argv[4]) if len(sys.argv) > 4 else 31
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 7
    with open(rows_path, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        names = header[4:4 + FEATURES]
        if header[-1] != "churned" or len(names) != FEATURES:
            sys.exit(f"{rows_path}: expected id,crm,product_group,period,<{FEATURES} features>,churned")
        data = [row for row in reader]
    features = np.array([[float(v) if v != "" else np.nan for v in row[4:4 + FEATURES]] for row in data])
    labels = np.array([int(row[-1]) for row in data])
    params = {"objective": "binary", "num_leaves": leaves, "learning_rate": 0.1, "verbose": -1, "seed": seed,
              "num_threads": 1, "deterministic": True, "bagging_fraction": 0.8, "bagging_freq": 1}
    booster = lgb.train(params, lgb.Dataset(features, labels, feature_name=names), num_boost_round=trees)
    booster.save_model(model_path)
    print(f"trained on {len(labels)} rows ({labels.mean():.3f} churned): {model_path}")


if __name__ == "__main__":
    main()
