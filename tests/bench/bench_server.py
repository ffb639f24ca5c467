"""The REST API over HTTP on loopback, against a real `jupyter server`: the runs list on a
100k-run store and a lineage graph on a 10k-edge store, uncached and cached."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from jupyter_mlops.store import Store
from jupyter_mlops.store.ingest import ingest
from tests.bench import Result, bench_lineage, bench_store

TOKEN = "bench-token"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _server(root: Path, workdir: Path) -> Iterator[http.client.HTTPConnection]:
    """A `jupyter server` serving ``root``; yields a keep-alive connection to it."""
    port = _port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "server", "--no-browser", "--allow-root",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         f"--IdentityProvider.token={TOKEN}", f"--MLOpsApp.store={root}",
         f"--ServerApp.root_dir={workdir}"],
        env={**os.environ, "JUPYTER_MLOPS_HOME": str(root)}, cwd=workdir,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                if _get(con, "/api/status")[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield con
        con.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _get(con: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    con.request("GET", path, headers={"Authorization": f"token {TOKEN}"})
    response = con.getresponse()
    return response.status, response.read()


def _p95(con: http.client.HTTPConnection, paths: list[str]) -> float:
    """p95 in ms of GETting each path once (each must answer 200)."""
    times = []
    for path in paths:
        t = time.perf_counter()
        code, body = _get(con, path)
        times.append(time.perf_counter() - t)
        assert code == 200, (path, body[:200])
    return float(np.percentile(times, 95)) * 1000


def run() -> list[Result]:
    api = "/jupyter-mlops/api"
    with tempfile.TemporaryDirectory() as tmp:
        runs_store, graph_store = Store.open(Path(tmp) / "runs"), Store.open(Path(tmp) / "graph")
        for s in (runs_store, graph_store):
            s.ensure()
        bench_store._fill(runs_store)
        ingest(runs_store)
        bench_lineage._fill(graph_store)
        with _server(runs_store.root, Path(tmp)) as con:
            status = _p95(con, ["/api/status"] * 60)
            _get(con, f"{api}/runs?limit=50")
            # distinct limits defeat the cache; each is the same query shape as limit=50
            uncached = _p95(con, [f"{api}/runs?limit={n}" for n in range(41, 101)])
            cached = _p95(con, [f"{api}/runs?limit=50"] * 60)
            # a filter the recent-runs projection cannot answer: DuckDB opened per request
            database = _p95(con, [f"{api}/runs?limit=50&experiment=exp{n}" for n in range(50)])
        with _server(graph_store.root, Path(tmp)) as con:
            versions = bench_lineage.RUNS
            t = time.perf_counter()
            _get(con, f"{api}/lineage?node=big:1&depth=5")  # loads the per-state edge index
            first = (time.perf_counter() - t) * 1000
            lineage = _p95(con, [f"{api}/lineage?node=big:{n}&depth=5"
                                 for n in range(2, versions + 1)])
            lineage_cached = _p95(con, [f"{api}/lineage?node=big:{versions}&depth=5"] * 60)
    base = f"GET /api/status (Jupyter's own) p95 {status:.2f} ms"
    return [
        Result("REST: GET runs?limit=50, 100k-run store, p95 (uncached)", uncached, "ms",
               "<= 50 ms", uncached <= 50, base, f"{uncached / status:.1f}x /api/status"),
        Result("REST: the same, cached (store unchanged), p95", cached, "ms", "<= 5 ms",
               cached <= 5, base, f"{cached / status:.1f}x /api/status"),
        Result("REST: GET runs?limit=50&experiment=…, from DuckDB, p95", database, "ms",
               "(no target)", True, base, f"{database / uncached:.1f}x the unfiltered page"),
        Result("REST: GET lineage depth 5, 10k-edge store, p95 (uncached)", lineage, "ms",
               "<= 50 ms", lineage <= 50, base, f"{lineage / status:.1f}x /api/status"),
        Result("REST: the same, cached, p95", lineage_cached, "ms", "(no target)", True, base,
               f"{lineage_cached / status:.1f}x /api/status"),
        Result("REST: the first GET lineage after a store change (loads the edges)", first,
               "ms", "(no target)", True, base, f"{first / lineage:.0f}x a later walk"),
    ]
