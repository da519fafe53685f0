#!/usr/bin/env python3
"""Makes the logistic-regression fixture ChurnModel's LogisticModel is tested against: a
scikit-learn pipeline (mean imputation, StandardScaler, OneHotEncoder with unknown categories
ignored, L2 LogisticRegression) trained on synthetic churn rows, its parameters, 2,000 test rows
(with NaN and unseen categories) and scikit-learn's own predict_proba and decision_function.

    pip install scikit-learn==1.9.1 numpy
    python3 Tests/ChurnModelTests/Fixtures/make_sklearn_logistic_fixture.py

Writes sklearn/logistic.json (parameters and the expected outputs) and sklearn/rows.f64.
"""
import json, os
import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sklearn")
NUMERIC = ["days_inactive", "revenue_change_3m", "complaint_rate", "satisfaction"]
CATEGORIES = ["fuel-cards", "tolls", "parking"]


def rows(rng, n, unseen):
    x = np.column_stack([rng.exponential(60, n), rng.normal(0, 0.3, n), rng.poisson(0.7, n) / 3,
                         rng.uniform(1, 5, n), rng.integers(0, 3, n).astype(float)])
    x[rng.random(n) < 0.05, 1] = np.nan
    x[rng.random(n) < 0.05, 3] = np.nan
    if unseen:
        x[rng.random(n) < 0.05, 4] = 7  # a category code the model never saw
    return x


def main():
    rng = np.random.default_rng(3)
    train = rows(rng, 20_000, unseen=False)
    logit = 0.02 * (train[:, 0] - 60) - 2 * np.nan_to_num(train[:, 1]) + 0.9 * train[:, 2] \
        - 0.4 * (np.nan_to_num(train[:, 3], nan=3) - 3) + 0.5 * (train[:, 4] == 1)
    y = (rng.random(len(train)) < 1 / (1 + np.exp(-logit))).astype(int)
    numeric = make_pipeline(SimpleImputer(strategy="mean"), StandardScaler())
    categorical = OneHotEncoder(handle_unknown="ignore", categories=[[0.0, 1.0, 2.0]])
    model = Pipeline([
        ("features", ColumnTransformer([("numeric", numeric, [0, 1, 2, 3]), ("categorical", categorical, [4])])),
        ("logistic", LogisticRegression(C=1.0, max_iter=1000)),
    ]).fit(train, y)
    test = rows(np.random.default_rng(4), 2_000, unseen=True)
    imputer, scaler = model["features"].named_transformers_["numeric"].steps[0][1], model["features"].named_transformers_["numeric"].steps[1][1]
    logistic = model["logistic"]
    os.makedirs(OUT, exist_ok=True)
    test.astype("<f8").tofile(os.path.join(OUT, "rows.f64"))
    json.dump({
        "sklearn": sklearn.__version__,
        "numeric_features": NUMERIC, "categorical_feature": "product_group", "categories": CATEGORIES,
        "impute_means": imputer.statistics_.tolist(), "means": scaler.mean_.tolist(), "scales": scaler.scale_.tolist(),
        "coefficients": logistic.coef_[0].tolist(), "intercept": float(logistic.intercept_[0]),
        "expected_probability": model.predict_proba(test)[:, 1].tolist(),
        "expected_decision": model.decision_function(test).tolist(),
    }, open(os.path.join(OUT, "logistic.json"), "w"))
    print("logistic fixture written")


if __name__ == "__main__":
    main()
