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


def _record_multiclass():
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(3000, 2)), columns=["a", "b"])
    y = np.array(["low", "mid", "high"])[np.digitize(X.a + rng.normal(0, 0.5, 3000),
                                                     [-0.5, 0.5])]
    model = LogisticRegression().fit(X, y)
    mlops.performance(model, X[1500:], y[1500:], reference=(X[:1500], y[:1500]), name="three")
    mlops.performance(model, X[:600] + 0.7, name="three")
    ingest(tracking.tracker().store)


async def test_a_multiclass_model_has_the_same_history(api, store):
    """Macro F1 and one-vs-rest ROC AUC under the same metric names: REST, widget and sidebar
    need nothing of their own for a multiclass model."""
    await asyncio.to_thread(_record_multiclass)
    code, body = await api("performance", model="three")
    assert code == 200, body
    history = body["history"]
    assert [(h["metric"], h["n"]) for h in history] == [
        (m, n) for n in (1500, 600) for m in ("accuracy", "f1", "roc_auc")]
    for h in history:
        assert 0 <= h["ci_low"] <= h["estimated"] <= h["ci_high"] <= 1, h
    assert all(h["realized"] is not None for h in history[:3])
    assert all(h["realized"] is None for h in history[3:])
    labelled = {h["metric"]: h for h in history[:3]}
    assert abs(labelled["accuracy"]["estimated"] - labelled["accuracy"]["realized"]) < 0.05
