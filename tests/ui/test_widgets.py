"""The widgets in a real JupyterLab: each renders live, a header click sorts, a node click
shows its details, charts draw, and nothing logs an error."""

from __future__ import annotations

import re

import pytest

from tests.ui.conftest import Lab, Tab, open_lab

pytestmark = pytest.mark.browser

CELLS = [
    "import jupyter_mlops as mlops\nfrom jupyter_mlops.store import queries\n"
    "ids = queries.runs(mlops.tracking.tracker().store)['run_id'].tolist()",
    'mlops.widgets.runs("churn")',
    'mlops.widgets.lineage("churn@champion")',
    "mlops.widgets.drift()",
    "mlops.widgets.compare(ids[0], ids[1])",
    'mlops.widgets.metric("auc", "churn")',
]


def test_widgets_render_and_respond(tab: Tab, lab: Lab) -> None:
    page = tab.page
    open_lab(tab, lab, lab.write_notebook("widgets.ipynb", CELLS))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=30_000)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    view = ".jp-OutputArea-output .jp-mlops-view"
    for part in ("runs", "lineage", "drift", "compare", "metric"):
        page.wait_for_selector(f"{view} .jp-mlops-{part}", timeout=60_000)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 3",
                           timeout=60_000)
    tab.screenshot("widgets-rendered")

    runs = page.locator(f"{view} .jp-mlops-runs")
    assert runs.locator("tbody tr").count() == 2
    header = runs.locator('th[data-value="metrics.auc"]')
    header.click()
    page.wait_for_function(
        "document.querySelector('.jp-mlops-runs th[data-value=\"metrics.auc\"]')"
        ".textContent.includes('▲')", timeout=20_000)
    aucs = [float(t) for t in page.locator(f"{view} .jp-mlops-runs tbody tr td:last-child")
            .all_inner_texts()]
    assert aucs == sorted(aucs) and len(aucs) == 2

    lineage = page.locator(f"{view} .jp-mlops-lineage")
    kinds = {"dataset", "cell", "fit", "run", "model_version", "alias", "drift_report"}
    keys = lineage.locator("g.jp-mlops-node").evaluate_all(
        "nodes => nodes.map(n => n.dataset.value)")
    assert {k.split("/", 1)[0] for k in keys} == kinds
    fit_cell = lineage.locator('g[data-value^="cell/"]', has_text="LogisticReg").first
    fit_cell.click()
    page.wait_for_function(
        "[...document.querySelectorAll('.jp-mlops-lineage .jp-mlops-detail pre')]"
        ".some(p => p.textContent.includes('mlops.register(model'))", timeout=20_000)
    tab.screenshot("lineage-node-clicked")

    drift = page.locator(f"{view} .jp-mlops-drift")
    assert drift.locator("tbody tr").count() == 25
    assert re.search(r"3 of 25 columns drifted", drift.inner_text())
    drift.locator('tr[data-value="plan"]').click()
    page.wait_for_function(
        "[...document.querySelectorAll('.js-plotly-plot .gtitle')]"
        ".some(t => t.textContent === 'plan')", timeout=20_000)
    tab.screenshot("drift-column-clicked")
    problems = [e for e in tab.errors if re.search(r"widget|anywidget|plotly|mlops|model",
                                                   e, re.I)]
    assert not problems, problems
