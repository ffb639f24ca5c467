"""One metric over runs and versions."""

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.exceptions import StoreError


def test_runs_and_versions_over_time(showcase, run_ids):
    view = mlops.widgets.metric("auc", "churn")
    assert view.panel.points["run_id"].tolist() == run_ids
    assert view.panel.versions["version"].tolist() == ["churn:1", "churn:2"]
    runs, versions = view.chart.data
    assert list(runs.y) == pytest.approx([0.82, 0.88]) and list(versions.text) == [
        "churn:1", "churn:2"]
    html = view.to_html()
    assert "champion" in html and "highest 0.88" in html and "<polyline" in html


def test_an_unlogged_metric_lists_the_logged_ones(showcase):
    with pytest.raises(StoreError, match="logged metric 'f1'; logged: auc"):
        mlops.widgets.metric("f1")
