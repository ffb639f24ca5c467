"""Reads of the lineage domain (gathered into :mod:`jupyter_mlops.store.queries`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import db, names

if TYPE_CHECKING:
    import duckdb


def fit_cell(con: duckdb.DuckDBPyConnection, kind: str, id_: str) -> tuple[str, int] | None:
    """(run id, seq) of the cell whose fit produced a model version, or of a run's last
    fit."""
    found = db.run(con, """
        SELECT f.run_id, f.seq FROM lineage l JOIN fits f ON f.id = l.src_id
        WHERE l.src_kind = 'fit' AND l.dst_kind = ? AND l.dst_id = ?
        ORDER BY f.id DESC LIMIT 1""", [kind, id_]) if kind != "run" else db.run(
        con, "SELECT run_id, seq FROM fits WHERE run_id = ? AND seq IS NOT NULL "
             "ORDER BY id DESC LIMIT 1", [id_])
    return (found[0][0], found[0][1]) if found else None


def run_nodes(con: duckdb.DuckDBPyConnection, run_id: str | None = None
              ) -> dict[str, list[tuple[str, str]]]:
    """run id -> every graph node an edge recorded in that run touches (its cells, the data
    they read and wrote, its fits, the versions it produced); one run, or all."""
    found = db.run(con, """
        SELECT DISTINCT run_id, kind, id FROM (
            SELECT run_id, src_kind AS kind, src_id AS id FROM lineage_edges
            UNION ALL
            SELECT run_id, dst_kind, dst_id FROM lineage_edges)
        WHERE run_id IS NOT NULL AND coalesce(run_id = ?, true)
          AND NOT (kind = 'run' AND id = run_id)
        ORDER BY run_id, kind, id""", [run_id])
    out: dict[str, list[tuple[str, str]]] = {}
    for run, kind, id_ in found:
        out.setdefault(run, []).append((kind, id_))
    return out


# The reachable set (UNION makes it a set: each node once), then every edge among it in the
# walk's direction; distances and the edge each node was reached by are a BFS in Python.
_WALK = """
WITH RECURSIVE walk(kind, id) AS (
    SELECT * FROM (VALUES {seeds}) AS seeds(kind, id)
    UNION
    SELECT l.{next_kind}, l.{next_id}
    FROM walk w JOIN lineage l ON l.{this_kind} = w.kind AND l.{this_id} = w.id)
SELECT DISTINCT l.{this_kind}, l.{this_id}, l.{next_kind}, l.{next_id}, l.relation
FROM lineage l
SEMI JOIN walk a ON a.kind = l.{this_kind} AND a.id = l.{this_id}
"""
_SIDES = {"up": dict(next_kind="src_kind", next_id="src_id", this_kind="dst_kind",
                     this_id="dst_id"),
          "down": dict(next_kind="dst_kind", next_id="dst_id", this_kind="src_kind",
                       this_id="src_id")}


def reachable_edges(con: duckdb.DuckDBPyConnection, seeds: list[tuple[str, str]],
                    direction: str) -> list[tuple[Any, ...]]:
    """Every edge among the nodes reachable from ``seeds`` going ``up`` or ``down``, as
    (this kind, this id, next kind, next id, relation)."""
    placeholders = ", ".join(["(?, ?)"] * len(seeds))  # bound values, never SQL text
    return db.run(con, _WALK.format(seeds=placeholders, **_SIDES[direction]),
                  [value for seed in seeds for value in seed])


def edges_among(con: duckdb.DuckDBPyConnection, nodes: list[tuple[str, str]]
                ) -> list[tuple[Any, ...]]:
    """Every recorded edge whose two ends are both among ``nodes``, sorted."""
    con.register("_reached", pd.DataFrame(nodes, columns=["kind", "id"]))
    try:
        return db.run(con, """
            SELECT DISTINCT l.src_kind, l.src_id, l.dst_kind, l.dst_id, l.relation
            FROM lineage l
            SEMI JOIN _reached s ON s.kind = l.src_kind AND s.id = l.src_id
            SEMI JOIN _reached d ON d.kind = l.dst_kind AND d.id = l.dst_id
            ORDER BY ALL""")
    finally:
        con.unregister("_reached")


def all_edges(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str, str]]:
    """Every edge of the graph, once."""
    return [(a, b, c, d, e) for a, b, c, d, e in db.run(
        con, "SELECT DISTINCT src_kind, src_id, dst_kind, dst_id, relation FROM lineage")]


# What a graph node is, per kind: one parameterized query over the ids of that kind.
_DESCRIBE = {
    "dataset": """SELECT d.fingerprint, d.kind, d.shape, d.nbytes, d.first_seen,
                         (SELECT min(e.name) FROM lineage_edges e WHERE e.name IS NOT NULL
                            AND e.relation IN ('reads', 'writes')
                            AND (e.src_id = d.fingerprint OR e.dst_id = d.fingerprint)) AS name
                  FROM datasets d WHERE list_contains(?, d.fingerprint)""",
    "cell": """SELECT event_id, run_id, seq, execution_count, cell_id, status, duration_ms,
                      source FROM cells WHERE list_contains(?, event_id)""",
    "fit": """SELECT id, run_id, estimator, method, duration_ms, created FROM fits
              WHERE list_contains(?, id)""",
    "run": """SELECT id, name, experiment, kind, status, started, ended, notebook FROM runs
              WHERE list_contains(?, id)""",
    "model_version": """SELECT concat(name, ':', version), name, version, flavor, metrics,
                               run_id, created FROM model_versions
                        WHERE list_contains(?, concat(name, ':', version))""",
    "drift_report": """SELECT id, reference_name, columns_compared, columns_drifted,
                              share_drifted, dataset_drift, model, created FROM drift_reports
                       WHERE list_contains(?, id)""",
}


def describe(con: duckdb.DuckDBPyConnection, kind: str, ids: list[str]
             ) -> dict[str, dict[str, Any]]:
    """id -> what each node of ``kind`` among ``ids`` is (kinds without a table: none)."""
    if kind not in _DESCRIBE:
        return {}
    cursor = con.execute(_DESCRIBE[kind], [ids])
    names = [c[0] for c in cursor.description]
    return {str(row[0]): dict(zip(names[1:], row[1:], strict=True))
            for row in cursor.fetchall()}



def _label(kind: str, row: dict[str, Any], aliases: list[str]) -> str | None:
    """One described node's label (see :func:`node_labels`)."""
    if kind == "run":
        return str(row["name"]) if row["name"] else None
    if kind == "cell":
        return names.cell_label(row["seq"], row["source"])
    if kind == "dataset":
        return names.dataset_label(row["name"], row["kind"], row["shape"])
    if kind == "model_version":
        return names.version_label(row["name"], row["version"], aliases)
    if kind == "fit":
        return f"fit {row['estimator'] or ''}".rstrip()
    if kind == "drift_report":
        return f"drift vs {row['reference_name'] or 'reference'}"
    return None


def node_labels(con: duckdb.DuckDBPyConnection, nodes: list[tuple[str, str]]
                ) -> dict[tuple[str, str], str]:
    """What a person reads for each node (see :mod:`..names`): a run's name, a cell's
    ``#seq`` and first line, a dataset's variable, kind and shape, a version with its
    aliases, a fit's estimator; a node of no known kind is absent."""
    wanted: dict[str, list[str]] = {}
    for kind, id_ in nodes:
        wanted.setdefault(kind, []).append(id_)
    aliases: dict[str, list[str]] = {}
    if "model_version" in wanted:
        for name, alias, version in db.run(con, "SELECT name, alias, version FROM "
                                                "current_aliases ORDER BY alias"):
            aliases.setdefault(f"{name}:{version}", []).append(alias)
    found: dict[tuple[str, str], str] = {}
    for kind, ids in wanted.items():
        for id_, row in describe(con, kind, ids).items():
            label = _label(kind, row, aliases.get(id_, []))
            if label:
                found[(kind, id_)] = label
    return found
