"""Notebooks from elsewhere: no cell ids (nbformat < 4.5), a kernel not installed here, a
cell failing in a magic."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

import jupyter_mlops as mlops
from jupyter_mlops.store import queries
from tests.conftest import cli


def _old_notebook(path: Path, kernel: str = "python3") -> Path:
    """An nbformat 4.4 notebook, as most on the web are: no cell ids."""
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": []}
    path.write_text(json.dumps({
        "cells": [{**cell, "metadata": {"tags": ["parameters"]}, "source": ["alpha = 1"]},
                  {"cell_type": "markdown", "metadata": {}, "source": ["# Scores"]},
                  {**cell, "source": ["x = alpha * 2\n", "print(x)"]},
                  {**cell, "source": ["x = alpha * 2\n", "print(x)"]}],
        "metadata": {"kernelspec": {"name": kernel, "display_name": kernel,
                                    "language": "python"}},
        "nbformat": 4, "nbformat_minor": 4}))
    return path


def test_a_notebook_without_ids_gets_the_same_ids_on_every_run(store, tmp_path):
    nb = _old_notebook(tmp_path / "old.ipynb")
    runs = [mlops.jobs.run(str(nb), {"alpha": a}) for a in (2, 3)]
    assert all(r.ok for r in runs), runs
    executed = [nbformat.read(r.output, as_version=4) for r in runs]
    recorded = [queries.cells(store, r.run_id).cell_id.tolist() for r in runs]
    for cells, ids in zip(executed, recorded, strict=True):
        assert [c.id for c in cells.cells if c.cell_type == "code"] == ids  # as sent
    own = [[c.id for c in e.cells if "injected-parameters" not in c.metadata.tags]
           for e in executed]
    assert own[0] == own[1] and len(set(own[0])) == 4  # twin cells differ by position
    assert set(own[0][:1] + own[0][2:]) <= set(recorded[0]) & set(recorded[1])
    assert nbformat.read(nb, as_version=nbformat.NO_CONVERT).nbformat_minor == 4  # untouched
    again = mlops.jobs.reproduce(runs[0].run_id).result  # the recorded content, same ids
    assert [c.id for c in nbformat.read(again.output, as_version=4).cells
            if "injected-parameters" not in c.metadata.tags] == own[0]


def test_a_kernel_not_installed_is_refused_naming_the_installed_ones(store, tmp_path):
    nb = _old_notebook(tmp_path / "py2.ipynb", kernel="python2")
    refused = cli("run", str(nb))
    assert refused.returncode == 2
    assert ("the kernel 'python2' named by the notebook's kernelspec is not installed here "
            "(installed: python3") in refused.stderr
    assert "--kernel NAME (-k NAME)" in refused.stderr
    assert queries.jobs(store).empty
    done = cli("run", str(nb), "-k", "python3")
    assert done.returncode == 0, done.stderr
    wrong = cli("run", str(nb), "--kernel", "conda-env-ml")
    assert wrong.returncode == 2 and "the kernel 'conda-env-ml' asked for" in wrong.stderr


def test_a_cell_failing_in_a_magic_reports_the_kernels_error(store, notebook):
    nb = notebook("magic.ipynb", "x = 1", "%undefined-line-magic", parameters=None)
    done = cli("run", str(nb))
    assert done.returncode == 1
    assert ("failed: cell 1 raised UsageError: Line magic function `%undefined-line-magic` "
            "not found.") in done.stdout
    job = queries.jobs(store).iloc[0]
    assert (job.error_type, job.failed_cell) == ("UsageError", 1)
    assert "not found" in job.error_message
