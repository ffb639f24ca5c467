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
#: cell's earlier successful executions (MIN_HISTORY of them at least), and SLOW_MARGIN_MS
#: more (a 5 ms cell taking 60 ms is noise: an fsync, a busy machine). It is ``failing`` when it
#: raised and an earlier execution of it succeeded.
SLOW_FACTOR, MIN_HISTORY, SLOW_MARGIN_MS = 3.0, 2, 100.0

#: What identifies a cell across runs: its id, else its notebook and source hash.
_KEY = ("coalesce('id:' || nullif(c.cell_id, ''), "
        "'src:' || coalesce(r.notebook, '') || ':' || c.source_hash)")

#: Columns of a history, in order (docs/sql.md lists them with their meaning).
HISTORY_COLUMNS = ("run_id", "seq", "cell_id", "kind", "schedule", "started", "duration_ms",
                   "status", "error_type", "median_ms", "flag")


def _history_sql(where: str) -> str:
    """Every execution of the cells ``where`` selects (over ``cells c`` joined to ``runs
    r``), oldest first, with the median of the earlier ones and the flag."""
    return f"""
        WITH h AS (
            SELECT {_KEY} AS cell_key, c.run_id, c.seq, c.cell_id, r.kind, j.schedule,
                   c.started, c.duration_ms, c.status, c.error_type, c.event_id
            FROM cells c JOIN runs r ON r.id = c.run_id
            LEFT JOIN jobs j ON j.run_id = c.run_id
            WHERE {where}
        ), w AS (
            SELECT *,
                quantile_cont(CASE WHEN status = 'ok' THEN duration_ms END, 0.5)
                    OVER earlier AS earlier_median,
                count(CASE WHEN status = 'ok' THEN 1 END) OVER earlier AS earlier_ok
            FROM h
            WINDOW earlier AS (PARTITION BY cell_key ORDER BY started, event_id
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
        )
        SELECT cell_key, {', '.join(HISTORY_COLUMNS[:-2])},
            CASE WHEN earlier_ok >= {MIN_HISTORY} THEN earlier_median END AS median_ms,
            CASE WHEN status = 'error' AND earlier_ok >= 1 THEN 'failing'
                 WHEN status = 'ok' AND earlier_ok >= {MIN_HISTORY}
                      AND duration_ms >= {SLOW_FACTOR} * earlier_median
                      AND duration_ms - earlier_median >= {SLOW_MARGIN_MS} THEN 'slower'
            END AS flag, event_id
        FROM w ORDER BY cell_key, started, event_id"""


def _histories(con: duckdb.DuckDBPyConnection, where: str, params: list[Any]) -> pd.DataFrame:
    found = frame(con, _history_sql(where), params)
    found["flag"] = found.flag.astype(object).where(found.flag.notna(), None)
    return found


def _identity(con: duckdb.DuckDBPyConnection, ref: str) -> tuple[str, list[Any]]:
    """The WHERE and parameters selecting every execution of the cell ``ref`` names: a
    notebook cell id, or ``RUN/SEQ`` (that cell's id, else its source in its notebook)."""
    if "/" not in ref:
        if db.scalar(con, "SELECT count(*) FROM cells WHERE cell_id = ?", [ref]):
            return "c.cell_id = ?", [ref]
        raise NotFound(f"no recorded cell has the id {ref!r}: give a notebook cell id or "
                       f"RUN/SEQ (`jupyter mlops cells RUN` lists a run's cells).")
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
        found = _histories(con, where, params)
    found = found.drop(columns=["cell_key", "event_id"])
    return found.tail(limit).reset_index(drop=True) if limit else found


def flagged_cells(store: Store, run_id: str, *, every: bool = False,
                  points: int = 20) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """(full run id, the run's cells, their histories): each cell of the run, by seq, with
    its flag in this run, the executions it has and its source's first line; then the last
    ``points`` executions up to this run of each listed cell (``seq`` the run's cell). Only
    flagged cells unless ``every``."""
    with reading(store) as con:
        run_id = resolve_run(con, run_id)
        found = _histories(con, f"""{_KEY} IN (
            SELECT {_KEY} FROM cells c JOIN runs r ON r.id = c.run_id WHERE c.run_id = ?)""",
            [run_id])
        sources = frame(con, "SELECT seq, source, event_id FROM cells WHERE run_id = ?",
                        [run_id])
    found["position"] = found.groupby("cell_key").cumcount()
    mine = found[found.run_id == run_id].merge(sources[["event_id", "source"]], on="event_id")
    mine = mine.sort_values(["seq", "started"]).drop_duplicates("cell_key", keep="last")
    if not every:
        mine = mine[mine.flag.notna()]
    counts = found.groupby("cell_key").size().rename("executions")
    cells = mine.join(counts, on="cell_key")
    cells["source"] = cells.source.fillna("").map(lambda s: s.strip().split("\n")[0][:120])
    ends = cells.set_index("cell_key")[["seq", "position"]].add_suffix("_of")
    history = found.join(ends, on="cell_key", how="inner")
    history = history[(history.position <= history.position_of)
                      & (history.position > history.position_of - points)]
    history = history.assign(seq=history.seq_of)[
        ["seq", "run_id", "kind", "started", "duration_ms", "status", "flag"]]
    cells = cells[["seq", "cell_id", "source", "status", "duration_ms", "median_ms", "flag",
                   "executions"]]
    return run_id, cells.reset_index(drop=True), history.reset_index(drop=True)
