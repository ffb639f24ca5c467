"""The provenance graph of a model version (or run, or DataFrame) as a layered SVG; click a
node to see what it is."""

from __future__ import annotations

import json
from typing import Any

from .. import lineage
from ..store import Store
from . import static
from .base import Panel
from .layout import NODE_H, NODE_W, Layout, key, layout

KIND_COLORS = {"dataset": "#e8f1fa", "cell": "#f4f4f4", "fit": "#fff4e0", "run": "#e9f6ec",
               "model_version": "#fde9ec", "alias": "#f3e8fb", "drift_report": "#fff9d6"}
LABEL_CHARS = 24


def label(kind: str, id_: str, about: dict[str, Any]) -> str:
    """A node's one-line name: what a person would call it."""
    if kind == "dataset":
        shape = "×".join(str(s) for s in about.get("shape") or [])
        return f"{about.get('name') or 'data'} {shape} {id_[:6]}".strip()
    if kind == "cell":
        first = next((ln for ln in (about.get("source") or "").splitlines() if ln.strip()), "")
        return f"[{about.get('execution_count') or ' '}] {first.strip()}"
    if kind == "fit":
        return f"fit {about.get('estimator') or id_[:8]}"
    if kind == "run":
        return f"run {id_[:8]} {about.get('experiment') or ''}".strip()
    if kind == "drift_report" and about:
        return (f"drift {about.get('columns_drifted')}/{about.get('columns_compared')}"
                f"{' DRIFT' if about.get('dataset_drift') else ''}")
    return id_


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


class LineagePanel(Panel):
    def __init__(self, ref: Any, store: Store | None = None, *, depth: int = 50,
                 max_nodes: int = 200) -> None:
        super().__init__(store)
        self.ref, self.depth, self.max_nodes = ref, depth, max_nodes
        self.start = ""
        self.selected: str | None = None
        self.details: dict[str, dict[str, Any]] = {}
        self.graph = Layout([], [], 0, 0)

    def load(self) -> None:
        found = lineage.graph(self.ref, self.depth)
        nodes = [(n["kind"], n["id"]) for n in found["nodes"]]
        about = lineage.describe(nodes)
        self.start = key(*nodes[0])
        self.details = {key(k, i): {"kind": k, "id": i, **about.get((k, i), {})}
                        for k, i in nodes}
        items = []
        for k, i in nodes:
            info = about.get((k, i), {})
            items.append({"key": key(k, i), "kind": k, "id": i, "label": label(k, i, info),
                          "run": info.get("run_id") if k == "cell" else None,
                          "sort": (f"{info.get('run_id')}{info.get('seq', 0):08d}"
                                   if k == "cell" else label(k, i, info))})
        edges = [{"source": key(*e["source"]), "target": key(*e["target"]),
                  "relation": e["relation"]} for e in found["edges"]]
        self.graph = layout(items, edges, max_nodes=self.max_nodes)
        if self.selected not in {n["key"] for n in self.graph.nodes}:
            self.selected = self.start

    def act(self, action: str, value: str) -> None:
        if action == "node" and value in {n["key"] for n in self.graph.nodes}:
            self.selected = value

    def svg(self) -> str:
        g = self.graph
        at = {n["key"]: n for n in g.nodes}
        out = ['<defs><marker id="jp-mlops-arrow" viewBox="0 0 6 6" refX="6" refY="3" '
               'markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L6,3L0,6z" '
               f'fill="{static.MUTED}"/></marker></defs>']
        for e in g.edges:
            a, b = at[e["source"]], at[e["target"]]
            forward = b["x"] >= a["x"] + NODE_W
            x1 = a["x"] + NODE_W if forward else a["x"]
            x2 = b["x"] if forward else b["x"] + NODE_W
            y1, y2 = a["y"] + NODE_H / 2, b["y"] + NODE_H / 2
            bend = max(abs(x2 - x1) / 2, 30) * (1 if forward else -1)
            out.append(f'<path d="M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} '
                       f'{x2 - bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}" fill="none" '
                       f'stroke="{static.MUTED}" stroke-opacity="0.6" '
                       f'marker-end="url(#jp-mlops-arrow)"><title>{static.esc(e["relation"])}'
                       f"</title></path>")
        for n in g.nodes:
            stroke = ("#d62728" if n["key"] == self.selected else
                      "#1f77b4" if n["key"] == self.start else "#999")
            out.append(
                f'<g{static.attrs("node", n["key"])} class="jp-mlops-node">'
                f'<title>{static.esc(n["kind"])}: {static.esc(n["label"])}</title>'
                f'<rect x="{n["x"]:.0f}" y="{n["y"]:.0f}" width="{NODE_W}" height="{NODE_H}" '
                f'rx="4" fill="{KIND_COLORS.get(n["kind"], "#eee")}" stroke="{stroke}" '
                f'stroke-width="{2 if stroke != "#999" else 1}"/>'
                f'<text x="{n["x"] + 5:.0f}" y="{n["y"] + 14:.0f}" fill="#222">'
                f'{static.esc(_short(n["label"]))}</text></g>')
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{g.width:.0f}" '
                f'height="{g.height:.0f}" font-family="sans-serif" font-size="11" role="img" '
                f'aria-label="lineage graph">{"".join(out)}</svg>')

    def detail(self) -> str:
        about = self.details.get(self.selected or "", {})
        if not about:
            return ""
        source = about.get("source")
        rows = [[k, json.dumps(v, default=str) if isinstance(v, (list, dict)) else v]
                for k, v in about.items() if k != "source"]
        return ('<div class="jp-mlops-detail">' + static.table(["field", "value"], rows)
                + (f"<pre>{static.esc(source)}</pre>" if source else "") + "</div>")

    def markup(self) -> str:
        g = self.graph
        folded = f"; {g.collapsed} cells folded into their runs" if g.collapsed else ""
        head = (f"<p><b>lineage</b> of {static.esc(self.start.replace('/', ' ', 1))}: "
                f"{len(g.nodes)} nodes, {len(g.edges)} edges{folded} "
                f'<span class="note">(data → cells → fits → run → model → alias, reports; '
                f"click a node)</span></p>")
        legend = " ".join(f'<span style="background:{c};padding:0 4px">{k}</span>'
                          for k, c in KIND_COLORS.items())
        return static.page(head, f"<p>{legend}</p>",
                           f'<div style="overflow:auto;max-height:900px">{self.svg()}</div>',
                           self.detail(), css_class="jp-mlops-lineage")

