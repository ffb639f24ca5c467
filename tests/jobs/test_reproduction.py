"""Reproduce: the recorded content and params run again; changes are announced."""

from __future__ import annotations

import nbformat
import pytest

import jupyter_mlops as mlops
from jupyter_mlops.jobs.reproduction import ReproducibilityWarning
from jupyter_mlops.store import queries
from tests.conftest import cli


def test_reproduce_runs_the_recorded_content_and_compares(tracked, notebook):
    nb = notebook("train.ipynb", "import jupyter_mlops as mlops, pandas as pd\n"
                                 "frame = pd.DataFrame({'a': [alpha] * n})\n"
                                 "mlops.log_metric('total', float(frame.a.sum()))")
    first = mlops.jobs.run(str(nb), {"alpha": 2.0})
    assert first.ok
    edited = nbformat.read(nb, as_version=4)  # the file changes after the job ran
    edited.cells[1].source = "raise RuntimeError('edited since')"
    nbformat.write(edited, nb)
    with pytest.warns(ReproducibilityWarning, match="was edited since"):
        again = mlops.jobs.reproduce(first.run_id)
    assert again.result.ok, again.result  # the recorded content ran, not the edit
    assert again.metrics.set_index("metric").loc["total", "difference"] == 0
    job = queries.job(tracked, again.result.run_id)
    assert job["reproduces"] == first.run_id and job["params"] == {"alpha": 2.0}
    down = mlops.lineage.descendants(first.run_id)
    assert again.result.run_id in set(down.id)
    done = cli("reproduce", first.run_id[:12])
    assert done.returncode == 0 and "warning: " in done.stderr and "succeeded" in done.stdout
    interactive = cli("reproduce", "0" * 12)
    assert interactive.returncode == 2 and "unknown run id" in interactive.stderr
