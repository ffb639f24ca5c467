"""Lineage ancestors on a 10k-edge graph: a long notebook's cells reading and writing data,
ending in a fit and a registered version."""

from __future__ import annotations

import time

import numpy as np

from jupyter_mlops import events as ev
from jupyter_mlops import lineage
from jupyter_mlops.store import Store, db
from jupyter_mlops.store.ingest import ingest
from jupyter_mlops.store.queries.lineage import reachable_edges
from jupyter_mlops.store.spool import SpoolWriter
from tests.bench import Result, filled_store

RUNS, CELLS = 70, 48  # each cell reads two recent datasets and writes one: ~10k edges


def _fill(store: Store) -> None:
    """A store of many notebook runs; the last run's model is the one asked about."""
    w = SpoolWriter(store)
    rng = np.random.default_rng(0)
    for r in range(RUNS):
        run_id = ev.new_id()
        events = [ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": "e", "kind": "job"})]
        for seq in range(1, CELLS + 1):
            reads = [f"{r:08x}{rng.integers(max(1, seq - 5), seq):024x}" for _ in range(2)
                     ] if seq > 1 else []
            events.append(ev.Event(ev.CELL, {
                "run_id": run_id, "seq": seq, "source": "x", "status": "ok", "reads": [],
                "writes": [], "data": [{"fingerprint": f, "role": "read", "name": "d"}
                                       for f in reads]
                + [{"fingerprint": f"{r:08x}{seq:024x}", "role": "wrote", "name": "d"}]}))
        fit = ev.Event(ev.FIT, {"run_id": run_id, "cell_seq": CELLS, "estimator": "m",
                                "inputs": [{"fingerprint": f"{r:08x}{CELLS:024x}",
                                            "role": "X"}]})
        events += [fit, ev.Event(ev.MODEL_VERSION, {
            "run_id": run_id, "name": "big", "version": r + 1, "artifact": "0" * 64,
            "format": "skops", "metrics": {}, "params": {},
            "data": [f"{r:08x}{CELLS:024x}"], "fit": fit.id})]
        w.write(events)
    w.close()
    ingest(store)


def run() -> list[Result]:
    with filled_store(_fill) as store:
        with db.connect(store, write=False) as con:
            edges = db.scalar(con, "SELECT count(*) FROM lineage")
            times, found = [], 0
            for _ in range(40):  # on an open connection, as the server will run it
                t = time.perf_counter()
                found = len(reachable_edges(con, [("model_version", f"big:{RUNS}")], "up"))
                times.append(time.perf_counter() - t)
        p95 = float(np.percentile(times, 95)) * 1000
        cold = []
        for _ in range(10):
            t = time.perf_counter()
            lineage.ancestors(f"big:{RUNS}")
            cold.append(time.perf_counter() - t)
        cold_p95 = float(np.percentile(cold, 95)) * 1000
    return [Result(f"lineage: ancestors on {edges:,} edges ({found:,} edges walked), p95", p95,
                   "ms",
                   "<= 10 ms", p95 <= 10,
                   f"lineage.ancestors() with its own open + close: p95 {cold_p95:.0f} ms",
                   f"{cold_p95 / p95:.1f}x on a fresh connection")]
