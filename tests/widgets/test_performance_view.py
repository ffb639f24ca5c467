"""The performance view: estimate, interval band and realized values per batch, live and
static, and a metric switch."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import jupyter_mlops as mlops
from jupyter_mlops.exceptions import StoreError
from jupyter_mlops.widgets.performance_view import PerformancePanel


@pytest.fixture
def recorded(store, tracked):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(4000, 2)), columns=["a", "b"])
    y = (rng.random(4000) < 1 / (1 + np.exp(-2 * X.a))).astype(int)
    model = LogisticRegression().fit(X[:1000], y[:1000])
    mlops.performance(model, X[1000:2000], y[1000:2000], reference=(X[:1000], y[:1000]),
                      name="lr")
    mlops.performance(model, X[2000:3000] * 0.5, name="lr")
    later = X[3000:] * 0.3
    mlops.performance(model, later, name="lr")
    mlops.performance(model, later, y[3000:], name="lr")  # its labels arrive
    return store


def test_band_estimate_and_realized_per_batch(recorded):
    view = mlops.widgets.performance("lr")
    assert [t.name for t in view.chart.data][1:] == ["95% interval", "estimated", "realized"]
    band_high, band_low, estimated, real = view.chart.data
    assert len(estimated.y) == 3 and band_low.fill == "tonexty"
    assert all(lo <= e <= hi for lo, e, hi in zip(band_low.y, estimated.y, band_high.y,
                                                  strict=True))
    assert real.y[0] is not None and real.y[1] is None and real.y[2] is not None
    assert estimated.y[2] > estimated.y[0] - 0.5 and view.chart.layout.yaxis.title.text == \
        "accuracy"
    html = view._repr_mimebundle_()["text/html"]
    assert "3 batches" in html and "of 2 labelled batches" in html and "<svg" in html
    view.picker.value = "roc_auc"
    assert view.panel.metric == "roc_auc" and view.chart.layout.title.text == "lr: roc_auc"


def test_static_panel_and_errors(recorded):
    panel = mlops.widgets.performance(static=True)  # the model estimated last
    assert isinstance(panel, PerformancePanel) and panel.model == "lr"
    assert "estimated vs realized" in panel.to_html()
    with pytest.raises(StoreError, match="no performance recorded for nothing"):
        mlops.widgets.performance("nothing", static=True)
    with pytest.raises(ValueError, match="metric must be one of accuracy"):
        mlops.widgets.performance("lr", metric="mae")
