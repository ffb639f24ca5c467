"""A run's name: given when it starts, distinct among its experiment's recent runs,
changed with ``mlops.set_run_name`` and ``%mlops name``."""

import pytest
from IPython.core.error import UsageError

import jupyter_mlops as mlops
from jupyter_mlops.exceptions import BadRunName
from jupyter_mlops.store import queries
from tests.conftest import ipython


def test_runs_are_named_after_their_notebook_and_distinct(tracked):
    t = mlops.tracker()
    started = []
    for _ in range(12):  # each run reads the names the projection lists before it
        started.append(t.start_run("churn", notebook="/work/train.ipynb"))
        t.end_run()
        queries.runs(tracked)  # ingest: the projection now holds the run
    listed = queries.runs(tracked, limit=20).set_index("run_id")["name"]
    named = [listed[r] for r in started]
    assert all(n.startswith("train-") and len(n) == len("train-") + 4 for n in named)
    assert len(set(named)) == len(named)
    bare = t.start_run("scratch", notebook=None)
    t.end_run()
    adjective, noun = queries.run(tracked, bare)["name"].split("-")
    assert adjective.isalpha() and noun.isalpha()


def test_set_run_name_renames_the_active_run_or_the_one_named(tracked):
    first = mlops.tracker().ensure_run()
    assert mlops.set_run_name("  baseline ") == first
    assert queries.run(tracked, first)["name"] == "baseline"
    second = mlops.tracker().start_run("churn")
    assert mlops.set_run_name("older", run="baseline") == first
    names = queries.runs(tracked).set_index("run_id")["name"]
    assert names[first] == "older" and names[second] != "older"
    with pytest.raises(BadRunName, match="non-blank"):
        mlops.set_run_name(" ")


def test_mlops_name_magic(tracked):
    shell = ipython()
    shell.run_line_magic("load_ext", "jupyter_mlops")
    try:
        shell.run_line_magic("mlops", "name tuned lr")
        run_id = mlops.tracker().run_id
        assert queries.run(tracked, "tuned lr")["run_id"] == run_id
        with pytest.raises(UsageError, match="give the run's new name"):
            shell.run_line_magic("mlops", "name")
    finally:
        shell.run_line_magic("unload_ext", "jupyter_mlops")
        shell.reset()
