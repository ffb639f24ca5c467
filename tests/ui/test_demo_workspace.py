"""`make lab` opens JupyterLab in the demo workspace, with the MLOps panel shown."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT
from tests.ui.conftest import Lab, Tab

WORKSPACE = ROOT / "example_notebooks" / "demo.jupyterlab-workspace"


def test_make_lab_opens_the_mlops_panel(tab: Tab, lab: Lab) -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "workspaces import example_notebooks/demo.jupyterlab-workspace" in makefile
    assert "--LabApp.default_url=/lab/workspaces/mlops-demo" in makefile
    config = lab.store.parent / "cfg"  # the lab fixture's JUPYTER_CONFIG_DIR
    done = subprocess.run([sys.executable, "-m", "jupyterlab", "workspaces", "import",
                           str(WORKSPACE)], capture_output=True, text=True,
                          env={**os.environ, "JUPYTER_CONFIG_DIR": str(config)})
    assert done.returncode == 0, done.stderr
    tab.page.goto(f"{lab.url}/lab/workspaces/mlops-demo?token={lab.token}")
    tab.page.wait_for_selector(".jp-LabShell", timeout=90_000)
    tab.page.wait_for_selector("#jupyter-mlops-panel .jp-mlops-runs tbody tr", timeout=60_000)
    assert tab.page.locator("#jupyter-mlops-panel").bounding_box()["width"] > 400
    tab.screenshot("make-lab")
