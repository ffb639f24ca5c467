"""Ingest rate and the "latest 50 runs" query on a store of 100k runs."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np

from jupyter_mlops import events as ev
from jupyter_mlops.store import Store, db, queries, recent
from jupyter_mlops.store.ingest import ingest
from jupyter_mlops.store.spool import SpoolWriter
from tests.bench import Result

RUNS, PARAMS, METRICS = 100_000, 20, 10


def _fill(store: Store) -> int:
    """100k runs, each: started, 20 params, 10 metrics, ended (one event each)."""
    w = SpoolWriter(store)
    rng = np.random.default_rng(0)
    count = 0
    for start in range(0, RUNS, 5000):
        batch = []
        for r in range(start, start + 5000):
            run_id = ev.new_id()
            batch += [
                ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": f"exp{r % 50}",
                                          "kind": "interactive"}),
                ev.Event(ev.PARAMS, {"run_id": run_id,
                                     "params": {f"p{i}": int(rng.integers(100))
                                                for i in range(PARAMS)}}),
                ev.Event(ev.METRICS, {"run_id": run_id,
                                      "metrics": {f"m{i}": float(rng.random())
                                                  for i in range(METRICS)}}),
                ev.Event(ev.RUN_ENDED, {"run_id": run_id, "status": "finished"}),
            ]
        w.write(batch)
        count += len(batch)
    w.close()
    return count


def _duckdb_load(paths: list[Path]) -> float:
    """The floor: DuckDB's own JSON reader loading the same files into one table."""
    con = duckdb.connect()
    t = time.perf_counter()
    con.execute("CREATE TABLE raw AS SELECT * FROM read_json_auto(?, format='newline_delimited')",
                [[str(p) for p in paths]])
    elapsed = time.perf_counter() - t
    con.close()
    return elapsed


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(tmp)
        store.ensure()
        n = _fill(store)
        spool = sorted(store.spool_dir.glob("*.jsonl"))
        floor = _duckdb_load(spool)
        t = time.perf_counter()
        result = ingest(store)
        elapsed = time.perf_counter() - t
        assert result.events == n, result
        rate = n / elapsed

        queries.runs(store, limit=50)  # warm up
        times = []
        for _ in range(60):
            t = time.perf_counter()
            frame = queries.runs(store, limit=50)
            times.append(time.perf_counter() - t)
        assert len(frame) == 50 and f"params.p{PARAMS - 1}" in frame.columns
        p95 = float(np.percentile(times, 95)) * 1000
        direct = []
        for _ in range(60):  # the database path, as when the projection cannot answer
            t = time.perf_counter()
            with db.connect(store, write=False, threads=1) as con:
                recent.fetch(con, experiment=None, status=None, kind=None, limit=50)
            direct.append(time.perf_counter() - t)
        direct_p95 = float(np.percentile(direct, 95)) * 1000
        opens = []
        for _ in range(60):
            t = time.perf_counter()
            with db.connect(store, write=False) as con:
                con.execute("SELECT 1").fetchall()
            opens.append(time.perf_counter() - t)
        open_p95 = float(np.percentile(opens, 95)) * 1000
        warm = []
        with db.connect(store, write=False) as con:  # what a long-lived reader (server) pays
            for _ in range(60):
                t = time.perf_counter()
                recent.fetch(con, experiment=None, status=None, kind=None, limit=50)
                warm.append(time.perf_counter() - t)
        warm_p95 = float(np.percentile(warm, 95)) * 1000
    return [
        Result("ingest: events/s (400k events, 3.2M rows)", rate, "events/s", ">= 100k/s",
               rate >= 100_000, f"DuckDB read_json of the same spool: {floor:.2f} s",
               f"{elapsed / floor:.1f}x DuckDB's raw JSON load ({elapsed:.2f} s)"),
        Result("query: latest 50 runs, 100k-run store, p95 (queries.runs)", p95, "ms",
               "<= 50 ms", p95 <= 50, f"lock + open + SELECT 1 + close p95 {open_p95:.1f} ms",
               f"{p95 / open_p95:.2f}x a bare DuckDB open"),
        Result("query: the same from DuckDB (open, query, close), p95", direct_p95, "ms",
               "(fallback)", True, f"open + close alone p95 {open_p95:.1f} ms",
               f"{direct_p95 / p95:.1f}x the projection"),
        Result("query: the same on an open connection, p95", warm_p95, "ms", "(no target)", True,
               f"open + close alone p95 {open_p95:.1f} ms",
               f"{warm_p95 / p95:.1f}x the projection"),
    ]
