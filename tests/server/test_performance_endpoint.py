"""Estimated vs realized performance over the REST API."""

import asyncio

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

import jupyter_mlops as mlops
from jupyter_mlops import tracking
from jupyter_mlops.store.ingest import ingest


def _record():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(2000, 2)), columns=["a", "b"])
    y = (rng.random(2000) < 1 / (1 + np.exp(-2 * X.a))).astype(int)
    model = LogisticRegression().fit(X, y)
    mlops.performance(model, X[1000:], y[1000:], reference=(X[:1000], y[:1000]), name="lr")
    mlops.performance(model, X[:500] + 0.5, name="lr")
    ingest(tracking.tracker().store)  # the server reads what is ingested


async def test_history_per_batch_and_metric(api, store):
    await asyncio.to_thread(_record)
    code, body = await api("performance", model="lr")
    assert code == 200, body
    history = body["history"]
    assert [h["metric"] for h in history] == ["accuracy", "f1", "roc_auc"] * 2
    first, later = history[0], history[3]
    assert first["ci_low"] <= first["estimated"] <= first["ci_high"]
    assert first["realized"] is not None and later["realized"] is None
    assert first["created"].endswith("+00:00") and first["n"] == 1000
    code, body = await api("performance", model="lr", metric="f1", limit=1)
    assert code == 200 and [(h["metric"], h["n"]) for h in body["history"]] == [("f1", 500)]
    code, body = await api("performance", model="other")
    assert code == 200 and body["history"] == []
    code, body = await api("performance", metric="mae")
    assert code == 400 and "metric must be one of accuracy" in body["detail"]
    code, body = await api("performance", model="lr@nobody")
    assert code == 404 and "no alias 'nobody'" in body["detail"]
