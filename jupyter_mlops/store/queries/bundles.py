"""Reads for packing a bundle (:mod:`jupyter_mlops.bundles`): what a run's or a model
version's lineage consists of, and which events a store has applied already."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import db
from .lineage import run_nodes

if TYPE_CHECKING:
    import duckdb

# Everything upstream of the seeds (UNION: each node once).
_UPSTREAM = """
WITH RECURSIVE walk(kind, id) AS (
    SELECT * FROM (VALUES {seeds}) AS seeds(kind, id)
    UNION
    SELECT e.src_kind, e.src_id
    FROM walk w JOIN lineage_edges e ON e.dst_kind = w.kind AND e.dst_id = w.id)
SELECT 'node', kind, id FROM walk
UNION
SELECT 'run', 'run', e.run_id FROM lineage_edges e
SEMI JOIN walk w ON e.dst_kind = w.kind AND e.dst_id = w.id
WHERE e.run_id IS NOT NULL
"""


def lineage_members(con: duckdb.DuckDBPyConnection, kind: str, id_: str
                    ) -> tuple[set[str], set[tuple[str, int]]]:
    """(run ids, (model, version)s) of the lineage of one node (``run`` or
    ``model_version``): the node, what it records (a run's cells, data, fits, versions) and
    everything upstream of those, with the runs that recorded each edge into them."""
    seeds = [(kind, id_), *(run_nodes(con, id_).get(id_, []) if kind == "run" else [])]
    placeholders = ", ".join(["(?, ?)"] * len(seeds))  # bound values, never SQL text
    found = db.run(con, _UPSTREAM.format(seeds=placeholders),
                   [value for seed in seeds for value in seed])
    runs = {i for _, k, i in found if k == "run"}
    versions = set()
    for _, k, i in found:
        if k == "model_version":
            name, _, number = i.rpartition(":")
            versions.add((name, int(number)))
    return runs, versions


def known_events(con: duckdb.DuckDBPyConnection, ids: list[str]) -> set[str]:
    """Those of ``ids`` the store has applied already."""
    return {i for (i,) in db.run(
        con, "SELECT id FROM event_log WHERE id IN (SELECT unnest(CAST(? AS VARCHAR[])))",
        [ids])}
