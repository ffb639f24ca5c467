"""Reads of the scoring domain: scored batches, and the realized metrics of each version per
batch (what history gates compare)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import Store, db
from ..read import decode, frame, reading

if TYPE_CHECKING:
    import duckdb


def score_batches(store: Store, name: str | None = None) -> pd.DataFrame:
    """Every scored batch (of model ``name``, or all), newest first."""
    with reading(store) as con:
        return frame(con, """
            SELECT batch_id, name, version, input, input_fingerprint, output,
                   output_fingerprint, rows, chunks, versions, duration_s, warnings, run_id,
                   created
            FROM score_batches WHERE ? IS NULL OR name = ? ORDER BY event_id DESC""",
                     [name, name])


def score_batch(con: duckdb.DuckDBPyConnection, batch_id: str) -> dict[str, Any] | None:
    """One scored batch: its model, rows and the versions that took part (None: unknown)."""
    rows = db.run(con, """SELECT batch_id, name, version, rows, versions, input_fingerprint
                          FROM score_batches WHERE batch_id = ?""", [batch_id])
    if not rows:
        return None
    batch_id, name, version, count, versions, fingerprint = rows[0]
    return {"batch_id": batch_id, "name": name, "version": version, "rows": count,
            "versions": decode(versions) or [], "input_fingerprint": fingerprint}


def batch_metrics(store: Store, name: str | None = None) -> pd.DataFrame:
    """Realized metrics per labeled batch and version (of model ``name``, or all), one row
    per metric, newest batch first."""
    with reading(store) as con:
        return frame(con, """
            SELECT m.batch_id, m.name, m.version, m.role, k.key AS metric,
                   CAST(k.value AS DOUBLE) AS value, m.rows, b.created AS scored, m.created
            FROM batch_metrics m
            JOIN score_batches b USING (batch_id),
                 json_each(m.metrics) k
            WHERE ? IS NULL OR m.name = ?
            ORDER BY b.event_id DESC, m.version""", [name, name])


def metric_history(con: duckdb.DuckDBPyConnection, name: str, metric: str,
                   versions: list[int]) -> list[tuple[str, dict[int, float]]]:
    """``metric`` of each of ``versions`` per labeled batch of model ``name``, newest batch
    first: [(batch_id, {version: value})] (a version without the metric in a batch is
    absent from its mapping; the latest labeling of a batch wins)."""
    found = db.run(con, """
        SELECT m.batch_id, m.version, arg_max(CAST(m.metrics ->> ? AS DOUBLE), m.event_id)
        FROM batch_metrics m JOIN score_batches b USING (batch_id)
        WHERE m.name = ? AND list_contains(?, m.version) AND m.metrics ->> ? IS NOT NULL
        GROUP BY m.batch_id, m.version
        ORDER BY max(b.event_id) DESC""", [metric, name, versions, metric])
    history: dict[str, dict[int, float]] = {}
    for batch_id, version, value in found:
        history.setdefault(batch_id, {})[int(version)] = float(value)
    return list(history.items())
