"""Export: an interactive session recorded by a real kernel becomes a job that runs."""

from __future__ import annotations

import nbformat
import pytest

import jupyter_mlops as mlops
from jupyter_mlops.exceptions import JobError
from jupyter_mlops.store import queries
from tests.conftest import cli

SESSION = [
    ("imports", "import numpy as np\nfrom sklearn.linear_model import LogisticRegression\n"
                "import jupyter_mlops as mlops"),
    ("params", "C = 0.5\nseed = 3\nmlops.log_params(C=C, seed=seed)"),
    ("data", "rng = np.random.default_rng(seed)\nX = rng.normal(size=(200, 3))\n"
             "y = (X[:, 0] > 0).astype(int)"),
    ("explore", "print(X.mean(axis=0))"),
    ("fit", "model = LogisticRegression(C=C).fit(X, y)\n"
            "mlops.log_metric('accuracy', model.score(X, y))\nmlops.register(model, 'toy')"),
    ("after", "print('done')"),
]


@pytest.fixture
def session(store, kernel_factory, tracked):
    k = kernel_factory()
    k.record(SESSION)
    k.shutdown()
    return store


def test_export_writes_the_slice_with_a_parameters_cell_and_it_runs(session, tmp_path):
    target = tmp_path / "job.ipynb"
    done = cli("export", "toy:1", "--to", str(target))
    assert done.returncode == 0, done.stderr
    nb = nbformat.read(target, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and params[0].source == "C = 0.5\nseed = 3"
    code = [c.source for c in nb.cells if c.cell_type == "code"][1:]
    assert not any("print(" in c for c in code)  # exploration and later cells left out
    assert any("LogisticRegression(C=C)" in c for c in code)
    assert not any(line.startswith(("C = ", "seed = ")) for c in code for line in c.split("\n"))
    result = mlops.jobs.run(str(target), {"C": 2.0})
    assert result.ok, result
    assert queries.run(session, result.run_id)["params"]["C"] == 2.0
    assert cli("export", "toy:1", "--to", str(target)).returncode == 2  # exists: refused
    run_id = queries.runs(session, kind="interactive").run_id.iloc[0]
    by_run = mlops.jobs.export(run_id[:12], tmp_path / "by-run.ipynb")  # the run's last fit
    assert [c.source for c in nbformat.read(by_run, as_version=4).cells[1:]] == [
        c.source for c in nb.cells[1:]]
    with pytest.raises(JobError, match=r"ending in \.ipynb"):
        mlops.jobs.export("toy:1", tmp_path / "job.py")
