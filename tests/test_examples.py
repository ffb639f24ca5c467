"""The example notebooks as jobs: train, then monitor a drifted batch, which retrains."""

from __future__ import annotations

import jupyter_mlops as mlops
from jupyter_mlops.store import queries
from tests.conftest import ROOT

EXAMPLES = ROOT / "example_notebooks"


def test_train_monitor_retrain_loop(store, tracked):
    first = mlops.jobs.run(str(EXAMPLES / "train.ipynb"), {"n_estimators": 10, "max_depth": 1})
    second = mlops.jobs.run(str(EXAMPLES / "train.ipynb"), {"n_estimators": 50})
    assert first.ok and second.ok, (first, second)
    versions = queries.models(store)
    assert sorted(versions.version) == [1, 2]
    champion = mlops.lineage.node("wine@champion")[1]
    monitor = mlops.jobs.run(str(EXAMPLES / "monitor.ipynb"), {"shift": 1.0})
    assert monitor.ok, monitor
    report = queries.drift_reports(store, limit=1).iloc[0]
    assert report.dataset_drift and report.model == champion
    drifted = queries.drift_columns(store, report.id)
    assert set(drifted[drifted.drifted].column_name) == {"alcohol", "color_intensity"}
    assert "dataset drift" in queries.run(store, monitor.run_id)["params"]["alert"]
    check = queries.contract_checks(store, limit=1).iloc[0]  # the champion's contract
    assert check.model == champion and not check.ok
    assert "alcohol" in {v["column"] for v in check.details}
    retrain = queries.jobs(store, limit=1).iloc[0]
    assert retrain.trigger == "trigger" and retrain.parent_run == monitor.run_id
    assert retrain.status == "succeeded" and retrain.params == {"shift": 1.0}
    assert sorted(queries.models(store).version) == [1, 2, 3]  # registered, gated
    moves = queries.alias_history(store, "wine")
    assert all(g != "{}" for g in moves.gate)  # every promotion went through the gate
    down = mlops.lineage.descendants(monitor.run_id)
    assert retrain.run_id in set(down.id)
    for job in (first, second, monitor):
        assert queries.cells(store, job.run_id).status.eq("ok").all()


def test_explore_session_exports_its_slice_and_runs_it(store, tracked):
    import nbformat

    session = mlops.jobs.run(str(EXAMPLES / "explore.ipynb"))
    assert session.ok, session
    cells = queries.cells(store, session.run_id)
    code = [c for c in nbformat.read(EXAMPLES / "explore.ipynb", 4).cells
            if c.cell_type == "code"]
    assert cells.status.eq("ok").all() and len(cells) == len(code)
    job = queries.jobs(store, limit=1).iloc[0]  # the exported slice, run with C=0.1
    assert job.run_id != session.run_id and job.status == "succeeded"
    assert job.params == {"C": 0.1}
    fit = queries.cells(store, job.run_id).iloc[-1]  # the slice ends with the fit
    assert fit.status == "ok" and "model" in fit.writes and "C" in fit.reads
    exported = nbformat.read(job.notebook, as_version=4)
    sources = [c.source for c in exported.cells]
    assert not any("describe()" in s for s in sources)  # exploration left out
    assert not any(s.strip() == "# parameters" for s in sources)
