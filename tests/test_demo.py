"""`make demo` as a newcomer runs it (the same script, in a fresh store), twice."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.conftest import ROOT


def _demo(folder) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "example_notebooks" / "demo.py")],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "JUPYTER_MLOPS_DEMO_DIR": str(folder)})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_make_demo_runs_the_whole_loop_and_can_run_again(tmp_path):
    assert "example_notebooks/demo.py" in (ROOT / "Makefile").read_text()
    out = _demo(tmp_path)
    assert out.count("job: train.ipynb with") == 3 and out.count("succeeded in") == 4
    assert "DATASET DRIFT" in out and "alcohol" in out and "color_intensity" in out
    versions = re.search(r"==> Model versions and aliases\n(.*?)\n\n", out, re.S).group(1)
    assert "[champion]" in versions and len(versions.splitlines()) == 1 + 4  # 3 + retrain
    jobs = re.search(r"==> Jobs\n(.*?)\n\n", out, re.S).group(1)
    assert " trigger " in jobs  # the retraining job the monitor started
    assert "cells it depends on" in out and "make lab" in out
    assert (tmp_path / "store" / "jobs").is_dir()
    again = _demo(tmp_path)  # a second run adds runs, it does not fail
    versions = re.search(r"==> Model versions and aliases\n(.*?)\n\n", again, re.S).group(1)
    assert len(versions.splitlines()) == 1 + 8
