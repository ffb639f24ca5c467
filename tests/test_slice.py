"""Slices of any cell, recorded by a real kernel: what a cell needs, exported as a job that
runs (``docs/dataflow.md``, "Slices")."""

from __future__ import annotations

import os

import nbformat
import pytest

import jupyter_mlops as mlops
from jupyter_mlops.exceptions import StoreError
from jupyter_mlops.store import queries
from tests.conftest import cli

SESSION = [
    ("imports", "import numpy as np\nfrom sklearn.linear_model import LogisticRegression\n"
                "import jupyter_mlops as mlops"),
    ("def-f", "def f():\n    return a"),
    ("a", "a = 1"),
    ("b", "b = f()"),
    ("data", "X = np.arange(40.0).reshape(20, 2)\ny = (X[:, 0] > 10).astype(int)"),
    ("model", "m = LogisticRegression()"),
    ("fit", "m.fit(X, y)"),
    ("plot", "print(m.coef_, b)"),
    ("a-again", "a = 2"),
    ("score", "score = m.score(X, y)\nmlops.register(m, 'sliced')"),
]


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """One recorded session for the module's tests (a kernel start costs seconds)."""
    from jupyter_mlops import tracking
    from jupyter_mlops.store import Store
    from tests.conftest import Kernel

    mp = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("store")
    mp.setenv("JUPYTER_MLOPS_HOME", str(root))
    store = Store.open(root)
    store.ensure()
    k = Kernel({**os.environ, "JUPYTER_MLOPS_HOME": str(root)}, root)
    try:
        k.record(SESSION)
        default = k.run("print(get_ipython().run_line_magic('mlops', 'slice')"
                        ".cell_id.tolist())")["stdout"]  # the cell before: score
        shown = k.run("print(get_ipython().run_line_magic('mlops', 'slice 4')"
                      ".cell_id.tolist())")["stdout"]
    finally:
        k.shutdown()
    mp.setattr(tracking, "_tracker", tracking.Tracker(store))
    run_id = queries.runs(store).run_id.iloc[0]
    seqs = dict(zip(*(queries.cells(store, run_id)[c] for c in ("cell_id", "seq")),
                    strict=True))
    yield store, run_id, seqs, shown, default
    mp.undo()


def _slice(session, cell_id):
    _, run_id, seqs, *_ = session
    return mlops.lineage.slice(f"{run_id[:16]}/{seqs[cell_id]}").cell_id.tolist()


def test_a_call_reads_the_functions_globals_as_they_were(session):
    assert _slice(session, "b") == ["def-f", "a", "b"]


def test_a_bare_fit_is_kept_and_printing_is_not(session):
    assert _slice(session, "score") == ["imports", "data", "model", "fit", "score"]


def test_a_model_versions_slice_ends_with_the_cell_that_fitted_it(session):
    assert mlops.lineage.slice("sliced:1").cell_id.tolist() == [
        "imports", "data", "model", "fit"]


def test_the_magic_slices_a_cell_of_the_current_run(session):
    *_, shown, default = session
    assert shown.strip() == "['def-f', 'a', 'b']"
    assert default.strip() == "['imports', 'data', 'model', 'fit', 'score']"


def test_export_of_a_cell_runs_as_a_job(session, tmp_path):
    store, run_id, seqs, *_ = session
    target = tmp_path / "job.ipynb"
    done = cli("export", f"{run_id[:16]}/{seqs['score']}", "--to", str(target),
               env={"JUPYTER_MLOPS_HOME": str(store.root)})
    assert done.returncode == 0, done.stderr
    code = [c.source for c in nbformat.read(target, as_version=4).cells if c.cell_type == "code"]
    assert "m.fit(X, y)" in code and not any("print(" in c for c in code)
    result = mlops.jobs.run(str(target), {})
    assert result.ok, result  # no NotFittedError: the bare fit came along


def test_bad_cell_references_get_one_clear_error(session):
    _, run_id, *_ = session
    with pytest.raises(StoreError, match="has no cell 99"):
        mlops.lineage.slice(f"{run_id}/99")
    with pytest.raises(StoreError, match="is not RUN/SEQ"):
        mlops.lineage.slice(f"{run_id}/x")


def test_lineage_of_a_run_shows_what_was_recorded_in_it(session):
    store, run_id, *_ = session
    done = cli("lineage", run_id[:16], env={"JUPYTER_MLOPS_HOME": str(store.root)})
    assert done.returncode == 0, done.stderr
    for kind in ("cell", "dataset", "fit", "model_version"):
        assert kind in done.stdout
    up = mlops.lineage.ancestors(run_id)
    assert {"cell", "dataset", "fit", "model_version"} <= set(up.kind)
