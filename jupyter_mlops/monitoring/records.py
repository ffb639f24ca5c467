"""Profiles and drift reports in the store: written as events, read back through queries."""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np
import pandas as pd

from .. import events as ev
from ..exceptions import StoreError
from ..tracking import tracker
from .profiles import CATEGORICAL_MAX_UNIQUE, Profile, build_profile
from .report import DriftReport


def profile(data: Any, name: str | None = None, *,
            max_unique: int = CATEGORICAL_MAX_UNIQUE, save: bool = True) -> Profile:
    """Profile ``data`` as a drift reference; stored (keyed by its fingerprint) unless told
    not. ``data``: a pandas DataFrame (exact), a Parquet file or folder or a DuckDB
    relation (scanned out of core by DuckDB), or a Dask DataFrame (per partition, merged).

    Scoring against the stored profile later never needs ``data`` itself.
    """
    built = _build(data, name, max_unique)
    if save:
        t = tracker()
        schema = {c.name: c.kind for c in built.columns.values()}
        if isinstance(data, pd.DataFrame):
            schema = {str(c): str(d) for c, d in data.dtypes.items()}
        t.emit(ev.PROFILE, {"run_id": t.run_id, "fingerprint": built.fingerprint, "name": name,
                            "rows": built.rows, "profile": built.to_dict(),
                            "shape": [built.rows, len(built.columns)], "schema": schema})
    return built


def _build(data: Any, name: str | None, max_unique: int) -> Profile:
    """The profile of whichever kind of data was given."""
    from . import profile_scale as scale

    if isinstance(data, pd.DataFrame):
        if data.empty:
            raise ValueError("the DataFrame has no rows: nothing to profile")
        return build_profile(data, name=name, max_unique=max_unique)
    if isinstance(data, (str, os.PathLike)):
        return scale.profile_parquet(data, name=name, max_unique=max_unique)
    kind = type(data).__module__.split(".")[0]
    if kind == "duckdb":
        return scale.profile_relation(data, name=name, max_unique=max_unique)
    if kind == "dask":
        return scale.profile_dask(data, name=name, max_unique=max_unique)
    raise TypeError(f"profile() takes a pandas DataFrame, a Parquet file or folder, a DuckDB "
                    f"relation or a Dask DataFrame, not {type(data).__name__}")


def load_profile(key: str) -> Profile:
    """The latest stored profile with this name or fingerprint."""
    from ..store import queries

    body = queries.profile_body(tracker().store, key)
    if body is None:
        raise StoreError(f"no stored profile named {key!r}. Create one with "
                         f"mlops.profile(reference_df, name={key!r}).")
    return Profile.from_dict(json.loads(body))


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become None, numpy scalars plain numbers."""
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, (np.integer, np.bool_)):
        return value.item()
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def _model_version(t: Any, ref: str | None) -> str | None:
    """``churn@champion`` as the version it points at now (``churn:3``), for lineage."""
    if ref is None:
        return None
    from ..registry import resolve

    try:
        version = resolve(t.store, ref)
    except StoreError:
        return ref  # not registered (yet): keep the reference as given
    return f"{version.name}:{version.version}"


def save_report(report: DriftReport) -> None:
    """Record the report, its per-column rows and its lineage (datasets, model version)."""
    t = tracker()
    rows = []
    for r in report.rows:
        row = {k: v for k, v in r.items() if not k.startswith("_")}
        row["detail"] = r.get("_hist")
        rows.append(_clean(row))
    event = ev.Event(ev.DRIFT_REPORT, {
        "run_id": t.run_id, "reference": report.reference, "current": report.current,
        "reference_name": report.reference_name, "model": _model_version(t, report.model),
        "method": report.method, "n_reference": report.n_reference,
        "n_current": report.n_current, "share_drifted": report.share_drifted,
        "dataset_drift": report.dataset_drift, "columns_compared": len(report.compared),
        "columns_drifted": len(report.drifted_columns), "options": _clean(report.options),
        "columns": rows,
    })
    report.id = event.id
    try:
        t.writer.append(event)
    except (StoreError, OSError) as e:
        raise StoreError(f"the drift report was computed but not saved: {e}") from None


def load_report(report_id: str | None = None) -> DriftReport:
    """A saved drift report (the latest when no id is given), as :func:`drift` returned it:
    per-column rows with their histograms, so it displays and summarizes the same."""
    from ..store import queries
    from .report import COLUMNS

    store = tracker().store
    row, frame = queries.drift_report(store, report_id)
    frame = frame.rename(columns={"column_name": "column"})
    rows = []
    for r in frame.to_dict("records"):
        found = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()
                 if k in COLUMNS}
        for k in ("new_categories", "vanished_categories"):
            value = found.get(k)
            found[k] = None if value is None else list(value)
        found["_hist"] = json.loads(r["detail"]) if r.get("detail") else None
        rows.append(found)
    return DriftReport(rows, float(row["options"].get("share", 0.5)), row["method"],
                       int(row["n_reference"]), int(row["n_current"]),
                       reference_source=row["reference"], current_source=row["current"],
                       reference_name=row["reference_name"], model=row["model"], id=row["id"],
                       options=row["options"])
