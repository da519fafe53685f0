#!/usr/bin/env python3
"""Makes the fixtures ChurnTraining's trainers are tested against.

1. logistic.csv + logistic.json: 3,000 synthetic rows (three numeric features, one with missing
   values, and a categorical product group) and the model scikit-learn fits on them: mean
   imputation, StandardScaler, OneHotEncoder(handle_unknown="ignore"), LogisticRegression(C=0.5)
   solved to 1e-12 by newton-cholesky. The test fits LogisticRegressionTrainer on the same rows
   and compares every parameter and probability.
2. boosting.csv + boosting.json: 6,000 rows over 8 monthly periods with a non-linear churn signal
   (thresholds, an interaction, missing values that mean something), and the test ROC-AUC that
   LightGBM reaches with the out-of-time split `churnguard train` uses (test = last 2 periods,
   train on periods p with p + 3 <= first test period, validation = the last of those) and the
   same hyper-parameters. The test trains GradientBoostingTrainer and compares.

    pip install scikit-learn==1.9.1 lightgbm==4.7.0 numpy
    python3 Tests/ChurnTrainingTests/Fixtures/make_training_fixtures.py
"""
import csv, json, os
import lightgbm
import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
GROUPS = ["fuel_cards", "hotel_stays", "toll_services"]


def write_csv(path, header, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if isinstance(v, float) and np.isnan(v) else v for v in row])


def logistic():
    rng = np.random.default_rng(11)
    n = 3000
    days = np.round(rng.exponential(40, n), 1)
    change = np.round(rng.normal(0, 0.3, n), 4)
    change[rng.random(n) < 0.08] = np.nan
    satisfaction = np.round(rng.uniform(1, 10, n), 1)
    group = rng.integers(0, 3, n)
    z = -2.5 + 0.03 * days - 2.0 * np.nan_to_num(change) - 0.2 * (satisfaction - 5) + np.array([0, 0.6, -0.4])[group]
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    rows = [[f"r{i}", "2025-01", days[i], change[i], satisfaction[i], GROUPS[group[i]], y[i]] for i in range(n)]
    write_csv(os.path.join(HERE, "logistic.csv"),
              ["id", "period", "days_inactive", "revenue_change_3m", "satisfaction", "product_group", "churned"], rows)
    numeric = np.column_stack([days, change, satisfaction])
    categories = np.array([GROUPS[g] for g in group]).reshape(-1, 1)
    x = np.concatenate([numeric.astype(object), categories], axis=1)
    pre = ColumnTransformer([
        ("numeric", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), [0, 1, 2]),
        ("categorical", OneHotEncoder(categories=[sorted(GROUPS)], handle_unknown="ignore"), [3]),
    ])
    model = Pipeline([("pre", pre), ("lr", LogisticRegression(C=0.5, solver="newton-cholesky", tol=1e-12, max_iter=1000))])
    model.fit(x, y)
    lr = model.named_steps["lr"]
    scaler = pre.named_transformers_["numeric"].named_steps["standardscaler"]
    imputer = pre.named_transformers_["numeric"].named_steps["simpleimputer"]
    json.dump({
        "scikit_learn": sklearn.__version__,
        "rows": n,
        "c": 0.5,
        "intercept": float(lr.intercept_[0]),
        "numeric_coefficients": lr.coef_[0][:3].tolist(),
        "category_coefficients": lr.coef_[0][3:].tolist(),
        "imputed": imputer.statistics_.tolist(),
        "means": scaler.mean_.tolist(),
        "scales": scaler.scale_.tolist(),
        "probabilities_first_200": model.predict_proba(x[:200])[:, 1].tolist(),
    }, open(os.path.join(HERE, "logistic.json"), "w"), indent=1)


def boosting():
    rng = np.random.default_rng(23)
    n = 6000
    periods = np.sort(rng.integers(0, 8, n))
    a = np.round(rng.exponential(50, n), 1)
    b = np.round(rng.normal(0, 1, n), 3)
    c = np.round(rng.uniform(0, 10, n), 2)
    d = np.round(rng.normal(0, 1, n), 3)
    missing = rng.random(n) < 0.1
    b[missing] = np.nan
    z = (-3 + 2.2 * (a > 60) + 1.5 * (np.nan_to_num(b, nan=0) < -0.5) + 1.8 * missing
         + 1.2 * ((c > 7) & (d > 0)) - 0.8 * (c < 2) + 0.3 * d)
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    names = ["a", "b", "c", "d"]
    labels = [f"2025-{p + 1:02d}" for p in periods]
    rows = [[f"r{i}", labels[i], a[i], b[i], c[i], d[i], y[i]] for i in range(n)]
    write_csv(os.path.join(HERE, "boosting.csv"), ["id", "period"] + names + ["churned"], rows)
    x = np.column_stack([a, b, c, d])
    distinct = sorted(set(periods.tolist()))
    test_periods = distinct[-2:]
    trainable = [p for p in distinct if p + 3 <= test_periods[0]]
    train = np.isin(periods, trainable[:-1])
    valid = np.isin(periods, trainable[-1:])
    test = np.isin(periods, test_periods)
    params = {"objective": "binary", "learning_rate": 0.1, "num_leaves": 15, "min_data_in_leaf": 20,
              "lambda_l2": 1.0, "max_bin": 255, "metric": "binary_logloss", "num_threads": 1,
              "deterministic": True, "verbosity": -1, "seed": 1}
    booster = lightgbm.train(params, lightgbm.Dataset(x[train], y[train]), num_boost_round=300,
                             valid_sets=[lightgbm.Dataset(x[valid], y[valid])],
                             callbacks=[lightgbm.early_stopping(20, verbose=False)])
    json.dump({
        "lightgbm": lightgbm.__version__,
        "rows": n,
        "training_rows": int(train.sum()),
        "validation_rows": int(valid.sum()),
        "test_rows": int(test.sum()),
        "parameters": {"learning_rate": 0.1, "num_leaves": 15, "min_data_in_leaf": 20, "lambda_l2": 1.0,
                       "max_bin": 255, "num_iterations": 300, "early_stopping_rounds": 20},
        "lightgbm_trees": int(booster.best_iteration),
        "lightgbm_test_auc": float(roc_auc_score(y[test], booster.predict(x[test], num_iteration=booster.best_iteration))),
    }, open(os.path.join(HERE, "boosting.json"), "w"), indent=1)


if __name__ == "__main__":
    logistic()
    boosting()
