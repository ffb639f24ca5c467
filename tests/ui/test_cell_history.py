"""The run detail's "Cell history" in a real JupyterLab, on a store filled by real papermill
jobs of one notebook: three quick runs, one made slow by its parameter, one that raises. The
slow run lists its slow cell with a sparkline of its durations; screenshots at the default
layout (1400×900, the sidebar at its default width) and wide."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from jupyter_mlops.store import Store, queries
from tests.conftest import run_python
from tests.jobs.conftest import write_notebook
from tests.ui.conftest import Lab, Tab, new_tab, serving
from tests.ui.test_sidebar import MAIN_RUN, PANEL, no_extension_errors, open_panel

pytestmark = pytest.mark.browser

WORK = "import time\ntime.sleep(delay)\nassert not fail, 'broken'"


@pytest.fixture(scope="module")
def history_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab on a store of five jobs of one notebook (its own: the shared lab's runs
    are counted by other tests)."""
    base = tmp_path_factory.mktemp("history")
    store = base / "store"
    (base / "notebooks").mkdir()  # the server's root: a flagged cell opens in it
    nb = write_notebook(base / "notebooks" / "nightly.ipynb", "x = delay * 2", WORK,
                        parameters="delay = 0.02\nfail = False")
    plan = [{}, {"delay": 0.03}, {}, {"delay": 0.6}, {"fail": True}]
    code = (f"import jupyter_mlops as mlops\n"
            f"for p in {plan!r}:\n"
            f"    mlops.jobs.run({str(nb)!r}, p, experiment='nightly')\n")
    done = run_python(code, env={"JUPYTER_MLOPS_HOME": str(store)})
    assert done.returncode == 0, done.stderr
    with serving(store, base) as served:
        yield served


@pytest.fixture
def history_tab(browser: Any, history_lab: Lab, request: pytest.FixtureRequest) -> Iterator[Tab]:
    with new_tab(browser, request.node.name) as opened:
        yield opened


def _open_run(tab: Tab, lab: Lab, delay: str) -> Any:
    """The run detail of the job run with ``delay``; returns its cell history section."""
    page = tab.page
    found = queries.runs(Store.open(lab.store))  # the list shows names, not params
    run_id = found.loc[found["params.delay"].astype(str) == delay, "run_id"].iloc[0]
    row = page.locator(f"{PANEL} .jp-mlops-runs tbody tr[data-run='{run_id}']")
    row.wait_for(timeout=30_000)
    row.locator(".jp-mlops-run-link").click()
    section = page.locator(f"{MAIN_RUN}:visible .jp-mlops-cell-history")  # its tab
    section.wait_for(timeout=30_000)
    return section


def test_the_slow_run_shows_its_slow_cell_with_its_history(history_tab: Tab,
                                                           history_lab: Lab) -> None:
    page = history_tab.page
    open_panel(history_tab, history_lab)
    section = _open_run(history_tab, history_lab, "0.6")
    flagged = section.locator("li[data-flag='slower']")
    flagged.first.wait_for(timeout=30_000)
    assert flagged.count() == 1
    assert "time.sleep(delay)" not in flagged.inner_text()  # the first line only
    assert "import time" in flagged.inner_text()
    assert "× slower" in flagged.inner_text() and "4 executions so far" in flagged.inner_text()
    points = flagged.locator("svg.jp-mlops-sparkline circle")
    assert points.count() == 4  # the executions up to this run, oldest first
    assert points.evaluate_all("cs => cs.map(c => c.dataset.flag)") == ["", "", "", "slower"]
    box = flagged.locator("svg.jp-mlops-sparkline").bounding_box()
    panel = page.locator(f"{MAIN_RUN}:visible").bounding_box()
    assert box["x"] + box["width"] <= panel["x"] + panel["width"]  # readable, not cut off
    section.scroll_into_view_if_needed()
    history_tab.screenshot("sidebar-cell-history-light")
    page.set_viewport_size({"width": 2400, "height": 1200})
    history_tab.screenshot("sidebar-cell-history-wide")
    page.set_viewport_size({"width": 1400, "height": 900})
    flagged.locator("button.jp-mlops-link").click()  # the cell, in its notebook
    page.wait_for_function(
        "[...document.querySelectorAll('.jp-Cell.jp-mod-active')]"
        ".some(c => c.textContent.includes('time.sleep(delay)'))", timeout=30_000)
    no_extension_errors(history_tab)


def test_the_failing_run_and_a_quiet_one(history_tab: Tab, history_lab: Lab) -> None:
    open_panel(history_tab, history_lab)
    section = _open_run(history_tab, history_lab, "0.02")  # newest with 0.02: the failure
    failing = section.locator("li[data-flag='failing']")
    failing.first.wait_for(timeout=30_000)
    assert "failing: it raised here" in failing.inner_text()
    assert failing.locator("circle[data-flag='failing']").count() == 1
    section = _open_run(history_tab, history_lab, "0.03")
    section.locator(".jp-mlops-empty").wait_for(timeout=30_000)
    assert "No cell of this run became slower" in section.inner_text()
    no_extension_errors(history_tab)
