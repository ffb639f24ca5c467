"""A drift report: the verdict, one row per column with its test, effect and a small
reference-vs-current histogram; click a column for a large interactive one (plotly)."""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Any

from ..monitoring.report import DriftReport
from ..store import Store
from . import static
from .base import Panel, View, figure

#: Categories drawn per column (the most frequent in either sample).
MAX_CATEGORIES = 20
SHOWN = ["column", "kind", "method", "statistic", "p_adjusted", "effect", "effect_name",
         "threshold", "drifted", "missing_reference", "missing_current"]


def histogram(hist: dict[str, Any] | None) -> dict[str, Any] | None:
    """Bars to draw from a column's stored bins: numeric bins become densities on their real
    widths (the open outer bins take their neighbour's width); categories keep the top ones."""
    if not hist:
        return None
    if "categories" in hist:
        pairs = list(zip(hist["categories"], hist["reference"], hist["current"], strict=True))
        pairs = sorted(pairs, key=lambda p: -max(p[1], p[2]))[:MAX_CATEGORIES]
        return {"labels": [str(p[0]) for p in pairs], "positions": None,
                "groups": [[p[1] for p in pairs], [p[2] for p in pairs]]}
    edges = [float(e) for e in hist["edges"]]
    inner = [b - a for a, b in pairwise(edges)] or [1.0]
    bounds = ([edges[0] - inner[0], *edges, edges[-1] + inner[-1]] if edges else [0.0, 1.0])
    bins = list(pairwise(bounds))
    widths = [max(b - a, 1e-12) for a, b in bins]
    span = bounds[-1] - bounds[0]
    return {"labels": [f"{static.fmt(a)} … {static.fmt(b)}" for a, b in bins],
            "positions": [((a - bounds[0]) / span, w / span)
                          for (a, _), w in zip(bins, widths, strict=True)],
            "groups": [[p / w for p, w in zip(hist[s], widths, strict=False)]
                       for s in ("reference", "current")]}


class DriftPanel(Panel):
    report: DriftReport  # what :meth:`load` read; a panel is loaded before it is drawn

    def __init__(self, report: DriftReport | str | None = None, store: Store | None = None
                 ) -> None:
        super().__init__(store)
        if report is not None and not isinstance(report, (DriftReport, str)):
            raise TypeError(f"drift() shows a DriftReport (from mlops.drift) or a saved "
                            f"report's id, not a {type(report).__name__}")
        self.source = report
        self.selected: str | None = None

    def load(self) -> None:
        """A report object is shown as it is; an id (or None: the latest) is read again."""
        if isinstance(self.source, DriftReport):
            self.report = self.source
        else:
            from ..monitoring.records import load_report

            self.report = load_report(self.source)
        names = [r["column"] for r in self.report.rows]
        if self.selected not in names:
            drifted = self.report.drifted_columns
            self.selected = drifted[0] if drifted else next(iter(self.report.compared), None)

    def act(self, action: str, value: str) -> None:
        if action == "column" and value in {r["column"] for r in self.report.rows}:
            self.selected = value

    def row(self, column: str) -> dict[str, Any]:
        return next(r for r in self.report.rows if r["column"] == column)

    def markup(self) -> str:
        report = self.report
        color = static.BAD if report.dataset_drift else static.OK
        head = (f'<p style="color:{color};font-weight:bold">{static.esc(report.summary())}</p>'
                f'<p class="note">{static.esc(report.method)}; reference '
                f"{static.esc(report.reference_name or (report.reference or '')[:12])}"
                f"{'; report ' + static.esc(report.id[:12]) if report.id else ''} · "
                f"{static.legend(['reference', 'current'])} · click a row for its histogram</p>")
        rows = []
        for r in report.rows:
            bars = histogram(r.get("_hist"))
            svg = static.bars(bars["groups"], positions=bars["positions"],
                              label=f"{r['column']} reference vs current") if bars else ""
            verdict = r.get("skipped") or ("DRIFT" if r.get("drifted") else "ok")
            values = [r.get(c) for c in SHOWN if c != "drifted"]
            rows.append([*(static.esc(static.fmt(v)) for v in values),
                         f'<b style="color:{static.BAD if r.get("drifted") else static.OK}">'
                         f"{static.esc(verdict)}</b>", svg])
        headers = [c for c in SHOWN if c != "drifted"] + ["verdict", "histogram"]
        table = static.table(headers, rows, raw=range(len(headers)), row_action="column",
                             row_keys=[r["column"] for r in report.rows],
                             selected=[self.selected])
        return static.page(head, table, css_class="jp-mlops-drift")



class DriftView(View[DriftPanel]):
    """The report table and the selected column's histogram, reference vs current."""

    def __init__(self, panel: DriftPanel) -> None:
        self.chart = figure([], "", "bin", "density")
        super().__init__(panel, charts=[self.chart])

    def update_charts(self) -> None:
        column = self.panel.selected
        bars = histogram(self.panel.row(column).get("_hist")) if column else None
        labels, groups = (bars["labels"], bars["groups"]) if bars else ([], [])
        with self.chart.batch_update():
            self.chart.data = []
            for name, ys in zip(("reference", "current"), groups, strict=False):
                self.chart.add_bar(x=labels, y=[None if not math.isfinite(y) else y
                                                        for y in ys], name=name, opacity=0.75)
            numeric = bars is not None and bars["positions"] is not None
            self.chart.layout.barmode = "group"
            self.chart.layout.title.text = f"{column or 'no column compared'}"
            self.chart.layout.yaxis.title.text = "density" if numeric else "share"
