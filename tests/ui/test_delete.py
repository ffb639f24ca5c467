"""Deleting a run from the sidebar in a real JupyterLab: a confirmation dialog, the run gone
from the list, who deleted it recorded; a run a model version references is refused with
the reason. On a store of its own (the shared lab's runs stay for the other tests)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jupyter_mlops import events as ev
from jupyter_mlops.store import Store, db
from tests.ui.conftest import Lab, Tab, serving_events, tab_on
from tests.ui.test_sidebar import MAIN_RUN, PANEL, no_extension_errors, open_panel

RUN_TAB = f"{MAIN_RUN}:visible"  # the run's detail: a tab of the main area

pytestmark = pytest.mark.browser

KEEPER, SCRATCH = "a" * 32, "b" * 32


@pytest.fixture(scope="module")
def own_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab on a store with two finished runs: ``KEEPER`` made model version m:1."""
    runs = [[ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": experiment,
                                       "kind": "interactive"}),
             ev.Event(ev.METRICS, {"run_id": run_id, "metrics": {"auc": 0.5}}),
             ev.Event(ev.RUN_ENDED, {"run_id": run_id, "status": "finished"})]
            for run_id, experiment in ((KEEPER, "kept"), (SCRATCH, "scratch"))]
    with serving_events(tmp_path_factory.mktemp("delete"), *runs, [ev.Event(
            ev.MODEL_VERSION, {"run_id": KEEPER, "name": "m", "version": 1})]) as served:
        yield served


own_tab = tab_on("own_lab")


def open_run(tab: Tab, experiment: str) -> None:
    runs = tab.page.locator(f"{PANEL} .jp-mlops-runs")
    runs.get_by_label("experiment").select_option(experiment)  # rows show names, not it
    runs.locator(f"tbody tr .jp-mlops-run-link[title*='experiment {experiment}']").click()
    tab.page.locator(f"{RUN_TAB} .jp-mlops-detail h3").wait_for(timeout=20_000)


def test_delete_a_run_from_its_detail(own_tab: Tab, own_lab: Lab) -> None:
    page = own_tab.page
    open_panel(own_tab, own_lab)
    rows = page.locator(f"{PANEL} .jp-mlops-runs tbody tr")
    rows.nth(1).wait_for(timeout=30_000)
    open_run(own_tab, "scratch")
    page.locator(f"{RUN_TAB} .jp-mlops-delete").click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=10_000)
    assert f"Delete run {SCRATCH[:8]}" in dialog.inner_text()
    own_tab.screenshot("sidebar-delete-dialog")
    dialog.get_by_role("button", name="Cancel").click()  # cancelling deletes nothing
    dialog.wait_for(state="detached")
    page.locator(f"{RUN_TAB} .jp-mlops-delete").click()
    dialog.get_by_role("button", name="Delete").click()
    page.wait_for_function(  # back on the list, the run gone from it
        f"document.querySelectorAll('{PANEL} .jp-mlops-runs tbody tr').length === 1",
        timeout=20_000)
    # the sidebar's list, still on the experiment, loses the run at its next poll
    page.locator(f"{PANEL} .jp-mlops-runs tbody tr[data-run='{SCRATCH}']").wait_for(
        state="detached", timeout=30_000)
    # its tab closes at the next poll (no 404 at every poll), and says so once
    page.locator(MAIN_RUN, has_text=SCRATCH).wait_for(state="detached", timeout=30_000)
    page.locator(".Toastify__toast", has_text="no longer exists").wait_for(timeout=10_000)
    with db.connect(Store.open(own_lab.store), write=False) as con:
        (deleted, by), = db.run(con, "SELECT run_id, deleted_by FROM run_deletions")
    assert deleted == SCRATCH and by

    open_run(own_tab, "kept")  # a version references it: refused, and it says so
    page.locator(f"{RUN_TAB} .jp-mlops-delete").click()
    dialog.get_by_role("button", name="Delete").click()
    refusal = page.locator(f"{RUN_TAB} .jp-mlops-detail .jp-mlops-error")
    refusal.wait_for(timeout=20_000)
    assert "model version(s) m:1" in refusal.inner_text()
    own_tab.screenshot("sidebar-delete-refused")
    no_extension_errors(own_tab)

