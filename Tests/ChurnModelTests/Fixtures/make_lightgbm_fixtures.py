#!/usr/bin/env python3
"""Makes the LightGBM fixtures ChurnModel's import is tested against: real models trained by
LightGBM and LightGBM's own predictions (probability, raw score, pred_contrib) on 10,000 rows that
include NaN, infinities, zeros, unseen, negative, fractional and huge category codes.

    pip install lightgbm==4.7.0 numpy
    python3 Tests/ChurnModelTests/Fixtures/make_lightgbm_fixtures.py

Writes into lightgbm/: rows.f64 (the 10,000 test rows × 8 features, little-endian float64, shared
by every model) and, per model, NAME.model.txt (LightGBM's text format), NAME.probability.f64,
NAME.raw.f64, NAME.contrib.f64 (rows × (features + 1)) and NAME.json (settings). Deterministic:
fixed seeds, one thread.
"""
import json, os, sys
import numpy as np
import lightgbm as lgb

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lightgbm")
FEATURES = ["days_inactive", "revenue_chg_3m", "kag_chg_3m", "discount_rate", "complaints",
            "product_group", "region", "satisfaction"]
CATEGORICAL = [5, 6]


def make_rows(rng, n, edge_cases):
    x = np.empty((n, len(FEATURES)))
    x[:, 0] = rng.exponential(60, n).round()            # days since last activity
    x[:, 1] = rng.normal(0, 0.3, n)                      # revenue change
    x[:, 2] = rng.normal(0, 0.2, n)                      # KAG change
    x[:, 3] = np.where(rng.random(n) < 0.3, 0.0, rng.random(n) * 0.4)  # many exact zeros
    x[:, 4] = rng.poisson(0.7, n).astype(float)          # complaints
    x[:, 5] = rng.integers(0, 12, n).astype(float)       # product group code
    x[:, 6] = rng.integers(0, 40, n).astype(float)       # region code (more than 32: two bitset words)
    x[:, 7] = rng.uniform(1, 5, n)                       # satisfaction
    for column in (1, 2, 7):                             # missing values
        x[rng.random(n) < 0.08, column] = np.nan
    if edge_cases:
        k = n // 10
        idx = rng.choice(n, k * 8, replace=False).reshape(8, k)
        x[idx[0], 5] = 99            # unseen category
        x[idx[1], 6] = -1            # negative category
        x[idx[2], 5] = np.nan        # missing category
        x[idx[3], 6] = 3.7           # fractional category (LightGBM truncates)
        x[idx[4], 5] = 1e10          # category beyond int range
        x[idx[5], 0] = np.inf
        x[idx[6], 1] = -np.inf
        x[idx[7], 3] = -0.0
    return x


def label(rng, x):
    days = np.nan_to_num(x[:, 0], posinf=400)
    rev = np.nan_to_num(x[:, 1])
    logit = (0.02 * (days - 60) - 2.0 * rev - 1.5 * np.nan_to_num(x[:, 2]) + 0.6 * x[:, 4]
             - 0.5 * (np.nan_to_num(x[:, 7], nan=3) - 3) + 0.3 * (x[:, 5] % 3) - 0.2 * (x[:, 6] % 5 == 0)
             + np.where(np.isnan(x[:, 1]), 0.8, 0.0))
    return (rng.random(len(x)) < 1 / (1 + np.exp(-logit))).astype(float)


MODELS = {
    # The shape the benchmarks use: 200 trees, 31 leaves, categorical splits, NaN handling.
    "mixed": dict(objective="binary", num_leaves=31, learning_rate=0.05, min_data_in_leaf=20,
                  cat_smooth=1, min_data_per_group=5, max_cat_to_onehot=4, rounds=200),
    # Zeros as missing values: exercises missing_type=Zero and default_left.
    "zero_missing": dict(objective="binary", num_leaves=15, learning_rate=0.1, zero_as_missing=True,
                         rounds=40),
    # A random forest: average_output.
    "forest": dict(objective="binary", boosting="rf", num_leaves=15, bagging_fraction=0.7,
                   bagging_freq=1, feature_fraction=0.8, rounds=25),
    # Plain regression: the identity output.
    "regression": dict(objective="regression", num_leaves=15, learning_rate=0.1, rounds=30),
    # Small categories one-hot (max_cat_to_onehot) and a different sigmoid scale.
    "onehot_sigmoid2": dict(objective="binary", sigmoid=2.0, num_leaves=7, max_cat_to_onehot=16,
                            learning_rate=0.2, rounds=20),
}


def main():
    if lgb.__version__ != "4.7.0":
        print(f"warning: fixtures were made with lightgbm 4.7.0, this is {lgb.__version__}", file=sys.stderr)
    os.makedirs(OUT, exist_ok=True)
    rows = make_rows(np.random.default_rng(1000), 10_000, edge_cases=True)
    rows.astype("<f8").tofile(os.path.join(OUT, "rows.f64"))
    for name, settings in MODELS.items():
        settings = dict(settings)
        rounds = settings.pop("rounds")
        rng = np.random.default_rng(sum(map(ord, name)))
        train = make_rows(rng, 20_000, edge_cases=False)
        y = label(rng, train) if settings["objective"] == "binary" else np.nan_to_num(train[:, 1]) * 3 + train[:, 4]
        params = dict(settings, verbose=-1, num_threads=1, seed=7, deterministic=True)
        booster = lgb.train(params, lgb.Dataset(train, y, feature_name=FEATURES,
                                                categorical_feature=CATEGORICAL), num_boost_round=rounds)
        booster.save_model(os.path.join(OUT, f"{name}.model.txt"))
        booster.predict(rows).astype("<f8").tofile(os.path.join(OUT, f"{name}.probability.f64"))
        booster.predict(rows, raw_score=True).astype("<f8").tofile(os.path.join(OUT, f"{name}.raw.f64"))
        booster.predict(rows, pred_contrib=True).astype("<f8").tofile(os.path.join(OUT, f"{name}.contrib.f64"))
        with open(os.path.join(OUT, f"{name}.json"), "w") as f:
            json.dump({"rows": len(rows), "features": len(FEATURES), "feature_names": FEATURES,
                       "categorical": CATEGORICAL, "lightgbm": lgb.__version__, "params": params,
                       "rounds": rounds}, f, indent=1)
        print(f"{name}: {booster.num_trees()} trees")


if __name__ == "__main__":
    main()
