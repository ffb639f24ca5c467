"""Reads of the drift domain (gathered into :mod:`jupyter_mlops.store.queries`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ...exceptions import BadReference, NotFound
from .. import Store, db
from ..read import decode, frame, reading

if TYPE_CHECKING:
    import duckdb


def profile_body(store: Store, key: str) -> str | None:
    """The JSON of the latest profile stored under this name or fingerprint."""
    return latest_body(store, "profiles", "fingerprint", key)


def latest_body(store: Store, table: str, other: str, key: str) -> str | None:
    """The latest ``body`` of ``table`` (profiles, contracts) whose name or ``other``
    column is ``key``."""
    with reading(store) as con:
        body = db.scalar(con, f"""
            SELECT body FROM {table} WHERE name = ? OR {other} = ?
            ORDER BY created DESC, event_id DESC LIMIT 1""", [key, key])
    return None if body is None else str(body)


def drift_reports(store: Store, limit: int = 50) -> pd.DataFrame:
    """Recent drift reports, newest first."""
    with reading(store) as con:
        return frame(con, """
            SELECT id, created, reference_name, reference, current, model, method,
                   n_reference, n_current, columns_compared, columns_drifted, share_drifted,
                   dataset_drift, run_id
            FROM drift_reports ORDER BY created DESC, id DESC LIMIT ?""", [int(limit)])


def _resolve_report(con: duckdb.DuckDBPyConnection, report_id: str | None) -> str:
    """The full id of a drift report from an id or unique prefix (None: the latest)."""
    if report_id is None:
        found = db.run(con, "SELECT id FROM drift_reports ORDER BY created DESC, id DESC "
                            "LIMIT 1")
        if not found:
            raise NotFound("no drift report saved yet: run mlops.drift(reference, current).")
        return str(found[0][0])
    found = db.run(con, "SELECT id FROM drift_reports WHERE starts_with(id, ?) LIMIT 2",
                   [report_id])
    if len(found) != 1:
        raise (BadReference if found else NotFound)(
            f"{'unknown' if not found else 'ambiguous'} drift report id {report_id!r}. "
            f"`jupyter mlops drift-reports` lists them.")
    return str(found[0][0])


def drift_columns(store: Store, report_id: str) -> pd.DataFrame:
    """The per-column rows of one drift report."""
    return drift_report(store, report_id)[1]


def drift_report(store: Store, report_id: str | None = None
                 ) -> tuple[dict[str, Any], pd.DataFrame]:
    """One drift report (id, unique prefix, or None for the latest): its header row, options
    decoded, and its per-column rows."""
    with reading(store) as con:
        full = _resolve_report(con, report_id)
        header = frame(con, "SELECT * FROM drift_reports WHERE id = ?", [full])
        columns = frame(con, "SELECT * EXCLUDE (report_id) FROM drift_columns "
                              "WHERE report_id = ?", [full])
    row = header.iloc[0].to_dict()
    row["options"] = decode(row["options"]) or {}
    return row, columns
