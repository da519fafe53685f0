"""Trains scikit-learn's logistic regression and LightGBM on exactly the rows and split that
`churnguard train` used, and compares test ROC-AUC with ChurnGuard's own models.

Usage: compare.py ROWS.csv LR_SCORES.csv GBDT_SCORES.csv GBDT_PARAMS.json OUT.json

The split is recomputed from the period column by the rule `churnguard train` documents (test =
the last 2 periods; trainable = periods p with p + 3 <= first test period; validation = the last
trainable period) and checked against the rows ChurnGuard scored as validation and test.
"""
import json
import warnings
import sys
import time

import lightgbm
import numpy as np
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

# scikit-learn warns that it drops an all-missing column (CDNOW has no surveys); ChurnGuard gives
# such a column a zero coefficient, which is the same model.
warnings.filterwarnings("ignore", message="Skipping features without any observed values")

FEATURES = ["days_inactive", "contract_months", "revenue_3m", "revenue_change_3m", "kag_change_3m",
            "discount_rate", "return_rate", "complaint_rate", "satisfaction", "call_center_contacts"]


def month_index(text):
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


def read_rows(path):
    import csv
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        ids, x, y, periods = [], [], [], []
        for row in reader:
            ids.append(row["id"])
            x.append([float(row[f]) if row[f] not in ("", "NaN", "NA") else np.nan for f in FEATURES])
            y.append(int(row["churned"]))
            periods.append(month_index(row["period"]))
    return ids, np.array(x, dtype=np.float64), np.array(y), np.array(periods)


def read_scores(path):
    import csv
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def main():
    rows, lr_scores_path, gbdt_scores_path, params_path, out_path = sys.argv[1:6]
    ids, x, y, periods = read_rows(rows)
    distinct = sorted(set(periods.tolist()))
    test_periods = distinct[-2:]
    trainable = [p for p in distinct if p + 3 <= test_periods[0]]
    validation_periods = trainable[-1:]
    training_periods = trainable[:-1]
    train = np.isin(periods, training_periods)
    valid = np.isin(periods, validation_periods)
    test = np.isin(periods, test_periods)
    ids = np.array(ids)

    result = {"rows": int(len(y)), "training_rows": int(train.sum()), "validation_rows": int(valid.sum()),
              "test_rows": int(test.sum()), "test_churn_rate": float(y[test].mean()),
              "versions": {"lightgbm": lightgbm.__version__, "scikit-learn": sklearn.__version__}}

    for kind, path in (("logistic", lr_scores_path), ("gbdt", gbdt_scores_path)):
        scored = read_scores(path)
        by_part = {"validation": [s for s in scored if s["part"] == "validation"],
                   "test": [s for s in scored if s["part"] == "test"]}
        assert [s["id"] for s in by_part["test"]] == ids[test].tolist(), f"{kind}: test rows differ from the rule"
        assert [s["id"] for s in by_part["validation"]] == ids[valid].tolist(), f"{kind}: validation rows differ"
        probabilities = np.array([float(s["probability"]) for s in by_part["test"]])
        result[f"churnguard_{kind}_test_auc"] = float(roc_auc_score(y[test], probabilities))

    started = time.perf_counter()
    pipeline = make_pipeline(SimpleImputer(strategy="mean"), StandardScaler(),
                             LogisticRegression(C=1.0, max_iter=1000, tol=1e-10))
    pipeline.fit(x[train], y[train])
    result["sklearn_logistic_seconds"] = time.perf_counter() - started
    result["sklearn_logistic_test_auc"] = float(roc_auc_score(y[test], pipeline.predict_proba(x[test])[:, 1]))

    gbdt = json.load(open(params_path))
    params = {"objective": "binary", "learning_rate": gbdt["learning_rate"], "num_leaves": gbdt["num_leaves"],
              "min_data_in_leaf": gbdt["min_data_in_leaf"], "lambda_l2": gbdt["lambda_l2"],
              "max_bin": gbdt["max_bin"], "metric": "binary_logloss", "num_threads": 1,
              "deterministic": True, "verbosity": -1, "seed": 1}
    started = time.perf_counter()
    booster = lightgbm.train(params, lightgbm.Dataset(x[train], y[train]),
                             num_boost_round=gbdt["num_iterations"],
                             valid_sets=[lightgbm.Dataset(x[valid], y[valid])],
                             callbacks=[lightgbm.early_stopping(gbdt["early_stopping_rounds"], verbose=False)])
    result["lightgbm_seconds"] = time.perf_counter() - started
    result["lightgbm_trees"] = int(booster.best_iteration)
    result["lightgbm_test_auc"] = float(roc_auc_score(y[test], booster.predict(x[test], num_iteration=booster.best_iteration)))

    result["logistic_auc_difference"] = result["churnguard_logistic_test_auc"] - result["sklearn_logistic_test_auc"]
    result["gbdt_auc_difference"] = result["churnguard_gbdt_test_auc"] - result["lightgbm_test_auc"]
    json.dump(result, open(out_path, "w"), indent=2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
