"""The runs table: sort by any column, filter, select runs to compare, follow new runs live."""

from __future__ import annotations

import logging
import threading
from typing import Any

import ipywidgets
import pandas as pd

from ..events import RUN_STATUSES
from ..store import Store, queries, state
from . import static
from .base import Panel, View

log = logging.getLogger("jupyter_mlops")

#: Run columns shown before the params and metrics.
BASE = ["run_id", "name", "experiment", "status", "started", "duration_s", "cells"]
#: At most this many params and this many metrics become columns (most recent runs' keys).
MAX_KEYS = 12
ANY = "(any)"


class RunsPanel(Panel):
    """Recent runs with their params and latest metrics."""

    def __init__(self, store: Store | None = None, *, experiment: str | None = None,
                 status: str | None = None, limit: int = 50) -> None:
        super().__init__(store)
        self.experiment, self.status, self.limit = experiment, status, limit
        self.frame = pd.DataFrame(columns=BASE)
        self.sort_by, self.ascending = "started", False
        self.selected: list[str] = []
        self.filter = ""

    def load(self) -> None:
        self.frame = queries.runs(self.store, experiment=self.experiment, status=self.status,
                                  limit=self.limit)

    @property
    def columns(self) -> list[str]:
        params = [c for c in self.frame.columns if c.startswith("params.")][:MAX_KEYS]
        metrics = [c for c in self.frame.columns if c.startswith("metrics.")][:MAX_KEYS]
        return [c for c in BASE if c in self.frame.columns] + params + metrics

    def visible(self) -> pd.DataFrame:
        """The runs as shown: filtered by the text (any cell contains it), then sorted."""
        frame = self.frame
        if self.filter:
            text = frame[self.columns].astype(str)
            hit = text.apply(lambda col: col.str.contains(self.filter, case=False, regex=False))
            frame = frame[hit.any(axis=1)]
        if self.sort_by in frame.columns:
            frame = frame.sort_values(self.sort_by, ascending=self.ascending,
                                      na_position="last", kind="stable")
        return frame

    def act(self, action: str, value: str) -> None:
        if action == "sort" and value in self.frame.columns:
            same = value == self.sort_by
            self.sort_by, self.ascending = value, (not self.ascending) if same else True
        elif action == "select" and value in set(self.frame["run_id"]):
            if value in self.selected:
                self.selected.remove(value)
            else:
                self.selected.append(value)

    def _names(self, run_ids: list[str]) -> list[str]:
        """The runs' names, in the order given (an id's start where a run has none)."""
        named = dict(zip(self.frame["run_id"], self.frame.get("name", self.frame["run_id"]),
                         strict=True))
        return [named.get(r) or r[:8] for r in run_ids]

    def markup(self) -> str:
        shown, columns = self.visible(), self.columns
        rows = []
        for r in shown[columns].itertuples(index=False):
            values = list(r)
            mark = "☑" if values[0] in self.selected else "☐"
            rows.append([mark, *values])
        where = f" in {self.experiment}" if self.experiment else ""
        head = (f"<p><b>{len(shown)} runs</b>{static.esc(where)}"
                f"{' matching ' + static.esc(repr(self.filter)) if self.filter else ''}"
                f"; selected: {static.esc(', '.join(self._names(self.selected)) or 'none')}"
                f' <span class="note">(click a header to sort, a row to select)</span></p>')
        labels = ["", *(c.split(".", 1)[-1] if "." in c else c for c in columns)]
        grid = static.table(["", *columns], rows, headers=labels, sort_action="sort",
                            sorted_by=(self.sort_by, self.ascending), row_action="select",
                            row_keys=shown["run_id"].tolist(), selected=self.selected)
        return static.page(head, grid, css_class="jp-mlops-runs")


class Follower:
    """Calls ``changed`` whenever the store has news: new spool bytes or a new generation.
    A daemon thread polling two small files; it never opens the database itself."""

    def __init__(self, store: Store, changed: Any, interval: float) -> None:
        self.store, self.changed, self.interval = store, changed, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="mlops-follow", daemon=True)
        self._thread.start()

    def _stamp(self) -> Any:
        return state.read_state(self.store).get("generation")

    def _loop(self) -> None:
        seen = self._stamp()
        while not self._stop.wait(self.interval):
            try:
                if state.pending(self.store) or self._stamp() != seen:
                    self.changed()  # ingests, so the stamp moves
                    seen = self._stamp()
            except Exception as e:  # a store hiccup must not kill the thread
                log.warning("jupyter-mlops: live runs view: %s", e)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


class RunsView(View[RunsPanel]):
    """The runs table with its filters; ``follow=True`` redraws as runs come in."""

    def __init__(self, panel: RunsPanel, *, follow: bool = False, interval: float = 2.0
                 ) -> None:
        self.interval = interval
        self.follower: Follower | None = None
        experiments = queries.experiments(panel.store)["name"].tolist()
        self.experiment = ipywidgets.Dropdown(
            options=[ANY, *experiments], value=panel.experiment or ANY, description="experiment")
        self.status = ipywidgets.Dropdown(
            options=[ANY, *RUN_STATUSES],
            value=panel.status or ANY, description="status")
        self.search = ipywidgets.Text(placeholder="filter: any text", continuous_update=True)
        self.live = ipywidgets.ToggleButton(value=follow, description="follow",
                                            tooltip="show new runs as they come in")
        self.compare_button = ipywidgets.Button(description="compare selected")
        self.compared = ipywidgets.Output()
        super().__init__(panel, [self.experiment, self.status, self.search, self.live,
                                 self.compare_button], [self.compared])
        self.experiment.observe(self._filters, "value")
        self.status.observe(self._filters, "value")
        self.search.observe(self._search, "value")
        self.live.observe(lambda change: self.follow(change["new"]), "value")
        self.compare_button.on_click(lambda _: self.compare())
        self.follow(follow)

    def _filters(self, _change: Any) -> None:
        self.panel.experiment = None if self.experiment.value == ANY else self.experiment.value
        self.panel.status = None if self.status.value == ANY else self.status.value
        self.refresh()

    def _search(self, change: Any) -> None:
        self.panel.filter = change["new"]
        self.redraw()

    def follow(self, on: bool = True) -> None:
        """Start (or stop) redrawing whenever runs are added or change."""
        if self.follower is not None:
            self.follower.stop()
            self.follower = None
        if on:
            self.follower = Follower(self.panel.store, self.refresh, self.interval)
        self.live.value = on

    def compare(self) -> Any:
        """Show the first two selected runs side by side below the table."""
        from .compare_view import ComparePanel, CompareView

        self.compared.clear_output()
        if len(self.panel.selected) < 2:
            with self.compared:
                print("select two runs (click their rows) to compare them")
            return None
        run_a, run_b = self.panel.selected[:2]
        view = CompareView(ComparePanel(run_a, run_b, store=self.panel.store))
        with self.compared:
            from IPython.display import display

            display(view)
        return view

    def close(self) -> None:
        self.follow(False)
        super().close()
