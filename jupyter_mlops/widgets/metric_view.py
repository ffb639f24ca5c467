"""One metric across runs and registered versions, over time: is the model getting better?"""

from __future__ import annotations

import json
from typing import Any

import ipywidgets
import numpy as np
import pandas as pd

from ..exceptions import StoreError
from ..store import Store, queries
from . import static
from .base import Panel, View, figure

#: Runs read for the chart (newest first).
RUN_LIMIT = 500


class MetricPanel(Panel):
    def __init__(self, key: str, store: Store | None = None, *,
                 experiment: str | None = None) -> None:
        super().__init__(store)
        self.key, self.experiment = key, experiment
        self.keys: list[str] = []
        self.points = pd.DataFrame(columns=["run_id", "started", "value"])
        self.versions = pd.DataFrame(columns=["version", "aliases", "created", "value"])

    def load(self) -> None:
        runs = queries.runs(self.store, experiment=self.experiment, limit=RUN_LIMIT)
        self.keys = sorted(c.split(".", 1)[1] for c in runs.columns if c.startswith("metrics."))
        if self.key not in self.keys:
            raise StoreError(f"no run{' in ' + self.experiment if self.experiment else ''} "
                             f"logged metric {self.key!r}; logged: "
                             f"{', '.join(self.keys) or 'none'}")
        column = runs[["run_id", "started", f"metrics.{self.key}"]].dropna()
        self.points = column.set_axis(["run_id", "started", "value"], axis=1).sort_values(
            "started")
        models = queries.models(self.store)
        models = models[models["run_id"].isin(set(runs["run_id"]))] if self.experiment else models
        rows = []
        for m in models.itertuples():
            value = json.loads(m.metrics or "{}").get(self.key)
            if value is not None:
                aliases = m.aliases if isinstance(m.aliases, (list, np.ndarray)) else []
            rows.append([f"{m.name}:{m.version}", ", ".join(aliases), m.created,
                             float(value)])
        self.versions = pd.DataFrame(rows, columns=self.versions.columns).sort_values("created")

    def markup(self) -> str:
        where = f" in {self.experiment}" if self.experiment else ""
        best = (self.points.loc[self.points["value"].idxmax()]
                if len(self.points) else None)
        head = (f"<p><b>{static.esc(self.key)}</b>{static.esc(where)}: {len(self.points)} runs"
                f", {len(self.versions)} model versions"
                + (f"; highest {static.esc(static.fmt(best['value']))} in run "
                   f"{static.esc(best['run_id'][:8])}" if best is not None else "") + "</p>")
        table = static.table(["version", "aliases", "registered", self.key],
                             self.versions.astype(object).values.tolist())
        return static.page(head, table if len(self.versions) else "", css_class="jp-mlops-metric")

    def series(self) -> list[tuple[str, list[Any], list[float]]]:
        return [("runs", self.points["started"].tolist(), self.points["value"].tolist()),
                ("versions", self.versions["created"].tolist(), self.versions["value"].tolist())]

    def charts_html(self) -> str:
        def seconds(ts: list[Any]) -> list[float]:
            return [pd.Timestamp(t).timestamp() for t in ts]

        chart = static.lines([(n, seconds(x), y) for n, x, y in self.series()],
                             title=f"{self.key} over time")
        return static.page(chart, css_class="jp-mlops-charts")


class MetricView(View[MetricPanel]):
    """The metric's chart (plotly) with a picker of the other logged metrics."""

    def __init__(self, panel: MetricPanel) -> None:
        self.picker = ipywidgets.Dropdown(description="metric", options=[panel.key])
        self.chart = figure([], "", "time", panel.key)
        super().__init__(panel, [self.picker], [self.chart])
        self.picker.options = self.panel.keys
        self.picker.value = panel.key
        self.picker.observe(self._pick, "value")

    def _pick(self, change: Any) -> None:
        self.panel.key = change["new"]
        self.refresh()

    def update_charts(self) -> None:
        (_, rx, ry), (_, vx, vy) = self.panel.series()
        with self.chart.batch_update():
            self.chart.data = []
            self.chart.add_scatter(x=rx, y=ry, name="runs", mode="lines+markers",
                                   text=self.panel.points["run_id"].str[:8].tolist())
            self.chart.add_scatter(x=vx, y=vy, name="model versions", mode="markers+text",
                                   marker={"symbol": "diamond", "size": 11},
                                   text=self.panel.versions["version"].tolist(),
                                   textposition="top center")
            self.chart.layout.title.text = f"{self.panel.key} over time"
            self.chart.layout.yaxis.title.text = self.panel.key
