"""The sidebar as a navigator at the left area's default width (and at 300 px): empty sections
show how to record the first run; then, on a store a real kernel filled with a sweep, one
line per run whose names differ, whose status and metric lie inside the panel."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Kernel
from tests.ui.conftest import Lab, Tab, serving
from tests.ui.test_sidebar import PANEL, open_panel, theme, view

pytestmark = pytest.mark.browser

#: Twelve runs of one experiment, each with its own auc, started within a second.
SWEEP = ("import jupyter_mlops as mlops\n"
         "for i in range(12):\n"
         "    mlops.tracker().start_run('sweep')\n"
         "    mlops.log_params(C=2.0 ** -i)\n"
         "    mlops.log_metrics({'auc': 0.7 + i / 100, 'loss': 1 / (i + 1)})\n")
RAW_ID = re.compile(r"^[0-9a-f]{8,}$")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab on a store nothing was recorded into yet."""
    base = tmp_path_factory.mktemp("navigator")
    with serving(base / "store", base) as served:
        yield served


def _fill(store: Path) -> None:
    kernel = Kernel({**os.environ, "JUPYTER_MLOPS_HOME": str(store)}, store.parent)
    try:
        kernel.record([("sweep", SWEEP)], timeout=120)
    finally:
        kernel.shutdown()


def _inside(tab: Tab, selector: str) -> list[str]:
    """The elements of ``selector`` (in the panel) whose box does not lie inside the panel's."""
    return tab.page.evaluate("""([panel, selector]) => {
        const p = document.querySelector(panel).getBoundingClientRect();
        return [...document.querySelectorAll(`${panel} ${selector}`)].filter(e => {
            const b = e.getBoundingClientRect();
            return b.left < p.left - 0.5 || b.right > p.right + 0.5;
        }).map(e => `${e.outerHTML.slice(0, 80)} at ${e.getBoundingClientRect().left}..` +
            `${e.getBoundingClientRect().right}, the panel ${p.left}..${p.right}`);
    }""", [PANEL, selector])


def _width(tab: Tab, px: int) -> None:
    """Drag the left area's edge until the panel is ``px`` wide."""
    panel = tab.page.locator(PANEL).bounding_box()
    handle = tab.page.locator("#jp-main-split-panel > .lm-SplitPanel-handle").first
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    tab.page.mouse.move(x, y)
    tab.page.mouse.down()
    tab.page.mouse.move(x + px - panel["width"], y, steps=5)
    tab.page.mouse.up()
    tab.page.wait_for_function(
        f"Math.abs(document.querySelector('{PANEL}').getBoundingClientRect().width - {px}) < 3",
        timeout=10_000)


def test_empty_store_shows_how_to_record_then_a_sweep_reads_at_the_default_width(
        tab: Tab, fresh: Lab) -> None:
    page = tab.page
    open_panel(tab, fresh)
    for name, wanted in (("Runs", "%load_ext jupyter_mlops"),
                         ("Models", "mlops.register(model"), ("Drift", "mlops.drift(")):
        view(tab, name)
        snippet = page.locator(f"{PANEL} .jp-mlops-snippet pre")
        snippet.wait_for(timeout=30_000)
        assert wanted in snippet.inner_text()
        assert page.locator(f"{PANEL} .jp-mlops-error").count() == 0, name
    view(tab, "Runs")
    tab.screenshot("navigator-empty")

    _fill(fresh.store)
    rows = page.locator(f"{PANEL} .jp-mlops-runs tbody tr")
    page.wait_for_function(
        f"document.querySelectorAll('{PANEL} .jp-mlops-runs tbody tr').length >= 12",
        timeout=60_000)
    default = page.locator(PANEL).bounding_box()["width"]
    for width in (default, 300):
        if width != default:
            _width(tab, 300)
        names = rows.locator(".jp-mlops-run-link").all_inner_texts()[:10]
        assert len(set(names)) == 10 and not [n for n in names if RAW_ID.match(n)], names
        assert page.locator(f"{PANEL} th[data-column='metrics.auc']").count() == 1
        for selector in (".jp-mlops-status-icon", "td[data-column='metrics.auc']",
                         "td[data-column='started']", ".jp-mlops-toolbar > *"):
            assert not _inside(tab, selector), (width, selector, _inside(tab, selector))
        scroll = page.locator(f"{PANEL} .jp-mlops-view").evaluate(
            "n => n.scrollWidth - n.clientWidth")
        assert scroll <= 0, f"the runs list scrolls sideways at {width} px"
        texts = rows.first.inner_text()
        assert "ago" in texts or "just now" in texts
    page.get_by_label("metric shown").select_option("loss")
    page.wait_for_selector(f"{PANEL} th[data-column='metrics.loss']", timeout=10_000)
    page.locator(PANEL).screenshot(path=str(_shot(tab, "sidebar-light")))
    theme(tab, "Dark")
    page.locator(PANEL).screenshot(path=str(_shot(tab, "sidebar-dark")))
    assert not _inside(tab, "td[data-column='metrics.loss']")
    theme(tab, "Light")


def _shot(tab: Tab, name: str) -> Path:
    """Where a screenshot of the panel alone goes (copied into docs/img for the README)."""
    return tab.screenshot(f"last-{name}").with_name(f"{name}.png")
