"""Reads of the performance domain (gathered into :mod:`jupyter_mlops.store.queries`)."""

from __future__ import annotations

import pandas as pd

from .. import Store, db
from ..read import frame, reading

#: Columns of :func:`performance_history`, in order (described in store/ask.py's FRAMES).
HISTORY = ["model", "batch", "metric", "created", "n", "estimated", "ci_low", "ci_high",
           "realized", "realized_at", "confidence", "event_id"]


def performance_reference(store: Store, model: str) -> tuple[str, str] | None:
    """(event id, JSON body) of the latest calibration stored for ``model``, if any."""
    with reading(store) as con:
        found = db.run(con, """
            SELECT id, body FROM performance_references WHERE model = ?
            ORDER BY created DESC, id DESC LIMIT 1""", [model])
    return (str(found[0][0]), str(found[0][1])) if found else None


def performance_history(store: Store, model: str | None = None, metric: str | None = None,
                        limit: int | None = None) -> pd.DataFrame:
    """One row per batch and metric, oldest first (the last ``limit`` batches): the first
    estimate made for the batch (before its labels, when they came later) and the latest
    realized value. ``model``: ``name:3`` exactly, or ``name`` for all its versions."""
    with reading(store) as con:
        return frame(con, """
            WITH found AS (
                SELECT model, coalesce(batch, event_id) AS batch, metric,
                       min(created) AS created, arg_min(n, created) AS n,
                       arg_min(estimated, created) AS estimated,
                       arg_min(ci_low, created) AS ci_low, arg_min(ci_high, created) AS ci_high,
                       arg_max(realized, created) FILTER (WHERE realized IS NOT NULL)
                           AS realized,
                       max(created) FILTER (WHERE realized IS NOT NULL) AS realized_at,
                       arg_min(confidence, created) AS confidence,
                       arg_min(event_id, created) AS event_id
                FROM performance
                WHERE (CAST(? AS VARCHAR) IS NULL OR model = ? OR starts_with(model, ? || ':'))
                  AND (CAST(? AS VARCHAR) IS NULL OR metric = ?)
                GROUP BY ALL)
            , batches AS (
                SELECT model, batch, row_number() OVER (
                    ORDER BY min(created) DESC, model, batch) AS age
                FROM found GROUP BY model, batch)
            SELECT found.* FROM found JOIN batches USING (model, batch)
            WHERE CAST(? AS BIGINT) IS NULL OR age <= ?
            ORDER BY created, model, batch, metric""",
                     [model, model, model, metric, metric, limit, limit])[HISTORY]
