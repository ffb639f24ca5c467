"""Notebook views of the store: runs, a comparison of two runs, why two runs differ, many runs
at once, a metric over time, a model's lineage, a drift report and what a run keeps.
``mlops.widgets.runs()`` and friends.

Each returns a live ipywidgets view (anywidget markup, stock controls, plotly charts) whose
output also carries static HTML/SVG, so exported and job-executed notebooks stay readable.
``static=True`` (the default inside a job) returns only that HTML. ``.refresh()`` rereads
the store.
"""

from __future__ import annotations

from typing import Any

from ..monitoring.report import DriftReport
from .artifacts_view import ArtifactsPanel
from .base import Panel, View, show
from .compare_view import ComparePanel, CompareView
from .diff_view import DiffPanel
from .drift_view import DriftPanel, DriftView
from .lineage_view import LineagePanel
from .metric_view import MetricPanel, MetricView
from .performance_view import PerformancePanel, PerformanceView
from .runs_view import RunsPanel, RunsView
from .sweep_view import MOST_RUNS, SweepPanel, SweepView

__all__ = ["artifacts", "compare", "diff", "drift", "lineage", "metric", "performance", "runs",
           "sweep"]


def runs(experiment: str | None = None, *, status: str | None = None, limit: int = 50,
         follow: bool = False, interval: float = 2.0, static: bool | None = None
         ) -> View | Panel:
    """Recent runs: sort by a header, filter, click rows to select and compare them;
    ``follow=True`` adds new runs as they are recorded (polling every ``interval`` s)."""
    panel = RunsPanel(experiment=experiment, status=status, limit=limit)
    return show(panel, lambda p: RunsView(p, follow=follow, interval=interval), static)


def compare(run_a: str, run_b: str, *, static: bool | None = None) -> View | Panel:
    """Two runs: their params diff, metrics, and metric histories."""
    return show(ComparePanel(run_a, run_b), CompareView, static)


def diff(run_a: str, run_b: str, *, metric: str | None = None, static: bool | None = None
         ) -> View | Panel:
    """Why run ``run_b`` differs from ``run_a`` (``mlops.diff``): params, cells with their
    source diffs, the first differing data, environment and git; ``metric``: its slice."""
    return show(DiffPanel(run_a, run_b, metric), View, static)


def sweep(experiment: str | None = None, *, metric: str | None = None, limit: int = MOST_RUNS,
          static: bool | None = None) -> View | Panel:
    """Many runs at once (the newest ``limit``, at most 1,000): parallel coordinates of the
    params that vary, coloured by ``metric`` (the first logged, if not given), and a scatter
    of two chosen columns."""
    return show(SweepPanel(experiment, metric, limit), SweepView, static)


def lineage(ref: Any, *, depth: int = 50, max_nodes: int = 200, static: bool | None = None
            ) -> View | Panel:
    """The ancestry and descendants of ``ref`` (``"churn@champion"``, ``"churn:3"``, a run
    id or a DataFrame); past ``max_nodes`` nodes, cells are folded into their runs."""
    return show(LineagePanel(ref, depth=depth, max_nodes=max_nodes), View, static)


def drift(report: DriftReport | str | None = None, *, static: bool | None = None
          ) -> View | Panel:
    """A drift report (from ``mlops.drift``), a saved report's id, or the latest saved."""
    return show(DriftPanel(report), DriftView, static)


def metric(key: str, experiment: str | None = None, *, static: bool | None = None
           ) -> View | Panel:
    """Metric ``key`` of every run (and registered version) over time."""
    return show(MetricPanel(key, experiment=experiment), MetricView, static)


def artifacts(run: str, *, static: bool | None = None) -> View | Panel:
    """What run ``run`` keeps: its figures and cell outputs drawn, every artifact listed."""
    return show(ArtifactsPanel(run), View, static)


def performance(model: str | None = None, *, metric: str = "accuracy",
                static: bool | None = None) -> View | Panel:
    """Estimated vs realized performance of ``model`` (``name``, ``name:3``, ``name@alias``;
    default: the model estimated last) per batch over time, the interval as a band."""
    return show(PerformancePanel(model, metric), PerformanceView, static)
