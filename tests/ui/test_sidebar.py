"""The MLOps sidebar in a real JupyterLab on a store recorded by real kernels and jobs:
runs listed and live, run detail and a cell click landing in the notebook, compare,
promote (and a refusal), lineage, drift histograms, jobs; light and dark screenshots."""

from __future__ import annotations

import contextlib
import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import ROOT
from tests.ui.conftest import Lab, Tab, open_lab

pytestmark = pytest.mark.browser

PANEL = "#jupyter-mlops-panel"
MAIN_RUN = "#jp-main-dock-panel .jp-mlops-main-run"
LIVE = ["%load_ext jupyter_mlops",
        "import jupyter_mlops as mlops\nmlops.log_param('live', 42)",
        *[f"x{i} = {i}\n" + "\n".join(f"# line {j}" for j in range(8)) for i in range(12)]]


def open_panel(tab: Tab, lab: Lab, path: str | None = None, palette: bool = False) -> None:
    """JupyterLab (on a document, if given) with the MLOps panel shown: from the command
    palette entry, or its sidebar icon (a restored workspace may have shown it already)."""
    if path is None:  # JupyterLab alone, no document
        tab.page.goto(f"{lab.url}/lab?reset&token={lab.token}")
        tab.page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)
    else:
        open_lab(tab, lab, path)
    icon = tab.page.locator('.jp-SideBar [data-id="jupyter-mlops-panel"]')
    icon.wait_for(timeout=30_000)
    if palette:  # the shortcut goes nowhere until the shell has focus: try until it opens
        # (a click while the palette is opening would close it again: press only while it
        # is not shown, then give it time to appear)
        search = tab.page.locator(".lm-CommandPalette-input:visible")
        for _ in range(20):
            if search.count():
                break
            tab.page.locator("#jp-main-dock-panel").click(position={"x": 5, "y": 5})
            tab.page.keyboard.press("Control+Shift+C")
            with contextlib.suppress(PlaywrightTimeout):
                search.wait_for(timeout=3_000)
        search.fill("MLOps: open panel")
        tab.page.keyboard.press("Enter")
    else:  # the icon toggles, and a restored layout may still be settling: look, then click
        tabs = tab.page.locator(f"{PANEL} .jp-mlops-tabs")
        for _ in range(5):
            tab.page.wait_for_timeout(500)
            if tabs.is_visible():
                break
            icon.click()
    tab.page.wait_for_selector(f"{PANEL} .jp-mlops-tabs", timeout=30_000)


def theme(tab: Tab, name: str) -> None:
    """Switch JupyterLab to its Light or Dark theme from the Settings menu."""
    tab.page.locator(".lm-MenuBar-itemLabel", has_text="Settings").first.click()
    tab.page.locator(".lm-Menu-itemLabel", has_text="Theme").first.hover()
    tab.page.locator(".lm-Menu-itemLabel", has_text=f"JupyterLab {name}").first.click()
    light = "true" if name == "Light" else "false"
    tab.page.wait_for_selector(f"body[data-jp-theme-light='{light}']", state="attached",
                               timeout=20_000)


def view(tab: Tab, name: str) -> None:
    tab.page.locator(f"{PANEL} .jp-mlops-tab", has_text=name).click()


def no_extension_errors(tab: Tab) -> None:
    problems = [e for e in tab.errors if re.search(r"mlops|jupyter-mlops", e, re.I)]
    assert not problems, problems


def test_the_lab_loads_this_checkouts_build(tab: Tab, lab: Lab) -> None:
    """The extension JupyterLab serves is the one built into jupyter_mlops/labextension (an
    older copy installed elsewhere on the Jupyter path would hide a change)."""
    open_panel(tab, lab)
    config = json.loads(tab.page.locator("#jupyter-config-data").text_content())
    (ours,) = [e for e in config["federated_extensions"] if e["name"] == "jupyter-mlops"]
    built = ROOT / "jupyter_mlops" / "labextension" / "static" / Path(ours["load"]).name
    assert built.is_file(), f"JupyterLab loads {ours['load']}, not this checkout's build"
    no_extension_errors(tab)


def test_runs_listed_sorted_compared(tab: Tab, lab: Lab) -> None:
    page = tab.page
    started = time.monotonic()
    open_panel(tab, lab, palette=True)
    rows = page.locator(f"{PANEL} .jp-mlops-runs tbody tr")
    rows.first.wait_for(timeout=30_000)
    print(f"first page of runs shown {time.monotonic() - started:.2f} s after opening lab")
    # one line per run: its name, not the experiment (the experiment filter picks churn's)
    page.locator(f"{PANEL} .jp-mlops-runs").get_by_label("experiment").select_option("churn")
    page.wait_for_function(
        "document.querySelectorAll('#jupyter-mlops-panel .jp-mlops-runs tbody tr').length == 2",
        timeout=20_000)
    churn = rows
    aucs = churn.locator('td[data-column="metrics.auc"]').all_inner_texts()
    assert sorted(aucs) == ["0.82", "0.88"]  # the latest value of each run's stepped auc
    with page.expect_response(lambda r: "/jupyter-mlops/api/runs?" in r.url
                              and "order=metrics.auc" in r.url):  # the server sorts every run
        page.locator(f'{PANEL} th[data-column="metrics.auc"] button').click()
    page.wait_for_selector(f'{PANEL} th[data-column="metrics.auc"][aria-sort="ascending"]')
    page.wait_for_function(
        "(() => { const v = [...document.querySelectorAll("
        "'#jupyter-mlops-panel td[data-column=\"metrics.auc\"]')]"
        ".map(td => td.textContent).filter(t => t !== '–').map(Number);"
        " return v.length == 2 && v[0] <= v[1]; })()", timeout=20_000)
    page.locator(f"{PANEL} .jp-mlops-runs").evaluate(  # sorting scrolled to the header
        "n => { for (let e = n; e; e = e.parentElement) e.scrollLeft = 0; }")
    tab.screenshot("sidebar-runs-light")
    page.set_viewport_size({"width": 2400, "height": 1200})
    tab.screenshot("sidebar-runs-wide")
    page.set_viewport_size({"width": 1400, "height": 900})

    # (other tests' runs may share this store: the filter must keep exactly churn's)
    of_churn = churn.count()
    first = rows.first.get_attribute("data-run")
    with page.expect_response(lambda r: "/jupyter-mlops/api/runs?" in r.url
                              and f"q={first}" in r.url):  # the server filters
        page.get_by_label("filter runs").fill(first)
    page.wait_for_function(
        "document.querySelectorAll('#jupyter-mlops-panel .jp-mlops-runs tbody tr').length == 1",
        timeout=20_000)
    assert rows.first.get_attribute("data-run") == first
    page.get_by_label("filter runs").fill("no-such-run-anywhere")
    page.get_by_text("No run matches these filters.").wait_for(timeout=20_000)
    page.get_by_label("filter runs").fill("churn")  # the experiment's name
    page.wait_for_function(
        "document.querySelectorAll('#jupyter-mlops-panel .jp-mlops-runs tbody tr').length == "
        f"{of_churn}", timeout=20_000)
    assert churn.count() == of_churn == 2

    for row in range(2):
        churn.nth(row).locator('input[type="checkbox"]').check()
    page.locator(f"{PANEL} .jp-mlops-compare").click()
    table = page.locator(f"{PANEL} .jp-mlops-comparison")
    table.locator('tr.jp-mlops-differs[data-key="params.C"]').wait_for(timeout=20_000)
    assert table.locator('tr[data-key="metrics.auc"] td').count() == 2
    page.wait_for_function(
        "document.querySelectorAll('#jupyter-mlops-panel .jp-mlops-line polyline').length == 2",
        timeout=20_000)
    tab.screenshot("sidebar-compare-light")
    no_extension_errors(tab)


def test_live_run_and_cell_click_lands_on_the_cell(tab: Tab, lab: Lab) -> None:
    page = tab.page
    name = lab.write_notebook("live.ipynb", LIVE)
    open_panel(tab, lab, name)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    # no reload: the poll brings the new run in, named after its notebook
    row = page.locator(f"{PANEL} .jp-mlops-runs tbody "
                       f"tr:has(.jp-mlops-run-link:text-matches('^live-[0-9a-f]{{4}}$'))")
    row.wait_for(timeout=60_000)  # a kernel runs every cell first: slow on a loaded machine
    assert "/live.ipynb" in row.locator(".jp-mlops-run-link").get_attribute("title")
    row.locator(".jp-mlops-run-link").click()  # the run's detail: a tab of the main area
    cells = page.locator(f"{MAIN_RUN} .jp-mlops-timeline .jp-mlops-cell")
    page.wait_for_function(
        f"document.querySelectorAll('{MAIN_RUN} .jp-mlops-timeline .jp-mlops-cell')"
        ".length"
        f" >= {len(LIVE) - 1}", timeout=60_000)  # from the cell after %load_ext
    target_id = json.loads((lab.notebooks / name).read_text())["cells"][1]["id"]
    target = cells.and_(page.locator(f'[data-cell-id="{target_id}"]'))
    assert "import jupyter_mlops" in target.inner_text()
    tab.screenshot("sidebar-run-detail-light")
    page.locator(".jp-Notebook").first.evaluate("n => n.scrollTop = n.scrollHeight")
    target.click()
    active = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell.jp-mod-active")
    page.wait_for_function(
        "[...document.querySelectorAll('.jp-Cell.jp-mod-active')]"
        ".some(c => c.textContent.includes(\"log_param('live', 42)\"))", timeout=20_000)
    box, view_box = active.bounding_box(), page.locator(".jp-WindowedPanel-outer").first \
        .bounding_box()
    assert view_box["y"] <= box["y"] < view_box["y"] + view_box["height"]  # scrolled to
    # a cell links to its node in the lineage graph (REST gives each cell its event_id)
    page.locator(".lm-TabBar-tabLabel", has_text="Run ").click()  # back to the run's tab
    page.locator(f'{MAIN_RUN} .jp-mlops-timeline li:has([data-cell-id="{target_id}"]) '
                 f'.jp-mlops-cell-lineage').click()
    graph = page.locator("#jp-main-dock-panel .jp-mlops-graph-main:visible")
    graph.wait_for(timeout=20_000)
    keys = graph.locator("g.jp-mlops-node").evaluate_all("ns => ns.map(n => n.dataset.key)")
    assert [k for k in keys if k.startswith("cell/")]  # this cell touched no data: itself
    tab.screenshot("sidebar-cell-lineage-light")
    no_extension_errors(tab)


def test_models_promote_and_refusal_lineage_drift(tab: Tab, lab: Lab) -> None:
    page = tab.page
    open_panel(tab, lab)
    view(tab, "Models")
    v1 = page.locator(f'{PANEL} .jp-mlops-versions tr[data-version="1"]')
    v2 = page.locator(f'{PANEL} .jp-mlops-versions tr[data-version="2"]')
    v1.wait_for(timeout=20_000)
    assert "champion" in v1.locator(".jp-mlops-aliases").inner_text()
    # one line per version: its promote form opens below it
    form1 = page.locator(f'{PANEL} tr[data-version="1"] + tr.jp-mlops-promote-row')
    form2 = page.locator(f'{PANEL} tr[data-version="2"] + tr.jp-mlops-promote-row')
    v1.get_by_label("promote version 1").click()
    form1.get_by_label("alias for version 1").fill("challenger")
    form1.get_by_label("gate for version 1").fill("auc >= 0.85")
    form1.get_by_role("button", name="Promote").click()
    refusal = form1.locator(".jp-mlops-error")
    refusal.wait_for(timeout=20_000)
    assert "auc" in refusal.inner_text() and "0.85" in refusal.inner_text()
    v2.get_by_label("promote version 2").click()
    form2.get_by_label("alias for version 2").fill("challenger")
    form2.get_by_label("gate for version 2").fill("auc >= 0.85")
    form2.get_by_role("button", name="Promote").click()
    page.wait_for_selector(f'{PANEL} tr[data-version="2"] .jp-mlops-tag:has-text("challenger")',
                           timeout=20_000)
    assert "challenger" not in v1.locator(".jp-mlops-aliases").inner_text()
    tab.screenshot("sidebar-models-light")

    v1.get_by_role("button", name="v1").click()  # the version's own tab
    page.locator("#jp-main-dock-panel .jp-mlops-model-version h3",
                 has_text="churn:1").wait_for(timeout=20_000)
    view(tab, "Lineage")  # what it came from, as a list
    form = page.locator(f"{PANEL} .jp-mlops-lineage").get_by_label("lineage of")
    ancestors = page.locator(f'{PANEL} ul[aria-label="ancestors"] li')
    for attempt in range(3):  # an Enter while the tab is still mounting can be lost
        form.fill("churn:1")
        form.press("Enter")
        try:
            ancestors.first.wait_for(timeout=20_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    kinds = {k.split("/", 1)[0] for k in ancestors.evaluate_all(
        "nodes => nodes.map(n => n.dataset.key)")}
    assert {"dataset", "fit", "run"} <= kinds
    tab.screenshot("sidebar-lineage-light")
    page.locator(f"{PANEL} .jp-mlops-open-graph").click()  # the whole graph: main area
    graph = page.locator("#jp-main-dock-panel .jp-mlops-graph-main:visible")
    run_node = graph.locator('g.jp-mlops-node[data-key^="run/"] > g[role="button"]').first
    run_node.wait_for(timeout=20_000)
    run_node.focus()
    page.keyboard.press("Enter")  # keyboard works as a click: the run's tab
    page.wait_for_selector(f"{MAIN_RUN} .jp-mlops-detail h3", timeout=20_000)

    view(tab, "Drift")
    verdict = page.locator(f"{PANEL} .jp-mlops-verdict", has_text="columns drifted")
    verdict.wait_for(timeout=20_000)  # (a model's performance above it has a verdict too)
    assert "3 of 25 columns drifted" in verdict.inner_text()
    rows = page.locator(f"{PANEL} .jp-mlops-columns tbody tr")
    assert rows.count() == 25
    assert page.locator(f"{PANEL} .jp-mlops-histogram-small").count() == 25
    rows.and_(page.locator('[data-column="plan"]')).get_by_role("button").click()
    big = page.locator(f"{PANEL} .jp-mlops-histogram:not(.jp-mlops-histogram-small)")
    big.wait_for(timeout=10_000)
    assert big.locator("rect.jp-mlops-bar-current").count() == 3  # basic, pro, team
    tab.screenshot("sidebar-drift-light")
    no_extension_errors(tab)


def test_jobs_run_now_output_and_dark_theme(tab: Tab, lab: Lab, jobs: str) -> None:
    page = tab.page
    open_panel(tab, lab)
    view(tab, "Jobs")
    schedule = page.locator(f'{PANEL} tr[data-schedule="{jobs}"]')
    schedule.wait_for(timeout=30_000)
    assert "0 6 * * *" in schedule.inner_text()
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", schedule.inner_text())  # next run
    schedule.get_by_role("button", name="Pause").click()
    schedule.get_by_role("button", name="Resume").wait_for(timeout=20_000)
    assert "paused" in schedule.inner_text()
    schedule.get_by_role("button", name="Resume").click()
    schedule.get_by_role("button", name="Pause").wait_for(timeout=20_000)
    jobs_rows = page.locator(f"{PANEL} .jp-mlops-job-runs tbody tr")
    jobs_rows.first.wait_for(timeout=30_000)
    before = jobs_rows.count()
    schedule.get_by_role("button", name="Run now").click()
    schedule.get_by_text("started run").wait_for(timeout=20_000)
    page.wait_for_function(
        f"document.querySelectorAll('#jupyter-mlops-panel .jp-mlops-job-runs tbody tr')"
        f".length > {before}", timeout=60_000)
    page.wait_for_selector(f'{PANEL} tr[data-schedule="{jobs}"] .jp-mlops-status-succeeded',
                           timeout=90_000)
    page.locator(f"{PANEL} .jp-mlops-job-runs .jp-mlops-output").first.click()
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell:has-text('mlops.log_metric')",
                           timeout=30_000)
    assert list((lab.notebooks / "mlops-job-outputs").glob("*-score.ipynb"))
    tab.screenshot("sidebar-jobs-light")

    theme(tab, "Dark")
    background = page.locator(PANEL).evaluate("n => getComputedStyle(n).backgroundColor")
    assert background != "rgb(255, 255, 255)"
    tab.screenshot("sidebar-jobs-dark")
    view(tab, "Drift")
    page.wait_for_selector(f"{PANEL} .jp-mlops-histogram-small", timeout=20_000)
    tab.screenshot("sidebar-drift-dark")
    view(tab, "Runs")
    page.wait_for_selector(f"{PANEL} .jp-mlops-runs tbody tr", timeout=20_000)
    tab.screenshot("sidebar-runs-dark")
    theme(tab, "Light")
    no_extension_errors(tab)
