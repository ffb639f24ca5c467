"""What every view shares: the anywidget that shows Python-rendered markup, the composite
that puts stock controls and charts around it, and its static fallback.

A view's output carries both the live widget and ``text/html``: JupyterLab with a kernel
shows the widget; nbconvert, GitHub and other kernel-free readers show the HTML.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

import anywidget
import ipywidgets
import traitlets

from ..config import RUN_ID_ENV
from ..store import Store
from ..tracking import tracker
from . import static


class HtmlView(anywidget.AnyWidget):
    """Markup rendered in Python; clicks on ``data-action`` elements come back as calls."""

    _esm = Path(__file__).with_name("view.js")
    html = traitlets.Unicode("").tag(sync=True)

    def __init__(self, on_action: Callable[[str, str], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_action = on_action
        self.on_msg(self._message)

    def _message(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        if isinstance(content, dict) and "action" in content:
            self._on_action(str(content["action"]), str(content.get("value") or ""))


class Panel:
    """A view's data and markup, without any widget: what a live view shows and what a
    kernel-free reader gets. Subclasses read the store in :meth:`load`, draw in
    :meth:`markup`, and handle a click (sort, select, open a node) in :meth:`act`."""

    def __init__(self, store: Store | None = None) -> None:
        self.store = store or tracker().store

    def load(self) -> None:
        raise NotImplementedError

    def markup(self) -> str:
        """The markup, with its clickable parts (inert without a kernel)."""
        raise NotImplementedError

    def charts_html(self) -> str:
        """The live view's plotly charts as static SVG."""
        return ""

    def act(self, action: str, value: str) -> None:
        """A click in the live view; by default nothing is clickable."""

    def to_html(self) -> str:
        """The whole view as self-contained HTML and SVG, readable without a kernel."""
        return self.markup() + self.charts_html()

    def _repr_html_(self) -> str:
        return self.to_html()


P = TypeVar("P", bound=Panel)


class View(ipywidgets.VBox, Generic[P]):
    """A live panel: stock ``controls`` above its markup, plotly ``charts`` below; typed by
    its panel, so a view's methods see their own panel's attributes."""

    def __init__(self, panel: P, controls: list[ipywidgets.Widget] | None = None,
                 charts: list[ipywidgets.Widget] | None = None) -> None:
        self.panel = panel
        self.view = HtmlView(self._act)
        rows = [ipywidgets.HBox(controls)] if controls else []
        super().__init__([*rows, self.view, *(charts or [])])
        self.refresh()

    def _act(self, action: str, value: str) -> None:
        self.panel.act(action, value)
        self.redraw()

    def redraw(self) -> None:
        self.view.html = self.panel.markup()
        self.update_charts()

    def update_charts(self) -> None:
        """Bring the charts in line with the panel (after a load or a click)."""

    def refresh(self) -> View[P]:
        """Read the store again and redraw (returns the view, so it displays in a cell)."""
        self.panel.load()
        self.redraw()
        return self

    def to_html(self) -> str:
        return self.panel.to_html()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        return {**bundle, "text/html": self.to_html()}


def show(panel: P, view: Callable[[P], View[P]], static_only: bool | None
         ) -> View[P] | P:
    """The live view, or inside a job (or with ``static=True``) the bare panel: no one will
    see a widget there, and a job's saved widget state would hide the HTML from nbconvert."""
    if static_only is None:
        static_only = bool(os.environ.get(RUN_ID_ENV))
    if static_only:
        panel.load()
        return panel
    return view(panel)


def figure(traces: list[dict[str, Any]], title: str, x_title: str, y_title: str) -> Any:
    """A plotly FigureWidget sized for a notebook cell."""
    import plotly.graph_objects as go

    return go.FigureWidget(data=traces, layout={
        "title": {"text": title}, "height": 320, "margin": {"l": 50, "r": 20, "t": 40, "b": 40},
        "xaxis": {"title": {"text": x_title}}, "yaxis": {"title": {"text": y_title}},
        "colorway": list(static.COLORS), "legend": {"orientation": "h"}})
