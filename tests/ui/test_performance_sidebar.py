"""The drift section of the sidebar charts estimated vs realized performance per batch."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import run_python
from tests.ui.conftest import Lab, Tab
from tests.ui.test_sidebar import PANEL, no_extension_errors, open_panel, view

pytestmark = pytest.mark.browser

RECORD = """
import numpy as np, pandas as pd
from sklearn.linear_model import LogisticRegression
import jupyter_mlops as mlops
rng = np.random.default_rng(0)
X = pd.DataFrame(rng.normal(size=(5000, 2)), columns=["a", "b"])
y = (rng.random(5000) < 1 / (1 + np.exp(-2 * X.a))).astype(int)
model = LogisticRegression().fit(X[:1000], y[:1000])
mlops.performance(model, X[1000:2000], y[1000:2000], reference=(X[:1000], y[:1000]),
                  name="ui-perf")
for k in range(3):
    part = slice(2000 + 1000 * k, 3000 + 1000 * k)
    mlops.performance(model, X[part] * (1 - 0.3 * k), y[part] if k < 2 else None,
                      name="ui-perf")
"""


def performance_section(tab: Tab, lab: Lab, code: str) -> Any:
    """Record with ``code`` in a fresh process, then the sidebar's performance section."""
    done = run_python(code, env={"JUPYTER_MLOPS_HOME": str(lab.store)})
    assert done.returncode == 0, done.stderr
    open_panel(tab, lab)
    view(tab, "Drift")
    return tab.page.locator(f'{PANEL} section[aria-label="performance"]')


def test_estimated_vs_realized_chart_in_the_drift_section(tab: Tab, lab: Lab) -> None:
    section = performance_section(tab, lab, RECORD)
    section.wait_for(timeout=60_000)
    chart = section.get_by_role("img", name="ui-perf accuracy: estimated vs realized")
    chart.wait_for(timeout=30_000)
    assert "Performance of ui-perf" in section.inner_text()
    assert chart.locator("circle.jp-mlops-realized").count() == 3  # the 4th has no labels yet
    assert chart.locator("polygon").count() == 1  # the interval band
    section.get_by_role("button", name="roc_auc").click()
    section.get_by_role("img", name="ui-perf roc_auc: estimated vs realized").wait_for(
        timeout=30_000)
    tab.screenshot("sidebar-performance")
    no_extension_errors(tab)


MULTICLASS = """
import numpy as np, pandas as pd
from sklearn.linear_model import LogisticRegression
import jupyter_mlops as mlops
rng = np.random.default_rng(1)
X = pd.DataFrame(rng.normal(size=(4000, 2)), columns=["a", "b"])
y = np.array(["low", "mid", "high"])[np.digitize(X.a + rng.normal(0, 0.5, 4000), [-0.5, 0.5])]
model = LogisticRegression().fit(X[:1000], y[:1000])
mlops.performance(model, X[1000:2000], y[1000:2000], reference=(X[:1000], y[:1000]),
                  name="ui-perf3")
mlops.performance(model, X[2000:3000] + 0.4, y[2000:3000], name="ui-perf3")
mlops.performance(model, X[3000:] + 0.8, name="ui-perf3")
"""


def test_a_multiclass_model_charts_its_macro_metrics(tab: Tab, lab: Lab) -> None:
    """Three classes: accuracy, macro F1 and one-vs-rest ROC AUC in the same chart."""
    section = performance_section(tab, lab, MULTICLASS)
    section.get_by_text("Performance of ui-perf3").wait_for(timeout=60_000)
    section.get_by_role("button", name="f1").click()
    chart = section.get_by_role("img", name="ui-perf3 f1: estimated vs realized")
    chart.wait_for(timeout=30_000)
    assert chart.locator("circle.jp-mlops-realized").count() == 2  # the 3rd has no labels
    assert "(no labels yet)" in section.inner_text()
    tab.screenshot("sidebar-performance-multiclass")
    no_extension_errors(tab)
