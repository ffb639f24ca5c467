"""The runs table: its rows and columns, sort, select, filter, and following new runs."""

import time

import jupyter_mlops as mlops
from jupyter_mlops import tracking


def test_rows_columns_sort_select_and_filter(showcase, run_ids):
    view = mlops.widgets.runs("churn")
    panel = view.panel
    assert set(panel.frame["run_id"]) == set(run_ids)
    assert {"params.C", "metrics.auc"} <= set(panel.columns)
    html = view.view.html
    assert all(f'data-value="{r}"' in html for r in run_ids) and "2 runs" in html
    panel.act("sort", "metrics.auc")
    assert panel.visible()["metrics.auc"].is_monotonic_increasing
    panel.act("sort", "metrics.auc")
    assert panel.visible()["metrics.auc"].is_monotonic_decreasing
    view._act("select", run_ids[0])
    view._act("select", run_ids[1])
    assert panel.selected == run_ids and view.view.html.count('class="sel"') == 2
    compared = view.compare()
    assert compared.panel.ids == run_ids
    view.search.value = "0.0625"  # the second run's C (4 decimals: no duration or id holds it)
    assert panel.visible()["run_id"].tolist() == [run_ids[1]]
    assert "1 runs" in view.view.html
    assert view.to_html() == view._repr_mimebundle_()["text/html"]


def test_follow_shows_a_run_started_later(store, monkeypatch):
    first, second = tracking.Tracker(store), tracking.Tracker(store)
    monkeypatch.setattr(tracking, "_tracker", first)
    first.start_run("live")
    view = mlops.widgets.runs(follow=True, interval=0.2)
    try:
        assert len(view.panel.frame) == 1
        new = second.start_run("live")
        deadline = time.monotonic() + 20
        while new not in view.view.html and time.monotonic() < deadline:
            time.sleep(0.1)
        assert new in view.view.html
        view.follow(False)
        assert view.follower is None and not view.live.value
    finally:
        view.close()
        for t in (first, second):
            t.end_run()
            t.writer.close()
