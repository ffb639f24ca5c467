"""Many runs at once: a 1,000-run sweep recorded through the spool, as parallel coordinates
(log, categorical and half-missing axes, coloured by the chosen metric) and a scatter."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.store import Store
from jupyter_mlops.widgets.sweep_view import SweepPanel, make_axis
from tests.bench.bench_compare_render import RUNS, fill_sweep
from tests.widgets.conftest import reading


@pytest.fixture(scope="module")
def sweep_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sweep") / "store"
    store = Store.open(root)
    store.ensure()
    fill_sweep(store)
    return root


@pytest.fixture
def sweep(sweep_root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    yield from reading(sweep_root, monkeypatch)


def test_axes_of_a_thousand_runs(sweep: Store) -> None:
    panel = SweepPanel("sweep", "auc", store=sweep)
    panel.load()
    assert len(panel.frame) == RUNS
    axes = {a.column: a for a in panel.axes()}
    assert list(axes) == ["params.depth", "params.dropout", "params.lr", "params.optimizer",
                          "metrics.auc"]  # batch is constant; numeric params first
    lr = axes["params.lr"]
    assert lr.kind == "log" and lr.label == "lr (log)"
    assert -5 <= lr.bounds[0] < -4.9 and -1.1 < lr.bounds[1] <= -1
    assert {"1e-4", "1e-3", "1e-2"} <= {t for _, t in lr.ticks}
    opt = axes["params.optimizer"]
    assert opt.kind == "category" and [t for _, t in opt.ticks] == ["adam", "rmsprop", "sgd"]
    drop = axes["params.dropout"]
    assert sum(drop.missing) == math.ceil(RUNS / 7)  # every 7th run lacks it
    assert drop.ticks[0][1] == "–" and all(v == drop.bounds[0] for v, m in
                                           zip(drop.values, drop.missing, strict=True) if m)
    shares = drop.share()
    assert min(shares) == 0 and max(shares) == 1
    shade = panel.shade()  # colour along auc; every 50th run lacks it
    assert sum(t is None for t in shade) == RUNS // 50
    assert min(t for t in shade if t is not None) == 0.0


def test_live_view_and_its_static_output(sweep: Store) -> None:
    started = time.perf_counter()
    view = mlops.widgets.sweep("sweep")
    built = time.perf_counter() - started
    (par,) = view.parcoords.data
    assert [d.label for d in par.dimensions][-1] == "auc"
    assert len(par.dimensions[0].values) == RUNS
    (sc,) = view.scatter.data
    assert sc.type == "scattergl" and len(sc.x) == RUNS
    assert view.scatter.layout.yaxis.title.text == "auc"
    assert view.scatter.layout.xaxis.tickvals is None  # depth: plotly's own ticks
    assert view.scatter.layout.yaxis.ticktext[0] == "–"  # auc: a mark for the runs lacking it
    view.metric.value = "loss"  # the picked metric colours the lines and ends the axes
    assert [d.label for d in view.parcoords.data[0].dimensions][-1] == "loss"
    view.x.value = "params.lr"
    assert view.scatter.layout.xaxis.title.text == "lr (log)"
    assert max(view.scatter.data[0].x) <= -1  # log10 units, labelled in decades
    assert {"1e-4", "1e-3", "1e-2"} <= set(view.scatter.layout.xaxis.ticktext)
    html = view.to_html()
    assert html.count("<polyline") == RUNS and "1000 runs" in html and "lr (log)" in html
    print(f"\n[widget] sweep of {RUNS} runs built in {built * 1000:.0f} ms")


def test_category_and_constant_columns(sweep: Store) -> None:
    import pandas as pd

    frame = pd.DataFrame({"params.x": [1, "auto", None], "params.k": [3, 3, 3]})
    axis = make_axis(frame, "params.x")
    assert axis.kind == "category" and [t for _, t in axis.ticks] == ["–", "1", "auto"]
    assert make_axis(frame, "params.k").share() == [0.5, 0.5, 0.5]
    empty = mlops.widgets.sweep("no-such-experiment", static=True)
    assert "0 runs" in empty.to_html() and "nothing to draw" in empty.to_html()
