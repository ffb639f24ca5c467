"""A layered layout for the lineage graph: one column per kind of node, read left to right
as data → cells → fits → run → model version → alias, reports.

Columns taller than :data:`MAX_ROWS` wrap into side-by-side sub-columns, so 200 nodes still
fit a screen; past ``max_nodes`` the cells fold into their run (one node with a count),
which keeps a long session's graph to its data, runs and models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Left-to-right order of the node kinds; kinds not listed go into the last column.
LAYERS = ("dataset", "cell", "fit", "run", "model_version", "alias", "drift_report")
MAX_ROWS = 30
NODE_W, NODE_H, ROW_H, COL_GAP, SUB_GAP, MARGIN = 150, 20, 26, 70, 12, 10
#: Ordering sweeps (barycenter): enough to untangle what a notebook produces.
SWEEPS = 4


def key(kind: str, id_: str) -> str:
    """A node's key in the layout and the live view (kinds contain no ``/``)."""
    return f"{kind}/{id_}"


@dataclass
class Layout:
    nodes: list[dict[str, Any]]  # key, kind, id, label, x, y (top-left)
    edges: list[dict[str, Any]]  # source, target (keys), relation
    width: float
    height: float
    collapsed: int = 0  # cells folded into their runs
    extra: dict[str, Any] = field(default_factory=dict)


def collapse_cells(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]
                   ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """Fold every cell into its run: edges to or from a cell go to or from the run."""
    into: dict[str, str] = {}
    counts: dict[str, int] = {}
    kept = [n for n in nodes if n["kind"] != "cell"]
    have = {n["key"] for n in kept}
    for n in nodes:
        if n["kind"] == "cell" and n.get("run"):
            run_key = key("run", n["run"])
            into[n["key"]] = run_key
            counts[run_key] = counts.get(run_key, 0) + 1
            if run_key not in have:
                have.add(run_key)
                kept.append({"key": run_key, "kind": "run", "id": n["run"],
                             "label": f"run {n['run'][:8]}"})
    for n in kept:
        if n["key"] in counts:
            n["label"] = f"{n['label']} ({counts[n['key']]} cells)"
    seen, moved = set(), []
    for e in edges:
        s, t = into.get(e["source"], e["source"]), into.get(e["target"], e["target"])
        if s != t and s in have and t in have and (s, t, e["relation"]) not in seen:
            seen.add((s, t, e["relation"]))
            moved.append({**e, "source": s, "target": t})
    return kept, moved, len(into)


def _layer(kind: str) -> int:
    return LAYERS.index(kind) if kind in LAYERS else len(LAYERS) - 1


def _order(columns: list[list[dict[str, Any]]], edges: list[dict[str, Any]]) -> None:
    """Barycenter sweeps: each column sorted by the mean row of its neighbours."""
    near: dict[str, list[str]] = {}
    for e in edges:
        near.setdefault(e["source"], []).append(e["target"])
        near.setdefault(e["target"], []).append(e["source"])
    for sweep in range(SWEEPS):
        row = {n["key"]: i for col in columns for i, n in enumerate(col)}
        sequence = columns if sweep % 2 == 0 else columns[::-1]
        for col in sequence:
            def center(n: dict[str, Any], row: dict[str, int] = row) -> tuple[float, str]:
                seen = [row[k] for k in near.get(n["key"], ()) if k in row]
                return (sum(seen) / len(seen) if seen else row[n["key"]], n["sort"])
            col.sort(key=center)
            row.update({n["key"]: i for i, n in enumerate(col)})


def layout(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], *,
           max_nodes: int = 200) -> Layout:
    """Positions for ``nodes`` (dicts with key, kind, id, label, optional run and sort)."""
    collapsed = 0
    if len(nodes) > max_nodes:
        nodes, edges, collapsed = collapse_cells(nodes, edges)
    used = sorted({_layer(n["kind"]) for n in nodes})
    columns: list[list[dict[str, Any]]] = [[] for _ in used]
    for n in nodes:
        n.setdefault("sort", n["label"])
        columns[used.index(_layer(n["kind"]))].append(n)
    for col in columns:
        col.sort(key=lambda n: n["sort"])
    _order(columns, edges)
    x, height = MARGIN, 0.0
    for col in columns:
        subs = -(-len(col) // MAX_ROWS)
        rows = -(-len(col) // subs)
        for i, n in enumerate(col):
            n["x"] = x + (i // rows) * (NODE_W + SUB_GAP)
            n["y"] = MARGIN + (i % rows) * ROW_H
        x += subs * (NODE_W + SUB_GAP) - SUB_GAP + COL_GAP
        height = max(height, MARGIN + rows * ROW_H)
    for n in nodes:
        n.pop("sort", None)
    return Layout(nodes, edges, x - COL_GAP + MARGIN, height + MARGIN, collapsed)
