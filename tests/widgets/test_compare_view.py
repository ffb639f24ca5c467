"""Two runs compared: the param that differs, and both metric histories charted."""

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.exceptions import StoreError


def test_params_diff_and_histories(showcase, run_ids):
    view = mlops.widgets.compare(*run_ids)
    html = view.to_html()
    assert '<span class="diff">C</span>' in html and "1 of 1 differ" in html
    assert list(view.metric.options) == ["auc"]
    assert [len(t.y) for t in view.chart.data] == [5, 5]
    assert view.chart.data[1].y[-1] == pytest.approx(0.88)
    assert html.count("<polyline") == 2  # the static chart: one line per run


def test_an_unknown_run_is_named(showcase):
    with pytest.raises(StoreError, match="unknown run id 'nosuchrun'"):
        mlops.widgets.compare("nosuchrun", "nosuchrun")
