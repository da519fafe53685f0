#!/usr/bin/env python3
"""Times LightGBM (Booster.predict, one thread) and lleaves (LightGBM compiled by LLVM, one thread)
on a model and rows, with ModelPeerRun's protocol: one row at a time (ns per row), a batch of every
row (rows per second), and TreeSHAP for one row (LightGBM pred_contrib, µs per row). Median of
repeated runs. Prints one JSON line per implementation.

    python3 bench/peers/lightgbm_models.py MODEL.txt ROWS.f64 FEATURES
"""
import json, os, sys, tempfile, time
import numpy as np
import lightgbm as lgb


def median(samples):
    return sorted(samples)[len(samples) // 2]


def timed(body):
    start = time.perf_counter()
    body()
    return time.perf_counter() - start


def main():
    model_file, rows_file, features = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rows = np.fromfile(rows_file, dtype="<f8").reshape(-1, features)
    n = len(rows)
    booster = lgb.Booster(model_file=model_file, params={"num_threads": 1})
    singles = [rows[i:i + 1] for i in range(n)]

    # One row at a time (the request path): fewer rows, the per-call overhead dominates anyway.
    one = []
    for _ in range(5):
        one.append(timed(lambda: [booster.predict(r, num_threads=1) for r in singles[:2000]]) / 2000 * 1e9)
    batch = [n / timed(lambda: booster.predict(rows, num_threads=1)) for _ in range(21)]
    shap = [timed(lambda: [booster.predict(r, pred_contrib=True, num_threads=1) for r in singles[:200]]) / 200 * 1e6
            for _ in range(5)]
    print(json.dumps({"implementation": f"LightGBM {lgb.__version__} Booster.predict", "rows": n,
                      "one_row_ns": median(one), "batch_rows_per_s": median(batch),
                      "treeshap_one_row_us": median(shap)}))

    try:
        import lleaves
    except ImportError:
        print(json.dumps({"implementation": "lleaves", "error": "not installed"}))
        return
    compiled = lleaves.Model(model_file=model_file)
    cache = os.path.join(tempfile.gettempdir(), f"lleaves-{os.path.basename(model_file)}-{os.path.getmtime(model_file)}.so")
    compiled.compile(cache=cache)
    reference = booster.predict(rows, num_threads=1)
    difference = float(np.abs(compiled.predict(rows, n_jobs=1) - reference).max())
    one = []
    for _ in range(5):
        one.append(timed(lambda: [compiled.predict(r, n_jobs=1) for r in singles[:2000]]) / 2000 * 1e9)
    batch = [n / timed(lambda: compiled.predict(rows, n_jobs=1)) for _ in range(21)]
    print(json.dumps({"implementation": "lleaves (LLVM-compiled)", "rows": n, "one_row_ns": median(one),
                      "batch_rows_per_s": median(batch), "max_abs_difference_to_lightgbm": difference}))


if __name__ == "__main__":
    main()
