"""The run detail's artifacts in a real JupyterLab: a gallery of figures and cell outputs,
the file list (download), and a cell's displayed figure beside it in the timeline."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.conftest import Kernel
from tests.ui.conftest import Lab, Tab
from tests.ui.test_sidebar import MAIN_RUN, PANEL, no_extension_errors, open_panel

pytestmark = pytest.mark.browser

CELLS = [
    ("setup", "%config MLOps.capture_outputs = True\n%mlops experiment gallery"),
    ("plot", "import matplotlib.pyplot as plt\nplt.plot([1, 4, 2, 5])\n"
             "plt.title('displayed in its cell')\nplt.show()"),
    ("log", "import matplotlib\nfig, ax = plt.subplots()\nax.bar(['a', 'b', 'c'], [3, 1, 2])\n"
            "ax.set_title('logged')\nmlops.log_figure(fig, 'bars')\nplt.close(fig)\n"
            "import os, pathlib\nos.makedirs('report', exist_ok=True)\n"
            "pathlib.Path('report/summary.txt').write_text('auc 0.91')\n"
            "mlops.log_artifact('report')\nmlops.log_text('all good', 'notes.md')"),
]


@pytest.fixture(scope="module")
def gallery_run(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A run with a displayed figure, a logged figure, a folder and a text, in the lab's store."""
    cwd = tmp_path_factory.mktemp("gallery")
    kernel = Kernel({**os.environ, "JUPYTER_MLOPS_HOME": str(lab.store)}, cwd)
    try:
        kernel.record(CELLS)
        status = kernel.run("%mlops status")["stdout"]
    finally:
        kernel.shutdown()
    return next(line.split()[1] for line in status.splitlines() if line.startswith("run:"))


def _loaded(page: Any, selector: str) -> int:
    """How many images under ``selector`` have been drawn (fetched, decoded)."""
    return int(page.locator(selector).evaluate_all(
        "imgs => imgs.filter(i => i.complete && i.naturalWidth > 0).length"))


def test_gallery_file_list_and_the_figure_beside_its_cell(tab: Tab, lab: Lab,
                                                         gallery_run: str) -> None:
    page = tab.page
    open_panel(tab, lab)
    page.locator(f"{PANEL} tr[data-run='{gallery_run}'] .jp-mlops-run-link").click()
    gallery = f"{MAIN_RUN} .jp-mlops-gallery img"
    page.wait_for_function(
        f"[...document.querySelectorAll('{gallery}')]"
        ".filter(i => i.complete && i.naturalWidth > 0).length >= 2", timeout=30_000)
    names = page.locator(f"{MAIN_RUN} .jp-mlops-gallery figcaption").all_inner_texts()
    assert names == ["cell2-output1.png", "bars.png"]  # by cell; the SVG twin not repeated
    listed = page.locator(f"{MAIN_RUN} .jp-mlops-artifact-list tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.artifact)")
    assert sorted(listed) == ["bars.png", "bars.svg", "cell2-output1.png", "notes.md",
                              "report"]
    thumbs = f"{MAIN_RUN} .jp-mlops-timeline li:has([data-cell-id='plot']) img.jp-mlops-thumb"
    page.wait_for_function(
        f"[...document.querySelectorAll(\"{thumbs}\")].some(i => i.naturalWidth > 0)",
        timeout=20_000)
    assert _loaded(page, thumbs) == 1
    log_row = f"{MAIN_RUN} .jp-mlops-timeline li:has([data-cell-id='log']) img.jp-mlops-thumb"
    assert page.locator(log_row).count() == 1  # the logged figure, beside the cell logging it
    page.locator(f"{MAIN_RUN} .jp-mlops-gallery").scroll_into_view_if_needed()
    tab.screenshot("sidebar-artifacts-light")
    with page.expect_download() as download:
        page.locator(f"{MAIN_RUN} .jp-mlops-artifact-list button", has_text="notes.md").click()
    assert download.value.suggested_filename == "notes.md"
    with open(download.value.path(), "rb") as f:
        assert f.read() == b"all good"
    page.set_viewport_size({"width": 2400, "height": 1200})
    page.wait_for_timeout(500)
    tab.screenshot("sidebar-artifacts-wide")
    assert _loaded(page, gallery) == 2
    no_extension_errors(tab)
