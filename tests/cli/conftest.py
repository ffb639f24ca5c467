"""A store with one finished run of experiment ``churn``, for the CLI's tests."""

import pytest

from jupyter_mlops import events as ev
from jupyter_mlops.store.spool import SpoolWriter

RUN = "0123456789abcdef" * 2


@pytest.fixture
def filled(store):
    w = SpoolWriter(store)
    w.append(ev.Event(ev.RUN_STARTED, {"run_id": RUN, "experiment": "churn",
                                       "kind": "interactive"}))
    w.append(ev.Event(ev.PARAMS, {"run_id": RUN, "params": {"alpha": 0.3}}))
    w.append(ev.Event(ev.METRICS, {"run_id": RUN, "metrics": {"auc": 0.91}}))
    w.append(ev.Event(ev.CELL, {"run_id": RUN, "seq": 1, "source": "x = 1", "status": "ok",
                                "duration_ms": 1.5, "reads": [], "writes": ["x"]}))
    w.append(ev.Event(ev.RUN_ENDED, {"run_id": RUN, "status": "finished"}))
    w.close()
    return store
