"""Query results as JSON values in the REST vocabulary: timestamps in ISO 8601 with their UTC
offset, null for NaN/NaT/infinity, plain numbers, and the shared names (docs/rest.md)."""

from __future__ import annotations

import math
from datetime import date, datetime, timezone
from typing import Any

import numpy as np
import pandas as pd


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A DataFrame as a list of JSON objects (floats exact, unlike ``to_json``)."""
    found: list[dict[str, Any]] = jsonable(frame.to_dict(orient="records"))
    return found


def timestamp(value: datetime) -> str:
    """``2026-11-29T18:00:00.123456+00:00``: every instant the API answers, in UTC. The store
    records UTC, so a naive value (a DuckDB ``TIMESTAMP``) is UTC; an aware one is converted."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds")


def jsonable(value: Any) -> Any:
    """``value`` with everything JSON cannot say strictly turned into what it can."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
