"""Two runs side by side: what differs in their params, and their metric histories."""

from __future__ import annotations

from typing import Any

import ipywidgets

from ..store import Store, queries
from . import static
from .base import Panel, View, figure

#: Metric histories drawn (the first keys, alphabetically) in the static output.
MAX_CHARTS = 6


def _xs(history: Any) -> list[float]:
    """A history's x axis: its steps when it logged them, else the logging order."""
    steps = history["step"]
    return (steps.astype(float).tolist() if steps.notna().all()
            else list(range(len(history))))


class ComparePanel(Panel):
    def __init__(self, run_a: str, run_b: str, store: Store | None = None) -> None:
        super().__init__(store)
        self.ids = [run_a, run_b]
        self.runs: list[dict[str, Any]] = []
        self.histories: dict[str, list[Any]] = {}

    def load(self) -> None:
        self.runs = [queries.run(self.store, r) for r in self.ids]
        self.ids = [r["run_id"] for r in self.runs]
        keys = sorted(set(self.runs[0]["metrics"]) | set(self.runs[1]["metrics"]))
        self.histories = {k: [queries.metric_history(self.store, r, k) for r in self.ids]
                          for k in keys}

    @property
    def names(self) -> list[str]:
        return [f"{r['name'] or r['run_id'][:8]} ({r['experiment'] or 'no experiment'})"
                for r in self.runs]

    def _rows(self, what: str) -> tuple[list[list[Any]], list[str]]:
        a, b = (r[what] for r in self.runs)
        rows, differ = [], []
        for k in sorted(set(a) | set(b)):
            rows.append([k, a.get(k), b.get(k)])
            if a.get(k) != b.get(k):
                differ.append(k)
        return rows, differ

    def markup(self) -> str:
        parts = [f"<p><b>compare</b> {static.legend(self.names)}</p>"]
        for what in ("params", "metrics"):
            rows, differ = self._rows(what)
            marked = [[f'<span class="diff">{static.esc(k)}</span>' if k in differ
                       else static.esc(k), *rest] for k, *rest in rows]
            parts.append(f"<p><b>{what}</b> ({len(differ)} of {len(rows)} differ)</p>"
                         + static.table([what[:-1], *self.names], marked, raw=[0]))
        return static.page(*parts, css_class="jp-mlops-compare")

    def series(self, key: str) -> list[tuple[str, list[float], list[float]]]:
        return [(name, _xs(h), h["value"].tolist())
                for name, h in zip(self.names, self.histories.get(key, []), strict=True)]

    def charts_html(self) -> str:
        charts = [static.lines(self.series(k), title=k) for k in list(self.histories)[:MAX_CHARTS]]
        return static.page(*charts, css_class="jp-mlops-charts")


class CompareView(View[ComparePanel]):
    """The diff tables, a metric picker and the picked metric's histories (plotly)."""

    def __init__(self, panel: ComparePanel) -> None:
        self.metric = ipywidgets.Dropdown(description="metric", options=[])
        self.chart = figure([], "", "step", "value")
        super().__init__(panel, [self.metric], [self.chart])
        self.metric.observe(lambda _: self.update_charts(), "value")

    def update_charts(self) -> None:
        keys = list(self.panel.histories)
        if list(self.metric.options) != keys:
            self.metric.options = keys
            self.metric.value = keys[0] if keys else None
        key = self.metric.value
        with self.chart.batch_update():
            self.chart.data = []
            for name, xs, ys in self.panel.series(key) if key else []:
                self.chart.add_scatter(x=xs, y=ys, name=name, mode="lines+markers")
            self.chart.layout.title.text = key or "no metrics logged"
