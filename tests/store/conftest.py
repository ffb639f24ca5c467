"""Stores the query tests share."""

import pytest

from jupyter_mlops import events as ev
from jupyter_mlops.store.spool import SpoolWriter


@pytest.fixture
def churn(store):
    """Three runs of experiment churn: max_depth 0..2, auc logged at steps 0..2 (best at 1)."""
    w = SpoolWriter(store)
    for r in range(3):
        run_id = "d" * 30 + f"{r:02d}"
        w.append(ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": "churn",
                                           "kind": "interactive"}))
        w.append(ev.Event(ev.PARAMS, {"run_id": run_id, "params": {"max_depth": r,
                                                                   "model": "rf"}}))
        for step in range(3):
            w.append(ev.Event(ev.METRICS, {"run_id": run_id, "step": step,
                                           "metrics": {"auc": r + [0.5, 0.9, 0.7][step]}}))
    return store
