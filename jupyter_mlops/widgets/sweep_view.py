"""Many runs at once (up to 1,000): parallel coordinates of the params that vary against a
chosen metric, which colours the lines, and a scatter of two chosen columns.

The live view draws with plotly (``Parcoords``, ``Scattergl``: WebGL, so 1,000 runs cost no
DOM); the static output is one SVG of polylines, readable without a kernel. Axes follow the
sidebar's (labextension/src/axes.ts): a param whose values are not all numbers is
categorical, a positive range over more than two decades is logarithmic, and a run lacking a
value sits on a "–" mark below its axis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import ipywidgets
import pandas as pd

from ..store import Store, queries
from . import static
from .base import Panel, View

#: The most runs drawn, as in the sidebar: the REST API's largest page.
MOST_RUNS = 1000
#: The most param axes; past a dozen the axes are too close to read.
MOST_AXES = 12
#: Above this ratio of the largest to the smallest positive value, an axis is logarithmic.
LOG_RATIO = 100
#: Where a missing value sits: this share of the axis below its bottom.
BELOW = 0.08
RAMP = "Viridis"


@dataclass
class Axis:
    """One column of the runs on an axis: each run's position, and the ticks to label."""

    column: str
    kind: str  # linear, log or category
    values: list[float]  # per run, in axis units (log10 for log, the index for a category)
    missing: list[bool]  # per run: it lacks a value (placed below the axis)
    ticks: list[tuple[float, str]]
    bounds: tuple[float, float]  # the axis' range, the missing mark included

    @property
    def label(self) -> str:
        name = self.column.split(".", 1)[-1]
        return f"{name} (log)" if self.kind == "log" else name

    def share(self) -> list[float]:
        """Each run's position from 0 (bottom) to 1 (top)."""
        lo, hi = self.bounds
        return [(v - lo) / (hi - lo) if hi > lo else 0.5 for v in self.values]


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def make_axis(frame: pd.DataFrame, column: str) -> Axis:
    """The axis of ``column`` over the runs in ``frame`` (the rules in the module doc)."""
    raw = [None if v is None or v != v else v for v in frame[column].tolist()]  # NaN: missing
    present = [v for v in raw if v is not None]
    missing = [v is None for v in raw]
    if present and all(_number(v) for v in present):
        lo, hi = min(present), max(present)
        kind = "log" if lo > 0 and hi / lo > LOG_RATIO else "linear"
        def at(v: Any) -> float:
            return math.log10(v) if kind == "log" else float(v)

        ticks = [(at(lo), static.fmt(lo)), (at(hi), static.fmt(hi))]
        if kind == "log":
            ticks += [(float(d), f"1e{d}") for d in range(math.ceil(at(lo)), math.floor(at(hi)) + 1)
                      if at(lo) + 0.1 < d < at(hi) - 0.1]
    else:
        kind, categories = "category", sorted({static.fmt(v) for v in present})
        index = {c: float(i) for i, c in enumerate(categories)}

        def at(v: Any) -> float:
            return index[static.fmt(v)]

        ticks = [(i, c) for c, i in index.items()]
    top = max((t for t, _ in ticks), default=1.0)
    bottom = min((t for t, _ in ticks), default=0.0)
    if any(missing):  # a mark of its own, below the lowest value
        bottom -= BELOW * ((top - bottom) or 1)
        ticks.insert(0, (bottom, "–"))
    values = [bottom if v is None else at(v) for v in raw]
    return Axis(column, kind, values, missing, sorted(ticks), (bottom, top))


def varying_params(frame: pd.DataFrame, most: int = MOST_AXES) -> list[str]:
    """The params that take more than one value (missing counts as one), numeric first."""
    found = []
    for column in sorted(c for c in frame.columns if c.startswith("params.")):
        values = frame[column].map(lambda v: None if v is None or v != v else repr(v))
        if values.nunique(dropna=False) > 1:
            numeric = all(_number(v) for v in frame[column].dropna())
            found.append((not numeric, column))
    return [c for _, c in sorted(found, key=lambda f: f[0])][:most]


class SweepPanel(Panel):
    def __init__(self, experiment: str | None = None, metric: str | None = None,
                 limit: int = MOST_RUNS, store: Store | None = None) -> None:
        super().__init__(store)
        self.experiment, self.metric, self.limit = experiment, metric, min(limit, MOST_RUNS)
        self.frame = pd.DataFrame()
        self.x: str | None = None
        self.y: str | None = None

    def load(self) -> None:
        self.frame = queries.runs(self.store, experiment=self.experiment, limit=self.limit)
        if self.metric is None or f"metrics.{self.metric}" not in self.frame:
            self.metric = next(iter(self.metrics), None)
        columns = self.columns
        self.x = self.x if self.x in columns else next(iter(columns), None)
        self.y = (self.y if self.y in columns else
                  f"metrics.{self.metric}" if self.metric else columns[-1] if columns else None)

    @property
    def metrics(self) -> list[str]:
        return sorted(c.split(".", 1)[1] for c in self.frame.columns if c.startswith("metrics."))

    @property
    def columns(self) -> list[str]:
        """What the scatter can plot: the varying params, then every metric."""
        return varying_params(self.frame) + [f"metrics.{m}" for m in self.metrics]

    def axes(self) -> list[Axis]:
        """The parallel coordinates' axes: the varying params, the chosen metric last."""
        chosen = [f"metrics.{self.metric}"] if self.metric else []
        return [make_axis(self.frame, c) for c in varying_params(self.frame) + chosen]

    def shade(self) -> list[float | None]:
        """Each run's colour along the chosen metric (0..1), None when it lacks it."""
        if not self.metric:
            return [None] * len(self.frame)
        axis = make_axis(self.frame, f"metrics.{self.metric}")
        present = [v for v, m in zip(axis.values, axis.missing, strict=True) if not m]
        lo, hi = min(present, default=0.0), max(present, default=0.0)
        return [None if m else (v - lo) / (hi - lo) if hi > lo else 0.5
                for v, m in zip(axis.values, axis.missing, strict=True)]

    def markup(self) -> str:
        where = self.experiment or "all experiments"
        head = (f"<p><b>{len(self.frame)} runs</b> of {static.esc(where)}"
                f"{f' · colour: {static.esc(self.metric)}' if self.metric else ''}</p>")
        if len(self.axes()) < 2:
            head += "<p>nothing to draw: no param differs between these runs</p>"
        return static.page(head, css_class="jp-mlops-sweep")

    def charts_html(self) -> str:
        axes = self.axes()
        return (static.page(_svg_parcoords(axes, self.shade()), css_class="jp-mlops-charts")
                if len(axes) > 1 else "")


def _svg_parcoords(axes: list[Axis], shade: list[float | None], width: float = 640,
                   height: float = 240) -> str:
    """The static parallel coordinates: one polyline per run, coloured along the metric."""
    top, bottom, side = 24.0, 14.0, 30.0
    gap = (width - 2 * side) / (len(axes) - 1)
    shares = [a.share() for a in axes]
    out = []
    for run, t in enumerate(shade):
        points = " ".join(f"{side + i * gap:.1f},{top + (1 - s[run]) * (height - top - bottom):.1f}"
                          for i, s in enumerate(shares))
        color = static.MUTED if t is None else ramp(t)
        out.append(f'<polyline points="{points}" fill="none" stroke="{color}" '
                   f'stroke-opacity="0.5"/>')
    for i, a in enumerate(axes):
        x = side + i * gap
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - bottom}" '
                   f'stroke="#555"/><text x="{x:.1f}" y="12" text-anchor="middle" '
                   f'font-weight="bold">{static.esc(a.label)}</text>')
        lo, hi = a.bounds
        for at, text in a.ticks:
            y = top + (1 - ((at - lo) / (hi - lo) if hi > lo else 0.5)) * (height - top - bottom)
            out.append(f'<text x="{x + 3:.1f}" y="{y + 3:.1f}">{static.esc(text)}</text>')
    return static.svg(width, height, "".join(out), f"parallel coordinates of {len(shade)} runs")


def ramp(t: float) -> str:
    """Viridis at ``t`` (0..1), interpolated between five stops (as the sidebar draws)."""
    stops = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
    x = min(max(t, 0.0), 1.0) * (len(stops) - 1)
    i = min(int(x), len(stops) - 2)
    c = [round(a + (b - a) * (x - i)) for a, b in zip(stops[i], stops[i + 1], strict=True)]
    return f"rgb({c[0]},{c[1]},{c[2]})"


def _ticks(axis: Axis) -> dict[str, Any]:
    """Plotly's tick labels for ``axis``: its own where plotly's would be wrong (categories,
    decades of a log axis, the missing mark), plotly's for a plain linear axis."""
    if axis.kind == "linear" and not any(axis.missing):
        return {"tickvals": None, "ticktext": None}
    return {"tickvals": [t for t, _ in axis.ticks], "ticktext": [s for _, s in axis.ticks]}


def _figures(p: SweepPanel) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                     dict[str, Any]]:
    """The parallel coordinates' traces, the scatter's traces and its axes' layout."""
    shade = p.shade()
    colour = {"color": [-1.0 if t is None else t for t in shade],
              "colorscale": [[0, "#bbbbbb"], [0.0001, "#440154"], *[
                  [0.0001 + 0.9999 * k / 4, ramp(k / 4)] for k in range(1, 5)]],
              "cmin": -0.0001, "cmax": 1}
    dims = [{"label": a.label, "values": a.values, "range": list(a.bounds), **_ticks(a)}
            for a in p.axes()]
    par = [{"type": "parcoords", "dimensions": dims, "line": colour}] if len(dims) > 1 else []
    if not (p.x and p.y):
        return par, [], {}
    x, y = make_axis(p.frame, p.x), make_axis(p.frame, p.y)
    dots = {"type": "scattergl", "x": x.values, "y": y.values, "mode": "markers",
            "text": p.frame["run_id"].str[:8].tolist(),
            "marker": {"size": 5, "color": [ramp(t) if t is not None else "#bbbbbb"
                                            for t in shade]}}
    axes = {name: {"title": {"text": a.label}, **_ticks(a)}
            for name, a in (("xaxis", x), ("yaxis", y))}
    return par, [dots], axes


class SweepView(View[SweepPanel]):
    """Pick the colouring metric and the scatter's columns; plotly draws both charts.

    The figures are built with their first traces: traces added to a FigureWidget before
    its page has loaded plotly.js (anywidget, a few seconds on a busy machine) can be lost,
    so a redraw that would change nothing sends nothing."""

    def __init__(self, panel: SweepPanel) -> None:
        import plotly.graph_objects as go

        self.metric = ipywidgets.Dropdown(description="colour by", options=[])
        self.x = ipywidgets.Dropdown(description="x", options=[])
        self.y = ipywidgets.Dropdown(description="y", options=[])
        panel.load()
        self._drawn = self._signature(panel)
        par, dots, axes = _figures(panel)
        self.parcoords = go.FigureWidget(data=par, layout={
            "height": 320, "margin": {"l": 60, "r": 60, "t": 50, "b": 30}})
        self.scatter = go.FigureWidget(data=dots, layout={
            "height": 320, "margin": {"l": 60, "r": 20, "t": 30, "b": 50}, **axes})
        self._syncing = False  # the dropdowns being set from the panel, not picked
        super().__init__(panel, [self.metric, self.x, self.y], [self.parcoords, self.scatter])
        for name, box in (("metric", self.metric), ("x", self.x), ("y", self.y)):
            box.observe(lambda change, name=name: self._pick(name, change["new"]), "value")

    @staticmethod
    def _signature(p: SweepPanel) -> tuple[Any, ...]:
        """What the charts show: the runs and the three picks."""
        return (p.metric, p.x, p.y, tuple(p.frame["run_id"]) if "run_id" in p.frame else ())

    def _pick(self, name: str, value: Any) -> None:
        if not self._syncing and value is not None and getattr(self.panel, name) != value:
            setattr(self.panel, name, value)
            self.redraw()

    def update_charts(self) -> None:
        p = self.panel
        self._syncing = True  # new options reset a dropdown's value: no redraw from that
        try:
            for box, options, value in ((self.metric, p.metrics, p.metric),
                                        (self.x, p.columns, p.x), (self.y, p.columns, p.y)):
                if list(box.options) != options:
                    box.options = options
                box.value = value
        finally:
            self._syncing = False
        if self._signature(p) == self._drawn:
            return
        self._drawn = self._signature(p)
        par, dots, axes = _figures(p)
        with self.parcoords.batch_update():
            self.parcoords.data = []
            self.parcoords.add_traces(par)
        with self.scatter.batch_update():
            self.scatter.data = []
            self.scatter.add_traces(dots)
            for name, layout in axes.items():
                self.scatter.layout[name].update(layout)
