"""Cells and capture: each executed cell, and the data it read and wrote (datasets and
their lineage edges)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ... import events as ev
from ...exceptions import BadReference, NotFound
from .. import Store, db
from ..read import frame, reading, resolve_run
from . import TS, Domain, events_table

if TYPE_CHECKING:
    import duckdb

_CELL = events_table(ev.CELL)

#: A dataset as a cell or a fit records it.
DATA = {"fingerprint": "VARCHAR", "kind": "VARCHAR", "shape": "BIGINT[]", "schema": "JSON",
        "nbytes": "BIGINT", "name": "VARCHAR", "role": "VARCHAR"}


def new_datasets(table: str, source: str) -> str:
    """Insert the datasets of ``table`` (rows shaped like :data:`DATA`, with ``ts``, made
    from the events in ``source``) that the store has not seen: each as first seen."""
    return f"""-- from {source}
    INSERT INTO datasets
    SELECT fingerprint, arg_min(kind, ts), arg_min(shape, ts), arg_min(schema, ts),
           arg_min(nbytes, ts), min(ts)
    FROM {table} d WHERE NOT EXISTS (
        SELECT 1 FROM datasets x WHERE x.fingerprint = d.fingerprint)
    GROUP BY fingerprint"""


DOMAIN = Domain(
    name="cells",
    payloads={
        ev.CELL: {"seq": "INTEGER", "cell_id": "VARCHAR", "execution_count": "INTEGER",
                  "source": "VARCHAR", "source_hash": "VARCHAR", "started": "DOUBLE",
                  "duration_ms": "DOUBLE", "status": "VARCHAR", "error_type": "VARCHAR",
                  "error_message": "VARCHAR", "reads": "VARCHAR[]", "writes": "VARCHAR[]",
                  "statements": "JSON", "capture_ms": "DOUBLE", "data": [DATA]},
    },
    migrations={
        1: """
        CREATE TABLE cells (
            event_id VARCHAR, run_id VARCHAR, seq INTEGER, cell_id VARCHAR,
            execution_count INTEGER, source VARCHAR, source_hash VARCHAR,
            started TIMESTAMP, duration_ms DOUBLE, status VARCHAR,
            error_type VARCHAR, error_message VARCHAR, reads VARCHAR[], writes VARCHAR[]);
        """,
        # 8: each cell's per-statement reads/writes/kills (JSON) and capture's own time
        8: """
        ALTER TABLE cells ADD COLUMN statements VARCHAR;
        ALTER TABLE cells ADD COLUMN capture_ms DOUBLE;
        """,
    },
    inserts=[
        f"""INSERT INTO cells BY NAME
        SELECT id AS event_id, run_id, seq, cell_id, execution_count, source, source_hash,
               coalesce({TS.format("started")}, ts) AS started, duration_ms, status,
               error_type, error_message, coalesce(reads, []) AS reads,
               coalesce(writes, []) AS writes, statements, capture_ms
        FROM {_CELL}""",
        f"""CREATE OR REPLACE TEMP TABLE _cell_data AS
        SELECT id, ts, run_id, d.*, coalesce(d.role, 'writes') IN ('read', 'reads') AS is_read
        FROM (SELECT id, ts, run_id, unnest(data) AS d FROM {_CELL})
        WHERE d.fingerprint IS NOT NULL""",
        new_datasets("_cell_data", _CELL),
        f"""-- from {_CELL}
        INSERT INTO lineage_edges
        SELECT CASE WHEN is_read THEN 'dataset' ELSE 'cell' END,
               CASE WHEN is_read THEN fingerprint ELSE id END,
               CASE WHEN is_read THEN 'cell' ELSE 'dataset' END,
               CASE WHEN is_read THEN id ELSE fingerprint END,
               CASE WHEN is_read THEN 'reads' ELSE 'writes' END, name, run_id, ts, id
        FROM _cell_data""",
    ],
)


# Reads

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
