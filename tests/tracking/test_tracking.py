import json

import numpy as np
import pytest

from jupyter_mlops import events as ev
from jupyter_mlops.capture import incidents
from jupyter_mlops.store import Store, queries
from jupyter_mlops.tracking import Tracker


@pytest.fixture
def tracker(store):
    t = Tracker(store)
    yield t
    t.end_run()
    t.writer.close()


def test_log_api_records_params_and_metrics(store, tracker):
    tracker.start_run("exp")
    tracker.log_params({"alpha": 0.3, "layers": [64, 32], "name": "rf"})
    tracker.log_metrics({"auc": np.float32(0.5)}, step=1)
    tracker.log_metrics({"auc": 0.75}, step=2)
    tracker.end_run()
    row = queries.runs(store).iloc[0]
    assert row["experiment"] == "exp" and row["status"] == "finished"
    assert row["params.layers"] == [64, 32] and row["params.name"] == "rf"
    assert row["metrics.auc"] == 0.75
    assert queries.metric_history(store, row["run_id"], "auc")["step"].tolist() == [1, 2]


@pytest.mark.parametrize("metrics, error", [
    ({"auc": "high"}, "metric 'auc' must be a number, not str"),
    ({"auc": True}, "metric 'auc' must be a number, not bool"),
    ({"": 1.0}, "metric name '' is not a non-empty string"),
])
def test_bad_metrics_get_one_clear_warning_and_write_nothing(tracker, metrics, error, caplog):
    tracker.start_run()
    size = tracker.writer.path.stat().st_size
    tracker.log_metrics(metrics)  # never raises into a cell
    assert [r.getMessage() for r in caplog.records if error in r.getMessage()]
    assert tracker.writer.path.stat().st_size == size


def test_a_job_kernel_joins_the_run_of_its_runner(store, monkeypatch):
    monkeypatch.setenv("JUPYTER_MLOPS_RUN_ID", "f" * 32)
    t = Tracker(store)
    assert t.start_run() == "f" * 32
    t.log_metrics({"m": 1.0})
    t.end_run()  # the runner owns the run: the kernel does not end it
    t.writer.close()
    types = [json.loads(x)["type"] for x in t.writer.path.read_bytes().splitlines()]
    assert types == [ev.METRICS]


def test_experiment_change_moves_the_run(store, tracker):
    tracker.start_run()
    tracker.set_experiment("churn")
    assert queries.runs(store)["experiment"].tolist() == ["churn"]
    assert "churn" in queries.experiments(store)["name"].tolist()
    with pytest.raises(ValueError, match="experiment name"):
        tracker.set_experiment("  ")


def test_unwritable_store_never_raises_nor_prints(tmp_path, caplog, capsys):
    (tmp_path / "f").write_text("")
    t = Tracker(Store(tmp_path / "f" / "store"))  # a path below a file: never writable
    before = incidents.count
    t.start_run()
    t.log_metrics({"m": 1.0})
    t.log_params({"p": 1})
    t.wait_environment()
    assert caplog.records == [] and capsys.readouterr().err == ""
    assert incidents.count - before >= 3  # counted, though the log cannot be written there


def test_a_spool_that_cannot_be_written_is_logged_in_the_store(store, caplog, capsys):
    store.spool_dir.rmdir()
    store.spool_dir.write_text("")  # a file where the spool folder should be
    t = Tracker(store)
    t.log_metrics({"m": 1.0})
    t.wait_environment()
    assert caplog.records == [] and capsys.readouterr().err == ""
    logged = [json.loads(x) for x in incidents.log_path(store.root).read_text().splitlines()]
    assert {e["where"] for e in logged} == {"not recording"}
    assert "JUPYTER_MLOPS_HOME" in logged[0]["error"]
