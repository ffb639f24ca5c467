"""Reads of the models domain (gathered into :mod:`jupyter_mlops.store.queries`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import Store, db
from ..read import decode, frame, reading
from ..sql import latest

if TYPE_CHECKING:
    import duckdb


def alias_targets(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every current alias as ``{"name@alias": "name:version"}``."""
    return {f"{name}@{alias}": f"{name}:{version}" for name, alias, version
            in db.run(con, "SELECT name, alias, version FROM current_aliases")}


def models(store: Store) -> pd.DataFrame:
    """Every model version, newest first, with its metrics and current aliases."""
    with reading(store) as con:
        return frame(con, """
            SELECT v.name, v.version, list(c.alias ORDER BY c.alias)
                       FILTER (WHERE c.alias IS NOT NULL) AS aliases,
                   v.flavor, v.format, v.metrics, v.run_id, v.created, v."user", v.host,
                   (SELECT max(r.created) FROM retired_versions r
                    WHERE r.name = v.name AND r.version = v.version) AS retired
            FROM model_versions v
            LEFT JOIN current_aliases c ON c.name = v.name AND c.version = v.version
            GROUP BY ALL ORDER BY v.name, v.version DESC""")


def signatures(store: Store, name: str) -> dict[int, Any]:
    """The input signature each version of ``name`` was registered with (None: none)."""
    with reading(store) as con:
        return {int(v): decode(s) for v, s in db.run(
            con, "SELECT version, signature FROM model_versions WHERE name = ?", [name])}


def alias_history(store: Store, name: str) -> pd.DataFrame:
    """Who moved which alias of ``name`` when, from which version to which: ``set_by`` as
    the promoter named themselves, ``user`` and ``host`` the process that wrote it."""
    with reading(store) as con:
        return frame(con, """
            SELECT alias, previous, version, set_by, gate, created, "user", host FROM aliases
            WHERE name = ? ORDER BY event_id""", [name])


def next_version(con: duckdb.DuckDBPyConnection, name: str) -> int:
    """The number the next version of model ``name`` gets."""
    return 1 + int(db.scalar(con, "SELECT coalesce(max(version), 0) FROM model_versions "
                                  "WHERE name = ?", [name]) or 0)


def latest_version(con: duckdb.DuckDBPyConnection, name: str) -> int | None:
    """The newest version of model ``name`` that is not retired (None: it has none)."""
    found = db.scalar(con, """SELECT max(version) FROM model_versions v WHERE name = ?
                              AND NOT EXISTS (SELECT 1 FROM retired_versions r
                                              WHERE r.name = v.name AND r.version = v.version)""",
                      [name])
    return None if found is None else int(found)


def alias_version(con: duckdb.DuckDBPyConnection, name: str, alias: str) -> int | None:
    """The version ``name@alias`` points at now (None: no such alias)."""
    found = db.scalar(con, "SELECT version FROM current_aliases WHERE name = ? AND alias = ?",
                      [name, alias])
    return None if found is None else int(found)


def alias_state(con: duckdb.DuckDBPyConnection, name: str, alias: str
                ) -> tuple[int | None, str | None]:
    """The version ``name@alias`` points at now and the event id of its latest move (None,
    None: never set): a promotion gates on the one and orders its move after the other."""
    version, last = db.run(con, """SELECT (SELECT version FROM current_aliases
                                           WHERE name = $1 AND alias = $2),
                                          (SELECT max(event_id) FROM aliases
                                           WHERE name = $1 AND alias = $2)""",
                           [name, alias])[0]
    return (None if version is None else int(version)), (None if last is None else str(last))


def version_record(con: duckdb.DuckDBPyConnection, name: str, version: int
                   ) -> dict[str, Any] | None:
    """One version's row (metrics and params decoded) and its current aliases; None if the
    version does not exist."""
    rows = db.run(con, """SELECT run_id, artifact, format, flavor, metrics, params, signature,
                                 (SELECT max(created) FROM retired_versions r
                                  WHERE r.name = v.name AND r.version = v.version)
                          FROM model_versions v WHERE name = ? AND version = ?""",
                  [name, version])
    if not rows:
        return None
    run_id, artifact, format_, flavor, metrics, params, signature, retired = rows[0]
    aliases = [r[0] for r in db.run(con, """SELECT alias FROM current_aliases
                                             WHERE name = ? AND version = ? ORDER BY alias""",
                                    [name, version])]
    return {"run_id": run_id, "artifact": artifact, "format": format_, "flavor": flavor,
            "metrics": decode(metrics) or {}, "params": decode(params) or {},
            "aliases": aliases, "signature": decode(signature), "retired": retired}


def run_metrics(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, float]:
    """The latest value of each metric of a run."""
    return dict(db.run(con, latest("metrics"), [run_id]))
