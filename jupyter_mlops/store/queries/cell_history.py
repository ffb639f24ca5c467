"""A cell's executions across runs and jobs, and the cells of a run that became slower or
started failing (``mlops.cells.history``, ``mlops.cells.flagged``, the sidebar's run detail).

Executions are the same cell when they share the notebook's cell id (nbformat ≥ 4.5 keeps
it; JupyterLab and the job runner send it). A cell recorded without an id (an older notebook,
a plain IPython) is matched by its source hash among the runs of the same notebook, so an
edited cell without an id starts a new history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ...exceptions import BadReference, NotFound
from .. import Store, db
from ..read import frame, reading, resolve_run
from .cells import resolve_cell

if TYPE_CHECKING:
    import duckdb

#: An execution is ``slower`` when it took at least SLOW_FACTOR times the median of the
#: successful ones among the cell's previous RECENT executions (MIN_HISTORY of them at
#: least), and SLOW_MARGIN_MS more (a 5 ms cell taking 60 ms is noise: an fsync, a busy
#: machine); ``failing`` when it raised and one of those succeeded. Recent executions, so a
#: cell that became slow (or broken) for good stops being flagged.
SLOW_FACTOR, MIN_HISTORY, RECENT, SLOW_MARGIN_MS = 3.0, 2, 20, 100.0
#: The rule in words, for the docs and the REST API's description of ``flag``.
RULE = (f"`slower` when it took at least {SLOW_FACTOR:g}× the median of the successful ones "
        f"among the cell's previous {RECENT} executions ({MIN_HISTORY} of them at least) "
        f"and {SLOW_MARGIN_MS:g} ms more; `failing` when it raised and one of those "
        f"succeeded")

#: What identifies a cell across runs: its id, else its notebook and source hash.
_KEY = ("coalesce('id:' || nullif(c.cell_id, ''), "
        "'src:' || coalesce(r.notebook, '') || ':' || c.source_hash)")

#: Columns of a history, in order (docs/sql.md lists them with their meaning).
HISTORY_COLUMNS = ("run_id", "seq", "cell_id", "kind", "schedule", "started", "duration_ms",
                   "status", "error_type", "median_ms", "flag")

_EXECUTIONS = f"""
    SELECT {_KEY} AS cell_key, c.run_id, c.seq, c.cell_id, r.kind, j.schedule, c.started,
           c.duration_ms, c.status, c.error_type, c.event_id
    FROM cells c JOIN runs r ON r.id = c.run_id LEFT JOIN jobs j ON j.run_id = c.run_id"""


def _flagged(executions: str) -> str:
    """The rows of ``executions`` (a query naming them ``x``) by cell, oldest first, with
    ``median_ms`` and ``flag``."""
    return f"""
        {executions}, w AS (
            SELECT *,
                quantile_cont(CASE WHEN status = 'ok' THEN duration_ms END, 0.5)
                    OVER recent AS recent_median,
                count(CASE WHEN status = 'ok' THEN 1 END) OVER recent AS recent_ok
            FROM x
            WINDOW recent AS (PARTITION BY cell_key ORDER BY started, event_id
                              ROWS BETWEEN {RECENT} PRECEDING AND 1 PRECEDING))
        SELECT * EXCLUDE (recent_median, recent_ok),
            CASE WHEN recent_ok >= {MIN_HISTORY} THEN recent_median END AS median_ms,
            CASE WHEN status = 'error' AND recent_ok >= 1 THEN 'failing'
                 WHEN status = 'ok' AND recent_ok >= {MIN_HISTORY}
                      AND duration_ms >= {SLOW_FACTOR} * recent_median
                      AND duration_ms - recent_median >= {SLOW_MARGIN_MS} THEN 'slower'
            END AS flag
        FROM w ORDER BY cell_key, started, event_id"""


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> pd.DataFrame:
    found = frame(con, sql, params)
    found["flag"] = found.flag.astype(object).where(found.flag.notna(), None)
    return found


def _identity(con: duckdb.DuckDBPyConnection, ref: str) -> tuple[str, list[Any]]:
    """The WHERE and parameters selecting every execution of the cell ``ref`` names: a
    notebook cell id, or ``RUN/SEQ`` (that cell's id, else its source in its notebook)."""
    if "/" not in ref:
        return "c.cell_id = ?", [ref]
    event_id, _, _ = resolve_cell(con, ref)
    cell_id, source_hash, notebook = db.run(con, """
        SELECT nullif(c.cell_id, ''), c.source_hash, r.notebook FROM cells c
        JOIN runs r ON r.id = c.run_id WHERE c.event_id = ?""", [event_id])[0]
    if cell_id is not None:
        return "c.cell_id = ?", [cell_id]
    return ("nullif(c.cell_id, '') IS NULL AND c.source_hash = ? "
            "AND r.notebook IS NOT DISTINCT FROM ?", [source_hash, notebook])


def cell_history(store: Store, ref: str, limit: int | None = None) -> pd.DataFrame:
    """Every execution of one cell across runs and jobs, oldest first (the last ``limit``)."""
    if not isinstance(ref, str) or not ref.strip():
        raise BadReference("give the cell as its notebook cell id or as RUN/SEQ, "
                           "e.g. mlops.cells.history('01a2b3c4/7').")
    with reading(store) as con:
        where, params = _identity(con, ref.strip())
        found = _frame(con, _flagged(f"WITH x AS ({_EXECUTIONS} WHERE {where})"), params)
    if found.empty:
        raise NotFound(f"no recorded cell has the id {ref.strip()!r}: give a notebook cell "
                       f"id or RUN/SEQ (`jupyter mlops cells RUN` lists a run's cells).")
    found = found[list(HISTORY_COLUMNS)]
    return found.tail(limit).reset_index(drop=True) if limit else found


def flagged_cells(store: Store, run_id: str, *, every: bool = False,
                  points: int = 20) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """(full run id, the run's cells, their histories): each cell of the run, by seq, with
    its flag in this run, how often it ran up to this run and its source's first line; then
    the last ``points`` executions up to this run of each listed cell (``seq`` the run's
    cell). Only flagged cells unless ``every``."""
    with reading(store) as con:
        run_id = resolve_run(con, run_id)
        mine = frame(con, f"""
            SELECT {_KEY} AS cell_key, nullif(c.cell_id, '') AS cell_id, c.source_hash,
                   r.notebook, c.seq, c.source, c.event_id
            FROM cells c JOIN runs r ON r.id = c.run_id WHERE c.run_id = ?
            ORDER BY c.seq, c.started""", [run_id])
        ids = mine.cell_id.dropna().unique().tolist()
        hashes = mine.source_hash[mine.cell_id.isna()].dropna().unique().tolist()
        notebook = mine.notebook.iloc[0] if len(mine) else None
        # Up to this run's last cell. Each cell's cut-off (its last executions') is found on
        # the cells table alone: the join to runs and jobs is made for those rows only.
        fallback = ("nullif(c.cell_id, '') IS NULL AND c.source_hash IN (SELECT unnest(?)) "
                    "AND r.notebook IS NOT DISTINCT FROM ?")
        found = _frame(con, _flagged(f"""
            WITH bound AS (SELECT max(started) AS upto FROM cells WHERE run_id = ?),
            keyed AS (
                SELECT 'id:' || c.cell_id AS cell_key, c.started FROM cells c
                WHERE c.cell_id IN (SELECT unnest(?)) AND c.started <= (SELECT upto FROM bound)
                UNION ALL
                SELECT {_KEY}, c.started FROM cells c JOIN runs r ON r.id = c.run_id
                WHERE {fallback} AND c.started <= (SELECT upto FROM bound)),
            cut AS (SELECT cell_key, count(*) AS executions,
                           list_min(max_by(started, started, ?)) AS since
                    FROM keyed GROUP BY cell_key),
            x AS (SELECT e.*, cut.executions FROM ({_EXECUTIONS}
                      WHERE (c.cell_id IN (SELECT unnest(?)) OR ({fallback}))
                        AND c.started >= (SELECT min(since) FROM cut)
                        AND c.started <= (SELECT upto FROM bound)) e
                  JOIN cut ON cut.cell_key = e.cell_key AND e.started >= cut.since)"""),
            [run_id, ids, hashes, notebook, points + RECENT, ids, hashes, notebook])
    found = found[found.groupby("cell_key").cumcount(ascending=False) < points]
    last = found[found.run_id == run_id].drop_duplicates("cell_key", keep="last")
    cells = last.merge(mine[["event_id", "source"]], on="event_id").sort_values("seq")
    if not every:
        cells = cells[cells.flag.notna()]
    cells["source"] = cells.source.fillna("").map(lambda s: s.strip().split("\n")[0][:120])
    history = found.merge(cells[["cell_key", "seq"]], on="cell_key", suffixes=("_own", ""))
    history = history[["seq", "run_id", "kind", "started", "duration_ms", "status", "flag"]]
    cells = cells[["seq", "cell_id", "source", "status", "duration_ms", "median_ms", "flag",
                   "executions"]]
    return run_id, cells.reset_index(drop=True), history.reset_index(drop=True)
