#!/usr/bin/env python3
"""Makes the metrics fixture ChurnModel's ClassificationMetrics is tested against: labels and
scores (rounded to two decimals, so many ties) and scikit-learn's own roc_auc_score,
average_precision_score, log_loss, brier_score_loss, precision/recall/F1 at 0.5, the F1-maximising
threshold from precision_recall_curve, calibration_curve (10 uniform bins), and top-decile lift.

    pip install scikit-learn==1.9.1 numpy
    python3 Tests/ChurnModelTests/Fixtures/make_sklearn_metrics_fixture.py
"""
import json, os
import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import (average_precision_score, brier_score_loss, f1_score, log_loss,
                             precision_recall_curve, precision_score, recall_score, roc_auc_score)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sklearn", "metrics.json")


def main():
    rng = np.random.default_rng(11)
    n = 5000
    y = (rng.random(n) < 0.18).astype(int)
    score = np.clip(0.18 + 0.35 * (y - 0.18) + rng.normal(0, 0.2, n), 0, 1).round(2)  # ties, and exact 0 and 1
    predicted = (score >= 0.5).astype(int)
    precision, recall, thresholds = precision_recall_curve(y, score)
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0)[:-1]
    best = int(np.argmax(f1))
    order = np.argsort(-score, kind="stable")
    top = order[: int(np.ceil(n / 10))]
    prob_true, prob_pred = calibration_curve(y, score, n_bins=10, strategy="uniform")
    json.dump({
        "sklearn": sklearn.__version__, "labels": y.tolist(), "scores": score.tolist(), "threshold": 0.5,
        "roc_auc": roc_auc_score(y, score), "average_precision": average_precision_score(y, score),
        "log_loss": log_loss(y, score), "brier": brier_score_loss(y, score),
        "precision": precision_score(y, predicted), "recall": recall_score(y, predicted), "f1": f1_score(y, predicted),
        "best_f1_threshold": float(thresholds[best]), "best_f1": float(f1[best]),
        "top_decile_lift": float(y[top].mean() / y.mean()),
        "calibration_observed": prob_true.tolist(), "calibration_predicted": prob_pred.tolist(),
    }, open(OUT, "w"))
    print("metrics fixture written")


if __name__ == "__main__":
    main()
