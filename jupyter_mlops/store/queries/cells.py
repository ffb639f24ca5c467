"""Reads of the cells domain (gathered into :mod:`jupyter_mlops.store.queries`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ...exceptions import BadReference, NotFound
from .. import Store, db
from ..read import frame, reading, resolve_run

if TYPE_CHECKING:
    import duckdb


def resolve_cell(con: duckdb.DuckDBPyConnection, ref: str) -> tuple[str, str, int]:
    """``RUN/SEQ`` (a run id or unique prefix, a slash, a cell's seq) -> (cell event id, full
    run id, seq); a clear error when it names no recorded cell."""
    run_part, _, seq_part = ref.rpartition("/")
    if not run_part or not seq_part.isdigit():
        raise BadReference(f"{ref!r} is not RUN/SEQ: write a run id (or its prefix), a slash "
                           f"and the cell's number, e.g. 01a2b3c4/7")
    run_id, seq = resolve_run(con, run_part), int(seq_part)
    found = db.run(con, "SELECT event_id FROM cells WHERE run_id = ? AND seq = ? "
                        "ORDER BY event_id LIMIT 1", [run_id, seq])
    if not found:
        raise NotFound(f"run {run_id[:12]} has no cell {seq}: `jupyter mlops cells "
                       f"{run_id[:12]}` lists its cells")
    return found[0][0], run_id, seq


def cell_position(con: duckdb.DuckDBPyConnection, event_id: str) -> tuple[str, int]:
    """(run id, seq) of a cell event."""
    found = db.run(con, "SELECT run_id, seq FROM cells WHERE event_id = ?", [event_id])
    if not found:
        raise NotFound(f"no recorded cell {event_id!r}")
    return found[0][0], found[0][1]


def dataflow_cells(con: duckdb.DuckDBPyConnection, run_id: str, upto: int) -> pd.DataFrame:
    """The successful cells of a run up to seq ``upto``, with their reads, writes and
    per-statement records (JSON text; NULL for cells recorded before statements were)."""
    return frame(con, """
        SELECT seq, cell_id, execution_count, source, reads, writes, statements FROM cells
        WHERE run_id = ? AND seq <= ? AND status = 'ok' ORDER BY seq""", [run_id, upto])


def cells(store: Store, run_id: str) -> pd.DataFrame:
    """The executed cells of a run in execution order."""
    with reading(store) as con:
        run_id = resolve_run(con, run_id)
        return frame(con, """
            SELECT seq, execution_count, cell_id, status, duration_ms, reads, writes,
                   error_type, error_message, started, source, source_hash, event_id
            FROM cells WHERE run_id = ? ORDER BY seq, event_id""", [run_id])


def cell_data(store: Store, run_id: str) -> pd.DataFrame:
    """The data each cell of a run read or wrote, with fingerprints."""
    with reading(store) as con:
        run_id = resolve_run(con, run_id)
        return frame(con, """
            SELECT c.seq, e.relation, e.name, d.fingerprint, d.kind, d.shape, d.nbytes
            FROM lineage_edges e
            JOIN cells c ON c.event_id = e.event_id
            JOIN datasets d ON d.fingerprint = CASE e.relation WHEN 'reads' THEN e.src_id
                                                             ELSE e.dst_id END
            WHERE e.run_id = ? ORDER BY c.seq, e.relation, e.name""", [run_id])


def fits(store: Store, run_id: str) -> pd.DataFrame:
    """The fits autolog recorded in a run, in the order they were made (cell seq, class,
    method): what a user made, to check against what they see in their notebook."""
    with reading(store) as con:
        run_id = resolve_run(con, run_id)
        return frame(con, """SELECT seq, estimator, method FROM fits
                              WHERE run_id = ? ORDER BY id""", [run_id])
