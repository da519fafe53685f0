#!/usr/bin/env python3
"""A 20-feature gradient-boosted model (LightGBM 4.7.0: 100 trees, 31 leaves) on seeded synthetic
data, for bench/scorer-load's tree-model runs:

    python3 bench/make-gbdt20.py /tmp/gbdt20.txt
    .build/release/churnguard model import-lightgbm --model /tmp/gbdt20.txt --name churn-gbdt-20 --output /tmp/gbdt20.model
    bench/scorer-load --model /tmp/gbdt20.model
"""
import sys

import lightgbm as lgb
import numpy as np

rng = np.random.default_rng(7)
n = 20_000
X = rng.normal(size=(n, 20))
logit = X[:, 0] * 1.2 - X[:, 1] * 0.8 + X[:, 2] * X[:, 3] * 0.5 + np.sin(X[:, 4]) - 0.5
y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
names = [f"f{i:02d}" for i in range(20)]
params = {"objective": "binary", "num_leaves": 31, "learning_rate": 0.1, "verbose": -1, "seed": 7}
booster = lgb.train(params, lgb.Dataset(X, y, feature_name=names), num_boost_round=100)
booster.save_model(sys.argv[1] if len(sys.argv) > 1 else "gbdt20.txt")
