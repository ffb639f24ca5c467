"""Cells and capture: each executed cell, and the data it read and wrote (datasets and
their lineage edges)."""

from __future__ import annotations

from ... import events as ev
from .base import TS, Domain, events_table

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
