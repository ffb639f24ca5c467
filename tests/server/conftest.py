"""A real Jupyter server with the extension (pytest-jupyter), over a store that a real kernel
filled by running a small training notebook: params, stepped metrics, two registered
versions (with lineage through autolog), a stored profile and a drift report."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403  (fixtures for this folder only)
from tornado.httpclient import HTTPClientError

from jupyter_mlops import tracking
from jupyter_mlops.store import Store, queries
from jupyter_mlops.store.ingest import ingest
from tests.conftest import Kernel

NOTEBOOK = [
    ("imports", "import numpy as np, pandas as pd\nfrom sklearn.linear_model import "
                "LogisticRegression\nimport jupyter_mlops as mlops"),
    ("data", "rng = np.random.default_rng(0)\n"
             "df = pd.DataFrame({'x': rng.normal(size=400), 'z': rng.normal(size=400)})\n"
             "y = (df.x > 0).astype(int)"),
    ("params", "mlops.log_params(C=0.5, solver='lbfgs')"),
    ("loss", "for step in range(3):\n    mlops.log_metric('loss', 1 / (step + 1), step=step)"),
    ("fit", "m = LogisticRegression(C=0.5).fit(df, y)\nmlops.log_metric('auc', 0.9)\n"
            "v1 = mlops.register(m, 'churn')\n"
            "v2 = mlops.register(m, 'churn', metrics={'auc': 0.8})"),
    ("drift", "mlops.profile(df, name='reference')\n"
              "report = mlops.drift('reference', df.assign(x=df.x + 3))"),
]


@pytest.fixture(scope="session")
def recorded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store filled once per session by a real kernel; tests get copies of it."""
    root = tmp_path_factory.mktemp("recorded") / "store"
    kernel = Kernel({**os.environ, "JUPYTER_MLOPS_HOME": str(root)}, root.parent)
    try:
        kernel.record(NOTEBOOK)
    finally:
        kernel.shutdown()
    ingest(Store.open(root))
    return root


@pytest.fixture
def store(recorded_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """This test's own copy of the recorded store, used by this process and its children."""
    root = tmp_path / "store"
    shutil.copytree(recorded_store, root)
    monkeypatch.setenv("JUPYTER_MLOPS_HOME", str(root))
    s = Store.open(root)
    t = tracking.Tracker(s)  # what the server's promotions are recorded by
    monkeypatch.setattr(tracking, "_tracker", t)
    yield s
    t.writer.close()


@pytest.fixture
def run_id(store: Store) -> str:
    return queries.runs(store)["run_id"].iloc[0]


@pytest.fixture
def jp_server_config(store: Store) -> dict[str, Any]:
    return {"ServerApp": {"jpserver_extensions": {"jupyter_mlops": True}},
            "MLOpsApp": {"store": str(store.root), "ingest_interval": 0.2}}


@pytest.fixture
def api(jp_fetch: Any) -> Callable[..., Any]:
    """``await api("runs", limit=5)``: (status, JSON body) of an authenticated request."""

    async def call(*path: str, method: str = "GET", body: Any = None,
                   headers: dict[str, str] | None = None, **params: Any) -> tuple[int, Any]:
        kwargs: dict[str, Any] = {"method": method, "headers": headers, "params": params}
        if method == "POST":
            kwargs["body"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
        try:
            response = await jp_fetch("jupyter-mlops", "api", *path, **kwargs)
        except HTTPClientError as e:
            response = e.response
            assert response is not None, e
        return response.code, json.loads(response.body)

    return call
