"""Issue 14 item 12: one rule when ``JUPYTER_MLOPS_HOME`` changes mid-process — every call
uses the store the variable names when it is made; the tracker follows it (its run ends in
the old store and a new one, of the same experiment, starts in the new)."""

from __future__ import annotations

from jupyter_mlops.store import Store, queries
from tests.conftest import run_python
from tests.jobs.conftest import write_notebook

SESSION = """
import os, jupyter_mlops as mlops
from jupyter_mlops.store import queries
os.environ["JUPYTER_MLOPS_HOME"] = {a!r}
mlops.tracker().set_experiment("churn")
mlops.log_param("where", "a")
first = mlops.tracker().run_id
os.environ["JUPYTER_MLOPS_HOME"] = {b!r}
mlops.log_param("where", "b")
mlops.log_metric("auc", 0.9)
assert mlops.tracker().run_id != first
result = mlops.jobs.run({notebook!r})
assert result.status == "succeeded", result
assert len(mlops.jobs.history()) == 1
assert str(mlops.tracker().store.root) == {b!r}
os.environ["JUPYTER_MLOPS_HOME"] = {a!r}
assert len(mlops.jobs.history()) == 0
runs = queries.runs(mlops.tracker().store, experiment="churn")
assert runs["params.where"].tolist()[1:] == ["a"], runs  # newest first: the run started
assert runs["run_id"].tolist()[0] == mlops.tracker().run_id  # when the variable came back
print("done")
"""


def test_every_call_follows_the_variable(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    notebook = write_notebook(tmp_path / "job.ipynb", "x = alpha * 2")
    done = run_python(SESSION.format(a=str(a), b=str(b), notebook=str(notebook)),
                      cwd=tmp_path)
    assert done.returncode == 0 and "done" in done.stdout, done.stderr[-3000:]
    in_a = queries.runs(Store.open(a))
    in_b = queries.runs(Store.open(b))
    assert sorted(in_a["status"]) == ["finished", "finished"]  # both ended: the process exited
    assert set(in_a["experiment"]) == {"churn"}
    interactive = in_b[in_b.kind == "interactive"].iloc[0]
    assert (interactive["experiment"], interactive["params.where"],
            interactive["metrics.auc"], interactive["status"]) == ("churn", "b", 0.9, "finished")
    assert in_b["kind"].tolist().count("job") == 1 and "job" not in in_a["kind"].tolist()


def test_a_run_environment_lands_in_the_store_of_its_run(tmp_path, monkeypatch):
    """The environment is snapshot in a thread; the store may change before it is done."""
    from jupyter_mlops.tracking import Tracker

    a, b = Store.open(tmp_path / "a"), Store.open(tmp_path / "b")
    monkeypatch.setenv("JUPYTER_MLOPS_HOME", str(a.root))
    t = Tracker(a, follow_environment=True)
    first, snapshot = t.start_run("churn"), t._env_thread
    monkeypatch.setenv("JUPYTER_MLOPS_HOME", str(b.root))
    t.log_params({"where": "b"})  # moves to b while the snapshot of the first run is taken
    second = t.run_id
    snapshot.join(30)
    t.wait_environment()
    t.end_run()
    t.writer.close()
    assert queries.run(a, first)["environment"] and queries.run(b, second)["environment"]
    in_b = b"".join(p.read_bytes() for p in b.root.rglob("*.jsonl"))
    assert first.encode() not in in_b
