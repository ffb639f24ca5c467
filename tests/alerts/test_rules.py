"""Every kind of event a rule fires on, from its real writer where it has one (a refused
promotion, a scheduler that missed a slot, a process that died mid-run), and the filters."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import jupyter_mlops as mlops
from jupyter_mlops import events as ev
from jupyter_mlops import tracking
from jupyter_mlops.alerts import config
from jupyter_mlops.alerts.config import KINDS
from jupyter_mlops.alerts.delivery import Deliverer
from jupyter_mlops.exceptions import GateRefused
from jupyter_mlops.jobs import schedules
from jupyter_mlops.jobs.scheduler import Scheduler
from jupyter_mlops.store import Store, names
from tests.jobs.conftest import write_notebook

from .conftest import Events
from .receivers import hook


def _titles(store: Store) -> dict[str, dict[str, object]]:
    return {m["kind"]: m for m in Deliverer(store).tick()}


def test_each_kind_from_its_writer(tracked: Store, events: Events, tmp_path: Path) -> None:
    store = tracked
    with hook() as h:
        config.add_channel(store, "ops", {"type": "webhook", "url": h.url})
        config.add_rule(store, "all", {"on": list(KINDS), "channels": ["ops"]})
        events.write(ev.DRIFT_REPORT, {"model": "churn:3", "dataset_drift": True, "columns": [
            {"column": "age", "drifted": True}, {"column": "income", "drifted": False},
            {"column": "tenure", "drifted": True}]})
        events.write(ev.DRIFT_REPORT, {"dataset_drift": False, "columns": []})
        events.write(ev.ALIAS_SET, {"name": "fraud", "alias": "champion", "version": 3,
                                    "previous": 2, "set_by": "ci"})
        X = np.random.default_rng(0).normal(size=(50, 2))
        mlops.register(LogisticRegression().fit(X, X[:, 0] > 0), "churn",
                       metrics={"auc": 0.7})
        model = LogisticRegression().fit(X, X[:, 0] > 0)
        worse = mlops.performance_drift(model, (X, X[:, 0] > 0), (X, X[:, 0] < 0), n_boot=50)
        assert worse.degraded
        mlops.performance_drift(model, (X, X[:, 0] > 0), (X, X[:, 0] > 0), n_boot=50)
        with pytest.raises(GateRefused):
            mlops.promote("churn", 1, gate={"auc": ">= 0.9"})
        state = schedules.add(str(write_notebook(tmp_path / "q.ipynb", "x = 1")),
                              "*/20 * * * *", name="nightly", misfire="skip")
        now = schedules.fire_times(state, state["since"], state["since"] + 3600)[-1] + 300
        Scheduler(store, grace_s=60).tick(now)  # back an hour late: the slots are missed
        subprocess.run([sys.executable, "-c", "from jupyter_mlops import events as ev; "
                        "from jupyter_mlops.store import Store; "
                        "from jupyter_mlops.store.spool import SpoolWriter; "
                        f"w = SpoolWriter(Store.open({str(store.root)!r})); "
                        "w.append(ev.Event(ev.RUN_STARTED, {'run_id': 'd' * 32, "
                        "'experiment': 'churn', 'kind': 'interactive'})); w.flush()"],
                       check=True)
        sent = _titles(store)
        assert set(sent) == {"drift", "alias_moved", "gate_refused", "schedule_missed",
                             "run_died", "performance_drift"}
        assert str(sent["performance_drift"]["title"]).startswith("performance drift: accuracy ")
        assert sent["drift"]["title"] == "drift found for churn:3: 2 columns"
        assert sent["drift"]["text"] == "drifted columns: age, tenure"
        assert sent["alias_moved"]["title"] == "fraud@champion moved to version 3"
        assert sent["alias_moved"]["text"] == "was version 2; set by ci"
        assert sent["gate_refused"]["title"] == "promotion of churn:1 to @champion refused"
        assert "auc = 0.7 is not >= 0.9" in str(sent["gate_refused"]["text"])
        assert str(sent["schedule_missed"]["title"]).startswith("schedule nightly missed its ")
        died = names.derive("d" * 32, None)  # named as a rebuild names a run started unnamed
        assert sent["run_died"]["title"] == f"run {died} died (experiment churn)"
        assert len(h.wait(6 + 2)) >= 6  # three missed slots of one schedule, one each


def test_filters_by_experiment_schedule_model_and_severity(store: Store,
                                                            events: Events) -> None:
    with hook() as h:
        config.add_channel(store, "ops", {"type": "webhook", "url": h.url})
        config.add_rule(store, "churn-nightly", {"on": ["job_failed"], "channels": ["ops"],
                                                 "experiment": "churn",
                                                 "schedule": "nightly"})
        config.add_rule(store, "model", {"on": ["alias_moved"], "channels": ["ops"],
                                         "model": "churn"})
        config.add_rule(store, "loud", {"on": ["user"], "channels": ["ops"],
                                        "min_severity": "error"})
        events.job("a" * 32, "failed", schedule="nightly")
        events.job("b" * 32, "failed", schedule="weekly")
        events.write(ev.ALIAS_SET, {"name": "churn", "alias": "champion", "version": 2})
        events.write(ev.ALIAS_SET, {"name": "fraud", "alias": "champion", "version": 2})
        events.write(ev.ALERT, {"title": "meh", "severity": "warning"})
        events.write(ev.ALERT, {"title": "bad", "severity": "critical"})
        titles = sorted(str(m["title"]) for m in Deliverer(store).tick())
        job = names.derive("a" * 32, None)
        assert titles == ["bad", "churn@champion moved to version 2",
                          f"job {job} failed (schedule nightly) (experiment churn)"]


def test_mlops_alert_only_appends(tracked: Store) -> None:
    config.add_channel(tracked, "ops", {"type": "webhook", "url": "http://127.0.0.1:9/x"})
    config.add_rule(tracked, "mine", {"on": ["user"], "channels": ["ops"]})
    mlops.alert("AUC fell", "0.71", severity="critical")
    with pytest.raises(ValueError, match="severity 'loud' is unknown; use info, warning"):
        mlops.alert("x", severity="loud")
    assert not tracked.db_path.exists()  # appended to the spool, nothing ingested or sent
    tracking.tracker().writer.flush()
    [message] = Deliverer(tracked).tick()  # nothing listens on port 9: a retry later
    assert (message["title"], message["severity"], message["outcome"]) == (
        "AUC fell", "critical", ev.ALERT_RETRY)
