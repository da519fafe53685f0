"""The FastAPI peer: the same churn model served the way churn services are commonly built,
FastAPI + uvicorn + LightGBM, JSON over HTTP/1.1. bench/peers/run starts it with one worker:

    CHURN_MODEL=model.txt uvicorn app:app --host 127.0.0.1 --port 8000 --workers 1

POST /score        {"crm": 4711, "product_group": "fuel_cards", "features": [10 numbers]}
POST /score_batch  {"rows": [[10 numbers], ...]}

The handlers are `async def` (no thread-pool hop) and LightGBM predicts with one thread: the
fastest way to run this stack in one worker that we found.
"""
import os

import lightgbm as lgb
import numpy as np
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

MODEL_PATH = os.environ["CHURN_MODEL"]
booster = lgb.Booster(model_file=MODEL_PATH, params={"num_threads": 1})
FEATURES = booster.num_feature()
# The risk-band cut-offs `churnguard model import-lightgbm` gives the same model (0.2, 0.5, 0.8).
BANDS = [(0.2, "low"), (0.5, "medium"), (0.8, "high")]
app = FastAPI(title="churn-fastapi-peer")


class ScoreIn(BaseModel):
    crm: int
    product_group: str = ""
    features: list[float]


class BatchIn(BaseModel):
    rows: list[list[float]]


def band(probability: float) -> str:
    for limit, name in BANDS:
        if probability < limit:
            return name
    return "critical"


@app.post("/score")
async def score(request: ScoreIn):
    if len(request.features) != FEATURES:
        raise HTTPException(status_code=400, detail=f"expected {FEATURES} features, got {len(request.features)}")
    probability = float(booster.predict(np.asarray([request.features], dtype=np.float64))[0])
    return {
        "crm": request.crm,
        "product_group": request.product_group,
        "probability": probability,
        "risk_band": band(probability),
        "model": {"name": os.path.basename(MODEL_PATH), "version": 1},
    }


@app.post("/score_batch")
async def score_batch(request: BatchIn):
    probabilities = booster.predict(np.asarray(request.rows, dtype=np.float64))
    return {"probabilities": probabilities.tolist(), "risk_bands": [band(p) for p in probabilities]}
