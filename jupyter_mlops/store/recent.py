"""The recent-runs projection: the latest runs as the list query returns them, with the store
generation they reflect, written by ingest next to the database.

Listing runs is what the sidebar polls and ``%mlops runs`` shows; answering it from this
small file costs a few milliseconds, where opening DuckDB alone costs 15-30 ms here. A
reader uses it only when its generation is the store's current one and it can answer the
question exactly; otherwise it queries DuckDB.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from . import Store, replace_file
from .db import run
from .sql import latest
from .state import read_state

if TYPE_CHECKING:
    import duckdb

#: How many of the latest runs the projection holds.
SIZE = 250

#: The projection's layout (its columns): a file of another layout is not read (2: ``name``).
FORMAT = 2

RUN_COLUMNS = """
    r.id AS run_id, r.name, r.experiment, r.kind, r.status, r.started, r.ended,
    date_diff('millisecond', r.started, coalesce(r.ended, r.last_event)) / 1000.0 AS duration_s,
    r.notebook, r.git_commit, r.git_dirty, r.env_id, r.parent_run, r."user", r.host
"""

#: The filters every runs listing takes: experiment, status, kind (each bound twice; NULL: any).
FILTERS = """(CAST(? AS VARCHAR) IS NULL OR r.experiment = ?)
      AND (CAST(? AS VARCHAR) IS NULL OR r.status = ?)
      AND (CAST(? AS VARCHAR) IS NULL OR r.kind = ?)"""


#: The page's rows of params, metrics and cells. The lower bound repeats what the IN says,
#: for the scan: run ids sort by creation time and rows are appended as events arrive, so
#: DuckDB's per-row-group min/max skips every older row group (the latest 250 runs of a
#: 100k-run store read 2 of 18 row groups of params instead of all: half the projection's
#: cost, which every ingest pays).
_PAGE = "run_id IN (SELECT run_id FROM page) AND run_id >= (SELECT min(run_id) FROM page)"


def runs_sql(where: str = FILTERS, direction: str = "DESC") -> str:
    """One round trip: the page of runs (``where``, newest or oldest first, ``LIMIT ?``), then
    only their cells, params and metrics (latest value per key), folded into key/value lists
    that Python spreads into columns. ``where`` and ``direction`` are code, never user text."""
    if direction not in ("ASC", "DESC"):
        raise ValueError(f"direction must be ASC or DESC, not {direction!r}")
    return f"""
WITH page AS (
    SELECT {RUN_COLUMNS} FROM runs r WHERE {where}
    ORDER BY r.started {direction}, r.id {direction} LIMIT ?),
cell_counts AS (
    SELECT run_id, count(*) AS cells FROM cells WHERE {_PAGE} GROUP BY run_id),
latest_params AS (
    SELECT run_id, list(key ORDER BY key) AS keys, list(value ORDER BY key) AS vals FROM (
        {latest("params", _PAGE, by="run_id, ")})
    GROUP BY run_id),
latest_metrics AS (
    SELECT run_id, list(key ORDER BY key) AS keys, list(value ORDER BY key) AS vals FROM (
        {latest("metrics", _PAGE, by="run_id, ")})
    GROUP BY run_id)
SELECT page.*, coalesce(c.cells, 0) AS cells, p.keys AS param_keys, p.vals AS param_values,
       m.keys AS metric_keys, m.vals AS metric_values
FROM page
LEFT JOIN cell_counts c USING (run_id)
LEFT JOIN latest_params p USING (run_id)
LEFT JOIN latest_metrics m USING (run_id)
ORDER BY page.started {direction}, page.run_id {direction}
"""


RUNS = runs_sql()


Result = tuple[list[str], list[tuple[Any, ...]]]


def fetch(con: duckdb.DuckDBPyConnection, *, experiment: str | None, status: str | None,
          kind: str | None, limit: int) -> Result:
    """(column names, rows) of the latest matching runs, from the database."""
    cursor = con.execute(RUNS, [experiment, experiment, status, status, kind, kind, int(limit)])
    rows = cursor.fetchall()
    return [d[0] for d in cursor.description], rows


def write(store: Store, con: duckdb.DuckDBPyConnection, generation: int) -> None:
    """Rewrite the projection for ``generation`` (under the exclusive lock, after commit)."""
    columns, rows = fetch(con, experiment=None, status=None, kind=None, limit=SIZE)
    total = run(con, "SELECT count(*) FROM runs")[0][0]
    replace_file(store.recent_runs_path, json.dumps(
        {"format": FORMAT, "generation": generation, "total": total, "columns": columns,
         "rows": rows},
        default=str))


def read(store: Store, *, experiment: str | None, status: str | None, kind: str | None,
         limit: int) -> Result | None:
    """The answer from the projection, or None when it is stale or cannot answer exactly."""
    try:
        cached = json.loads(store.recent_runs_path.read_text())
    except (OSError, ValueError):
        return None
    if (cached.get("format") != FORMAT
            or cached.get("generation") != read_state(store).get("generation")):
        return None
    columns = cached["columns"]
    at = {name: i for i, name in enumerate(columns)}
    wanted = [(at[c], v) for c, v in (("experiment", experiment), ("status", status),
                                       ("kind", kind)) if v is not None]
    rows = [r for r in cached["rows"] if all(r[i] == v for i, v in wanted)][: int(limit)]
    # Exact when the page is full (nothing newer is missing), or the file holds every run.
    if len(rows) < limit and cached["total"] > len(cached["rows"]):
        return None
    return columns, rows
