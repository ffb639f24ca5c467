"""A model's performance over time: the estimate made before labels, its interval as a band,
and the realized value once labels arrived (``mlops.performance``)."""

from __future__ import annotations

from typing import Any

import ipywidgets
import pandas as pd

from ..exceptions import StoreError
from ..store import Store
from . import static
from .base import Panel, View, figure

#: Batches shown (the latest).
BATCHES = 200
#: Metrics, in the order the picker offers them.
METRICS = ("accuracy", "f1", "roc_auc")


class PerformancePanel(Panel):
    def __init__(self, model: str | None = None, metric: str = "accuracy",
                 store: Store | None = None) -> None:
        super().__init__(store)
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
        self.model, self.metric = model, metric
        self.rows = pd.DataFrame()

    def load(self) -> None:
        from ..monitoring.performance import performance_history

        found = performance_history(self.model, metric=self.metric, limit=BATCHES,
                                    store=self.store)
        if found.empty:
            raise StoreError(f"no performance recorded{' for ' + self.model if self.model else ''}"
                             f": run mlops.performance(model, batch, reference=(X, y)) first")
        if self.model is None:  # the model estimated last
            self.model = str(found["model"].iloc[-1])
            found = found[found["model"] == self.model]
        self.rows = found.reset_index(drop=True)

    def act(self, action: str, value: str) -> None:
        if action == "metric" and value in METRICS:
            self.metric = value
            self.load()

    def markup(self) -> str:
        rows = self.rows
        last = rows.iloc[-1]
        labelled = rows.dropna(subset=["realized"])
        inside = ((labelled.ci_low <= labelled.realized) &
                  (labelled.realized <= labelled.ci_high)).sum()
        head = (f"<p><b>{static.esc(self.model)}</b> · {static.esc(self.metric)}: "
                f"{len(rows)} batches, latest estimate {static.fmt(last.estimated)} "
                f"[{static.fmt(last.ci_low)}, {static.fmt(last.ci_high)}]"
                + (f"; realized inside the {last.confidence:.0%} interval for {inside} of "
                   f"{len(labelled)} labelled batches" if len(labelled) else "; no labels yet")
                + "</p>"
                + " ".join(f'<span{static.attrs("metric", m)} style="cursor:pointer;'
                           f'{"font-weight:bold" if m == self.metric else ""}">{m}</span>'
                           for m in METRICS)
                + f' · <span class="note">{static.legend(["estimated", "realized"])}</span>')
        table = static.table(
            ["batch", "first estimated", "rows", "estimated", "interval", "realized"],
            [[str(r.batch)[:12], str(r.created)[:19], r.n, static.fmt(r.estimated),
              f"{static.fmt(r.ci_low)} … {static.fmt(r.ci_high)}", static.fmt(r.realized)]
             for r in rows.iloc[::-1].head(20).itertuples()])
        return static.page(head, table, css_class="jp-mlops-performance")

    def series(self) -> list[tuple[str, list[Any], list[float | None]]]:
        x = self.rows["created"].tolist()
        return [(name, x, [None if pd.isna(v) else float(v) for v in self.rows[name]])
                for name in ("estimated", "realized", "ci_low", "ci_high")]

    def charts_html(self) -> str:
        chart = static.lines([(n, [pd.Timestamp(t).timestamp() for t in x],
                               [float("nan") if v is None else v for v in y])
                              for n, x, y in self.series()],
                             title=f"{self.metric}: estimated vs realized")
        return static.page(chart, css_class="jp-mlops-charts")


class PerformanceView(View[PerformancePanel]):
    """The estimate with its interval as a band and the realized values over it (plotly)."""

    def __init__(self, panel: PerformancePanel) -> None:
        self.picker = ipywidgets.Dropdown(description="metric", options=list(METRICS),
                                          value=panel.metric)
        self.chart = figure([], "", "first estimated", panel.metric)
        super().__init__(panel, [self.picker], [self.chart])
        self.picker.observe(lambda change: self._act("metric", change["new"]), "value")

    def update_charts(self) -> None:
        (_, x, estimated), (_, _, real), (_, _, low), (_, _, high) = self.panel.series()
        with self.chart.batch_update():
            self.chart.data = []
            self.chart.add_scatter(x=x, y=high, mode="lines", line={"width": 0},
                                   showlegend=False, hoverinfo="skip")
            self.chart.add_scatter(x=x, y=low, mode="lines", line={"width": 0}, fill="tonexty",
                                   fillcolor="rgba(31,119,180,0.2)",
                                   name=f"{self.panel.rows['confidence'].iloc[-1]:.0%} interval")
            self.chart.add_scatter(x=x, y=estimated, mode="lines+markers", name="estimated")
            self.chart.add_scatter(x=x, y=real, mode="markers", name="realized",
                                   marker={"size": 9, "symbol": "diamond"})
            self.chart.layout.title.text = f"{self.panel.model}: {self.panel.metric}"
            self.chart.layout.yaxis.title.text = self.panel.metric
