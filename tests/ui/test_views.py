"""Full views in JupyterLab's main area, in a wide window on a store recorded by real kernels
and a job: each `jupyter-mlops:open-*` command opens its tab with the expected content (one
tab per item), the lineage graph's labels carry no raw ids and its runs fold their cells,
the runs table sorts (a header click re-queries) and filters through the server, a sidebar
click opens a tab (a run, a model version), and a reload restores the open tabs. Light and
dark screenshots go to tests/ui/screenshots/docs/, or to docs/img/ (what the README shows)
with ``JUPYTER_MLOPS_DOC_SHOTS=1``: a test run leaves the working tree clean."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import ROOT
from tests.ui.conftest import SCREENSHOTS, Lab, Tab
from tests.ui.test_sidebar import PANEL, no_extension_errors, open_panel, theme, view

pytestmark = pytest.mark.browser

WIDE = {"width": 1800, "height": 1000}
DOCS = ROOT / "docs" / "img" if os.environ.get("JUPYTER_MLOPS_DOC_SHOTS") else SCREENSHOTS / "docs"
RAW_ID = re.compile(r"[0-9a-f]{16,}")


def start(tab: Tab, lab: Lab, reset: bool = True) -> None:
    """JupyterLab, wide, with its app object exposed (conftest's server says so)."""
    tab.page.set_viewport_size(WIDE)
    tab.page.goto(f"{lab.url}/lab?{'reset&' if reset else ''}token={lab.token}")
    tab.page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)
    tab.page.wait_for_function("window.jupyterapp && window.jupyterapp.commands"
                               ".hasCommand('jupyter-mlops:open-runs')", timeout=30_000)
    # a reset clears the saved state once the URL has lost ``reset``: a tab opened before
    # that would lose its saved state and not come back on reload
    tab.page.wait_for_function("!location.search.includes('reset')", timeout=30_000)


def command(tab: Tab, name: str, args: dict[str, Any] | None = None) -> None:
    tab.page.evaluate("([id, args]) => window.jupyterapp.commands.execute(id, args)"
                      ".then(() => null)", [f"jupyter-mlops:{name}", args or {}])


def main_view(tab: Tab, kind: str) -> Any:
    """The shown main-area tab of ``kind`` (run, lineage, …)."""
    return tab.page.locator(f"#jp-main-dock-panel .jp-mlops-main-{kind}:visible")


def doc_shot(tab: Tab, name: str) -> Path:
    """The main area as a small PNG for the README (see the module's docstring)."""
    from PIL import Image

    DOCS.mkdir(parents=True, exist_ok=True)
    path = DOCS / f"{name}.png"
    news = tab.page.locator(".Toastify__toast button", has_text="No")  # Jupyter news? No
    if news.count() and news.first.is_visible():
        with contextlib.suppress(PlaywrightError):  # a toast still sliding in stays in the shot
            news.first.click(timeout=5_000)
    tab.page.locator("#jp-main-dock-panel").screenshot(path=str(path))
    with Image.open(path) as shot:
        small = shot.convert("RGB")
        small.thumbnail((1100, 800))
        small.quantize(colors=128).save(path, optimize=True)
    return path


def test_a_header_click_sorts_on_the_server(tab: Tab, lab: Lab, jobs: str) -> None:
    """Each click asks the server for the runs in that order (every run, not the page's)."""
    start(tab, lab)
    command(tab, "open-runs")
    runs = main_view(tab, "runs")
    runs.locator(".jp-mlops-runs-table tbody tr").first.wait_for(timeout=30_000)
    header = runs.locator('th[data-column="metrics.auc"]')
    for order, state in (("metrics.auc", "ascending"), ("-metrics.auc", "descending")):
        with tab.page.expect_response(lambda r, o=order: "/jupyter-mlops/api/runs?" in r.url
                                      and f"order={o}&" in r.url + "&", timeout=30_000):
            header.locator("button").click()
        runs.locator(f'th[data-column="metrics.auc"][aria-sort="{state}"]').wait_for()
        tab.page.wait_for_function(
            "([order]) => { const t = [...document.querySelectorAll('.jp-mlops-main-runs "
            "td[data-column=\"metrics.auc\"]')].map(c => c.textContent)"
            ".filter(x => x !== '–').map(Number);"
            " return t.length >= 2 && t.every((x, i) => !i || (order === 'ascending'"
            " ? t[i - 1] <= x : t[i - 1] >= x)); }", arg=[state], timeout=20_000)
        texts = runs.locator('td[data-column="metrics.auc"]').all_inner_texts()
        having = [t for t in texts if t != "–"]
        assert texts[:len(having)] == having  # runs without auc come last


def test_a_model_version_opens_in_a_tab_of_its_own(tab: Tab, lab: Lab, jobs: str) -> None:
    """A click on a version line of the sidebar, and ``open-models`` with a version."""
    page = tab.page
    page.set_viewport_size(WIDE)
    open_panel(tab, lab)
    view(tab, "Models")
    page.locator(f'{PANEL} .jp-mlops-versions tr[data-version="1"] .jp-mlops-name button'
                 ).click(timeout=30_000)
    main_view(tab, "models").locator(".jp-mlops-model-version h3",
                                     has_text="churn:1").wait_for(timeout=30_000)
    page.wait_for_function("window.jupyterapp && window.jupyterapp.commands"
                           ".hasCommand('jupyter-mlops:open-models')", timeout=30_000)
    command(tab, "open-models", {"model": "churn", "version": 2})
    detail = main_view(tab, "models").locator(".jp-mlops-model-version")
    detail.locator("h3", has_text="churn:2").wait_for(timeout=30_000)
    assert detail.locator(".jp-mlops-version-metrics tr[data-key]").count() >= 1
    detail.locator(".jp-mlops-version-params tr[data-key]").first.wait_for(timeout=20_000)
    assert "registered" in detail.locator(".jp-mlops-registered").inner_text()
    assert detail.locator(".jp-mlops-version-signature tr[data-key]").count() >= 1
    detail.locator(".jp-mlops-version-run").wait_for()
    assert main_view(tab, "models").locator(".jp-mlops-versions").count() == 0  # not the list
    detail.locator(".jp-mlops-version-lineage").click()
    main_view(tab, "lineage").locator("g.jp-mlops-node").first.wait_for(timeout=30_000)
    no_extension_errors(tab)


def test_each_command_opens_its_tab_and_a_reload_restores_them(tab: Tab, lab: Lab,
                                                               jobs: str) -> None:
    page = tab.page
    start(tab, lab)
    command(tab, "open-runs")
    runs = main_view(tab, "runs")
    rows = runs.locator(".jp-mlops-runs-table tbody tr")
    rows.first.wait_for(timeout=30_000)
    for column in ("params.C", "metrics.auc", "metrics.score", "experiment", "status"):
        assert runs.locator(f'th[data-column="{column}"]').count() == 1, column
    # lowest auc first: the first row is the run the lineage graph's first run node opens
    runs.locator('th[data-column="metrics.auc"] button').click()
    runs.locator('th[data-column="metrics.auc"][aria-sort="ascending"]').wait_for()
    with page.expect_response(lambda r: "/jupyter-mlops/api/runs?" in r.url
                              and "q=churn" in r.url):  # the server filters
        runs.get_by_label("filter runs").fill("churn")
    page.wait_for_function(
        "() => { const cells = [...document.querySelectorAll('.jp-mlops-main-runs "
        "td[data-column=\"experiment\"]')].map(c => c.textContent);"
        " return cells.length > 0 && cells.every(t => t === 'churn'); }", timeout=20_000)
    doc_shot(tab, "views-runs-light")
    run_id = rows.first.get_attribute("data-run")

    command(tab, "open-run", {"runId": run_id})
    detail = main_view(tab, "run")
    detail.locator(".jp-mlops-detail h3", has_text=run_id).wait_for(timeout=30_000)
    detail.locator(".jp-mlops-timeline .jp-mlops-cell").first.wait_for(timeout=20_000)
    detail.locator('tr[data-key="auc"] button').click()  # the metric's chart
    detail.locator(".jp-mlops-line polyline").wait_for(timeout=20_000)
    doc_shot(tab, "views-run-light")
    command(tab, "open-run", {"runId": run_id})  # the same item: its tab, focused
    command(tab, "open-run")  # no id: the list view, already open
    main_view(tab, "runs").wait_for()
    assert page.locator(".jp-mlops-main-run").count() == 1
    assert page.locator(".jp-mlops-main-runs").count() == 1

    command(tab, "open-lineage", {"node": "churn:1"})
    graph = main_view(tab, "lineage").locator(".jp-mlops-graph-main")
    graph.locator("g.jp-mlops-node").first.wait_for(timeout=30_000)
    labels = graph.locator(".jp-mlops-node-label").all_text_contents()
    assert labels and not [t for t in labels if RAW_ID.search(t)], labels
    keys = graph.locator("g.jp-mlops-node").evaluate_all("ns => ns.map(n => n.dataset.key)")
    assert {"dataset", "fit", "run", "model_version"} <= {k.split("/")[0] for k in keys}
    assert not [k for k in keys if k.startswith("cell/")]  # folded into their run
    doc_shot(tab, "views-lineage-light")
    fold = graph.locator(".jp-mlops-fold")
    assert re.fullmatch(r"\+\d+ cells", fold.first.text_content() or "")
    fold.first.click()
    page.wait_for_function("document.querySelectorAll('.jp-mlops-graph-main "
                           "g.jp-mlops-node[data-key^=\"cell/\"]').length > 0", timeout=10_000)
    box = graph.get_attribute("viewBox")
    graph.hover()
    page.mouse.wheel(0, -400)  # zoom in
    page.wait_for_function(f"document.querySelector('.jp-mlops-graph-main')"
                           f".getAttribute('viewBox') !== {box!r}", timeout=5_000)
    graph.locator('g.jp-mlops-node[data-key^="run/"] > g[role="button"]').first.click()
    main_view(tab, "run").wait_for(timeout=10_000)  # the run's tab, the one already open
    assert page.locator(".jp-mlops-main-run").count() == 1

    command(tab, "open-drift")
    verdict = main_view(tab, "drift").locator(".jp-mlops-verdict", has_text="columns drifted")
    verdict.wait_for(timeout=30_000)
    assert "3 of 25 columns drifted" in verdict.inner_text()
    command(tab, "open-models", {"model": "churn"})
    main_view(tab, "models").locator('.jp-mlops-versions tr[data-version="2"]').wait_for(
        timeout=30_000)
    command(tab, "open-jobs")
    main_view(tab, "jobs").locator(f'tr[data-schedule="{jobs}"]').wait_for(timeout=30_000)
    doc_shot(tab, "views-jobs-light")
    theme(tab, "Dark")
    command(tab, "open-lineage", {"node": "churn:1"})
    main_view(tab, "lineage").locator("g.jp-mlops-node").first.wait_for(timeout=20_000)
    main_view(tab, "lineage").locator(".jp-mlops-fit").click()  # the whole graph again
    doc_shot(tab, "views-lineage-dark")
    command(tab, "open-runs")
    main_view(tab, "runs").locator("tbody tr").first.wait_for(timeout=20_000)
    doc_shot(tab, "views-runs-dark")
    theme(tab, "Light")

    def ours() -> set[str]:
        """The titles of the tabs this extension opened (JupyterLab's Launcher comes and goes)."""
        labels = page.locator("#jp-main-dock-panel .lm-TabBar-tabLabel").all_inner_texts()
        return {t for t in labels if t != "Launcher"}

    titles = ours()
    assert {"MLOps runs", "MLOps drift", "MLOps jobs", "Model churn"} <= titles, titles
    page.wait_for_timeout(3_000)  # the workspace is saved a moment after a change
    start(tab, lab, reset=False)
    page.wait_for_function(
        "document.querySelectorAll('#jp-main-dock-panel .jp-mlops-main').length >= 6",
        timeout=30_000)
    restored = ours()
    assert titles <= restored, (titles, restored)
    no_extension_errors(tab)


def test_a_sidebar_click_opens_a_main_area_tab(tab: Tab, lab: Lab) -> None:
    page = tab.page
    page.set_viewport_size(WIDE)
    open_panel(tab, lab)
    link = page.locator(f"{PANEL} .jp-mlops-run-link").first
    link.wait_for(timeout=30_000)
    link.click()
    main_view(tab, "run").locator(".jp-mlops-detail h3").wait_for(timeout=30_000)
    page.locator(f"{PANEL} .jp-mlops-tab", has_text="Lineage").click()
    ancestors = page.locator(f'{PANEL} ul[aria-label="ancestors"] li')
    ancestors.first.wait_for(timeout=30_000)
    shown = ancestors.locator(".jp-mlops-node-label").all_inner_texts()
    assert shown and not [t for t in shown if RAW_ID.search(t)], shown
    page.locator(f"{PANEL} .jp-mlops-open-graph").click()
    main_view(tab, "lineage").locator("g.jp-mlops-node").first.wait_for(timeout=30_000)
    page.locator(f"{PANEL} .jp-mlops-tab", has_text="Jobs").click()
    page.locator(f"{PANEL} .jp-mlops-open-main").click()  # this sidebar view, full size
    main_view(tab, "jobs").wait_for(timeout=20_000)
    no_extension_errors(tab)
