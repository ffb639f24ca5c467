"""The provenance graph: what a model version came from, what depends on a dataset, and the
minimal slice of cells that reproduces a model.

Nodes are ``(kind, id)``: ``dataset`` (fingerprint), ``cell`` (its event id, or ``RUN/SEQ``
as a user names it), ``fit``, ``run``, ``model_version`` (``name:version``), ``alias``
(``name@alias``), ``drift_report``. Walks are recursive CTEs over the ``lineage`` view; a
run's walk starts from everything recorded in it (no edge links a run to its cells).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .exceptions import StoreError
from .store import queries
from .store.queries.lineage import all_edges, edges_among, reachable_edges
from .store.queries.lineage import describe as describe_nodes
from .tracking import tracker

_COLUMNS = ["kind", "id", "depth", "relation", "via_kind", "via_id"]


def node(ref: Any) -> tuple[str, str]:
    """A graph node from what a user has at hand: ``"churn@champion"``, ``"churn:3"``,
    a DataFrame or array (its fingerprint), a run id, a cell as ``"RUN/SEQ"``, or an
    explicit ``(kind, id)``."""
    if isinstance(ref, tuple) and len(ref) == 2:
        return str(ref[0]), str(ref[1])
    if not isinstance(ref, str):
        from .capture.fingerprint import fingerprint

        return "dataset", fingerprint(ref)
    from .registry import model_ref, resolve

    if model_ref(ref) is not None:
        version = resolve(tracker().store, ref)
        return "model_version", f"{version.name}:{version.version}"
    with queries.reading(tracker().store) as con:
        if "/" in ref:
            return "cell", queries.resolve_cell(con, ref)[0]
        return "run", queries.resolve_run(con, ref)


def _levels(con: Any, start: tuple[str, str], direction: str, depth: int
            ) -> list[tuple[str, str, int, str, str, str]]:
    """(kind, id, depth, relation, via_kind, via_id) of each node reached from ``start``."""
    members = queries.run_nodes(con, start[1]).get(start[1], []) if start[0] == "run" else []
    edges = reachable_edges(con, [start, *members], direction)
    return _bfs(_onward(edges), start, depth, members)


Onward = dict[tuple[str, str], list[tuple[str, str, str]]]


def _onward(edges: Any) -> Onward:
    """(from kind, from id) -> [(to kind, to id, relation)], in a stable order."""
    onward: Onward = {}
    for from_kind, from_id, to_kind, to_id, relation in sorted(edges, key=str):
        onward.setdefault((from_kind, from_id), []).append((to_kind, to_id, relation))
    return onward


def _bfs(onward: Onward, start: tuple[str, str], depth: int,
         members: list[tuple[str, str]] | None = None
         ) -> list[tuple[str, str, int, str, str, str]]:
    """Breadth-first from ``start``: each node once, at its distance, with the edge it was
    first reached by. A run reaches the ``members`` recorded in it first (``recorded_in``)."""
    seen, rows, frontier = {start}, [], [start]
    first = [(kind, id_, "recorded_in") for kind, id_ in members or ()]
    for level in range(1, depth + 1):
        reached = []
        for here in frontier:
            steps = onward.get(here, ())
            for to_kind, to_id, relation in (first + list(steps) if here == start else steps):
                if (to_kind, to_id) not in seen:
                    seen.add((to_kind, to_id))
                    reached.append((to_kind, to_id))
                    rows.append((to_kind, to_id, level, relation, *here))
        if not reached:
            break
        frontier = reached
    return rows


def _walk(ref: Any, direction: str, depth: int) -> pd.DataFrame:
    start = node(ref)
    with queries.reading(tracker().store) as con:
        return pd.DataFrame(_levels(con, start, direction, depth), columns=_COLUMNS)


def ancestors(ref: Any, depth: int = 50) -> pd.DataFrame:
    """Everything ``ref`` came from (data, cells, fits, runs), nearest first."""
    return _walk(ref, "up", depth)


def descendants(ref: Any = None, *, dataset: Any = None, depth: int = 50) -> pd.DataFrame:
    """Everything derived from ``ref`` (or ``dataset=df``): cells, fits, versions, reports."""
    return _walk(dataset if dataset is not None else ref, "down", depth)


def path(source: Any, target: Any) -> pd.DataFrame:
    """The shortest chain of edges leading from ``source`` down to ``target`` (empty if
    ``target`` does not derive from ``source``)."""
    start, goal = node(source), node(target)
    reached = descendants(start, depth=10_000)
    via = {(r.kind, r.id): (r.via_kind, r.via_id, r.relation) for r in reached.itertuples()}
    steps, here = [], goal
    while here in via:
        via_kind, via_id, relation = via[here]
        steps.append({"src_kind": via_kind, "src_id": via_id, "relation": relation,
                      "dst_kind": here[0], "dst_id": here[1]})
        here = (via_kind, via_id)
    if here != start:
        steps = []
    return pd.DataFrame(steps[::-1], columns=["src_kind", "src_id", "relation", "dst_kind",
                                              "dst_id"])


def graph(ref: Any, depth: int = 50) -> dict[str, Any]:
    """Ancestors and descendants as JSON ``{"nodes": [...], "edges": [...]}`` (no networkx):
    every recorded edge between the nodes reached, each node with its signed distance and
    its label."""
    start = node(ref)
    with queries.reading(tracker().store) as con:
        found = graph_on(con, start, depth)
        return labelled(found, queries.node_labels(con, [(n["kind"], n["id"])
                                                         for n in found["nodes"]]))


def labelled(found: dict[str, Any], labels: Mapping[tuple[str, str], str | None]
             ) -> dict[str, Any]:
    """``found``'s nodes with what a person reads (a run's name, ``#4 model.fit(X, y)``), a
    node without a label by its short id: raw ids stay in ``id``."""
    for n in found["nodes"]:
        n["label"] = labels.get((n["kind"], n["id"])) or (
            n["id"] if len(n["id"]) <= 24 else n["id"][:12] + "…")
    return found


def graph_on(con: Any, start: tuple[str, str], depth: int = 50,
             direction: str = "both") -> dict[str, Any]:
    """:func:`graph` on an open connection, up, down or both ways from a resolved node."""
    nodes = {start: 0}
    for way, sign in (("up", -1), ("down", 1)):
        if direction in (way, "both"):
            for kind, id_, level, *_ in _levels(con, start, way, depth):
                nodes.setdefault((kind, id_), sign * level)
    return _graph_json(nodes, edges_among(con, list(nodes)))


def _graph_json(nodes: dict[tuple[str, str], int], edges: list[Any]) -> dict[str, Any]:
    return {"nodes": [{"kind": k, "id": i, "depth": d} for (k, i), d in nodes.items()],
            "edges": [{"source": [sk, si], "target": [dk, di], "relation": rel}
                      for sk, si, dk, di, rel in edges]}


class EdgeIndex:
    """Every lineage edge in memory, for a server that answers many walks on one state of
    the store: a walk then costs microseconds instead of a DuckDB open and four queries."""

    def __init__(self, edges: list[tuple[str, str, str, str, str]],
                 members: dict[str, list[tuple[str, str]]] | None = None) -> None:
        self.edges = edges
        self.members = members or {}
        self.down = _onward(edges)
        self.up = _onward((dk, di, sk, si, rel) for sk, si, dk, di, rel in edges)

    @classmethod
    def load(cls, con: Any) -> EdgeIndex:
        return cls(all_edges(con), queries.run_nodes(con))

    def __contains__(self, node: tuple[str, str]) -> bool:
        return node in self.down or node in self.up

    def graph(self, start: tuple[str, str], depth: int = 50,
              direction: str = "both") -> dict[str, Any]:
        """What :func:`graph_on` answers, from memory."""
        nodes = {start: 0}
        members = self.members.get(start[1], []) if start[0] == "run" else []
        for onward, way, sign in ((self.up, "up", -1), (self.down, "down", 1)):
            if direction in (way, "both"):
                for kind, id_, level, *_ in _bfs(onward, start, depth, members):
                    nodes.setdefault((kind, id_), sign * level)
        edges = sorted({(*here, to_kind, to_id, relation) for here in nodes
                        for to_kind, to_id, relation in self.down.get(here, ())
                        if (to_kind, to_id) in nodes})
        return _graph_json(nodes, edges)


def slice(ref: Any) -> pd.DataFrame:
    """The minimal ordered cells a cell (``"RUN/SEQ"``), a model version or a run's last fit
    depends on, ending with that cell: what turns a session into a job
    (``docs/dataflow.md``, "Slices")."""
    kind, id_ = node(ref)
    with queries.reading(tracker().store) as con:
        if kind == "cell":
            run_id, seq = queries.cell_position(con, id_)
        else:
            found = queries.fit_cell(con, kind, id_)
            if found is None:
                raise StoreError(f"no recorded fit for {id_}: the slice follows the cell that "
                                 f"called fit, which autolog records (it was off?)")
            run_id, seq = found
        cells = queries.dataflow_cells(con, run_id, seq)
    if cells.empty or cells.seq.iloc[-1] != seq:
        raise StoreError(f"cell {seq} of run {run_id[:12]} did not run successfully: slice a "
                         f"cell that did (`jupyter mlops cells {run_id[:12]}` lists them)")
    keep = slice_rows(cells)
    return cells.loc[keep].drop(columns="statements").reset_index(drop=True)


def slice_rows(cells: pd.DataFrame) -> list[int]:
    """Walking back from the last cell: keep a cell that writes a needed name; then its reads
    are needed and the names it certainly rebinds are not needed before it."""
    rows = list(cells.itertuples())
    needed = set(rows[-1].reads)
    keep = [rows[-1].Index]
    for row in reversed(rows[:-1]):
        if needed.isdisjoint(row.writes):
            continue
        keep.append(row.Index)
        needed = (needed - _kills(row)) | set(row.reads)
    return keep[::-1]


def _kills(row: Any) -> set[str]:
    """What a cell certainly rebinds: its statements' kills; a cell recorded before
    statements were counts all its writes (the rule of the time)."""
    if not isinstance(row.statements, str):
        return set(row.writes)
    return {name for stmt in json.loads(row.statements) for name in stmt["kills"]}


def describe(nodes: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """What each node is (a cell's source and run, a dataset's shape and name, a version's
    metrics…), keyed by node; kinds without a table (aliases) are absent."""
    wanted: dict[str, list[str]] = {}
    for kind, id_ in nodes:
        wanted.setdefault(kind, []).append(id_)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    with queries.reading(tracker().store) as con:
        for kind, ids in wanted.items():
            for key, row in describe_nodes(con, kind, ids).items():
                found[(kind, key)] = row
    return found
