"""Ingest rate, the "latest 50 runs" query, and mlops.runs / mlops.sql (against bare DuckDB
queries) on a store of 100k runs."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
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


#: The tables ingest fills from the bench's events.
_WRITTEN = ("event_log", "runs", "params", "metrics", "experiments")


def _write_floor(store: Store, scratch: Path) -> float:
    """What writing ingest's rows costs alone: the rows the ingest made, copied to memory
    first, inserted into a new database file with the same tables in one transaction (no
    JSON, no fan-out, no Python). The rest of an ingest's time is everything else."""
    con = duckdb.connect(str(scratch / "floor.duckdb"))
    try:
        con.execute(f"ATTACH '{store.db_path}' AS s (READ_ONLY)")
        con.execute("ATTACH ':memory:' AS m")
        for table in _WRITTEN:
            con.execute(f"CREATE TABLE main.{table} AS FROM s.{table} LIMIT 0")
            con.execute(f"CREATE TABLE m.{table} AS FROM s.{table}")
        con.execute("DETACH s")
        con.execute("CHECKPOINT")
        con.execute("SET preserve_insertion_order = false")  # as ingest applies
        t = time.perf_counter()
        con.execute("BEGIN")
        for table in _WRITTEN:
            con.execute(f"INSERT INTO main.{table} FROM m.{table}")
        con.execute("COMMIT")
        return time.perf_counter() - t
    finally:
        con.close()


def _p95(call: Callable[[], object], n: int) -> float:
    """The 95th percentile of ``n`` timed calls, in ms (after one warm-up call)."""
    call()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        call()
        times.append(time.perf_counter() - t)
    return float(np.percentile(times, 95)) * 1000


def _bare(store: Store, sql: str) -> Callable[[], object]:
    """The same question asked of DuckDB directly: open read-only, query, close."""
    def call() -> object:
        con = duckdb.connect(str(store.db_path), read_only=True)
        try:
            return con.execute(sql).df()
        finally:
            con.close()
    return call


def _ask(store: Store) -> list[Result]:
    """mlops.runs / mlops.sql (issue 16) against bare DuckDB queries in the same run."""
    from jupyter_mlops.store import ask

    page = _p95(lambda: ask.runs(store=store), 40)
    assert len(ask.runs(store=store)) == 100
    bare_page = _p95(_bare(store, "SELECT * FROM runs ORDER BY started DESC LIMIT 100"), 40)
    filtered = _p95(lambda: ask.runs(where="metrics.m0 > 0.5 AND params.p1 < 50",
                                     order_by="metrics.m1 DESC", store=store), 5)
    bare_filtered = _p95(_bare(store, """
        SELECT r.id, m.value FROM runs r JOIN metrics m ON m.run_id = r.id AND m.key = 'm1'
        ORDER BY m.value DESC LIMIT 100"""), 5)
    sql = _p95(lambda: ask.sql("SELECT key, avg(value) FROM metric_history GROUP BY key",
                               store=store), 20)
    bare_sql = _p95(_bare(store, "SELECT key, avg(value) FROM metrics GROUP BY key"), 20)
    wide = _p95(lambda: ask.sql('SELECT run_id, "metrics.m1" FROM runs_wide '
                                'ORDER BY "metrics.m1" DESC LIMIT 10', store=store), 5)
    return [
        Result("ask: mlops.runs() default page (100 runs), 100k-run store, p95", page, "ms",
               "<= 100 ms", page <= 100, f"bare DuckDB open + 100 newest runs + close p95 "
               f"{bare_page:.1f} ms", f"{page / bare_page:.2f}x the bare query"),
        Result("ask: mlops.runs(where=, order_by=) over runs_wide, 100k runs, p95", filtered,
               "ms", "(no target)", True, f"bare DuckDB top-100 by one metric p95 "
               f"{bare_filtered:.1f} ms", f"{filtered / bare_filtered:.1f}x the bare query"),
        Result("ask: mlops.sql() aggregate over metric_history (1M rows), p95", sql, "ms",
               "(overhead)", True, f"the same on bare DuckDB p95 {bare_sql:.1f} ms",
               f"{sql / bare_sql:.2f}x, +{sql - bare_sql:.1f} ms"),
        Result("ask: mlops.sql() top 10 runs by a metric over runs_wide (every key), p95",
               wide, "ms", "(no target)", True, f"bare DuckDB top-100 by one metric p95 "
               f"{bare_filtered:.1f} ms", f"{wide / bare_filtered:.1f}x the bare query"),
    ]


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
        written = _write_floor(store, Path(tmp))

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
        asked = _ask(store)
    return [*asked,
        Result("ingest: events/s (400k events, 3.2M rows)", rate, "events/s", ">= 100k/s",
               rate >= 100_000, f"DuckDB read_json of the same spool: {floor:.2f} s",
               f"{elapsed / floor:.1f}x DuckDB's raw JSON load ({elapsed:.2f} s)"),
        Result("ingest: its rows alone, written from memory (3.2M rows, 5 tables)", written,
               "s", "(floor)", True, f"DuckDB read_json of the same spool: {floor:.2f} s",
               f"{written / floor:.1f}x the JSON load; {written / elapsed:.0%} of the ingest"),
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
