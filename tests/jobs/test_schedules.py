"""Schedules as events, cron fire times and the misfire policies (a fake clock)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from jupyter_mlops.exceptions import JobError
from jupyter_mlops.jobs import schedules
from tests.conftest import cli

T0 = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc).timestamp()
HOURLY = {"cron": "0 * * * *", "misfire": "once"}


def test_fire_times_and_next_fire():
    assert schedules.fire_times(HOURLY, T0 - 1, T0 + 3 * 3600) == [
        T0, T0 + 3600, T0 + 7200, T0 + 3 * 3600]
    assert schedules.fire_times(HOURLY, T0, T0 + 3599) == []  # (after, until]
    assert schedules.next_fire(HOURLY, T0 + 1) == T0 + 3600
    assert schedules.next_fire({**HOURLY, "paused": True}, T0) is None
    every2s = {"cron": "*/2 * * * * *"}  # six fields: seconds first
    assert schedules.fire_times(every2s, T0, T0 + 6) == [T0 + 2, T0 + 4, T0 + 6]
    berlin = {"cron": "0 6 * * *", "timezone": "Europe/Berlin"}
    assert schedules.next_fire(berlin, T0) == T0 + 3600 * 23  # 06:00 CET = 05:00 UTC


@pytest.mark.parametrize("policy, expected", [
    ("skip", []), ("once", [T0 + 2 * 3600]), ("all", [T0, T0 + 3600, T0 + 2 * 3600])])
def test_missed_fire_times_follow_the_policy(policy, expected):
    state = {**HOURLY, "misfire": policy}
    now = T0 + 2 * 3600 + 600  # three fire times missed, the last by 10 minutes
    assert schedules.due(state, T0 - 1, now, grace=60) == expected


def test_on_time_fires_run_whatever_the_policy():
    for policy in schedules.MISFIRE:
        state = {**HOURLY, "misfire": policy}
        assert schedules.due(state, T0 - 1, T0 + 5, grace=60) == [T0]


def test_bad_crons():
    for cron, message in [("* * *", "needs 5 fields"), ("61 * * * *", "not valid"),
                          ("0 6 * * mon", None)]:
        if message is None:
            schedules.trigger_for(cron)
            continue
        with pytest.raises(JobError, match=message):
            schedules.trigger_for(cron)


def test_add_pause_resume_remove_as_events(tracked, notebook):
    nb = notebook("train.ipynb", "x = alpha")
    schedules.add(str(nb), "0 6 * * *", name="daily", params={"alpha": 0.1}, misfire="skip")
    assert schedules.current(tracked)["daily"]["params"] == {"alpha": 0.1}
    with pytest.raises(JobError, match="exists: remove it first or replace it"):
        schedules.add(str(nb), "0 7 * * *", name="daily")
    schedules.add(str(nb), "0 7 * * *", name="daily", replace=True)
    schedules.pause("daily")
    assert schedules.current(tracked)["daily"]["paused"] is True
    state = schedules.resume("daily")
    assert state["paused"] is False and state["cron"] == "0 7 * * *"
    schedules.remove("daily")
    assert "daily" not in schedules.current(tracked)
    with pytest.raises(JobError, match="no schedule named 'daily'"):
        schedules.pause("daily")
    for bad, message in [({"params": {"beta": 1}}, "has no parameter beta"),
                         ({"misfire": "sometimes"}, "misfire policy"),
                         ({"name": "../etc"}, "schedule name")]:
        with pytest.raises(JobError, match=message):
            schedules.add(str(nb), "0 6 * * *", **bad)


def test_schedule_cli(store, notebook):
    nb = notebook("monitor.ipynb", "x = alpha")
    added = cli("schedule", "add", str(nb), "--cron", "0 6 * * *", "--name", "daily-monitor",
                "-p", "alpha", "0.2")
    assert added.returncode == 0, added.stderr
    listed = cli("schedule", "list", "--json")
    assert '"name":"daily-monitor"' in listed.stdout and '"next_run"' in listed.stdout
    assert cli("schedule", "pause", "daily-monitor").returncode == 0
    assert '"paused":true' in cli("schedule", "list", "--json").stdout
    done = cli("schedule", "run-now", "daily-monitor")  # no daemon: runs here
    assert done.returncode == 0 and "succeeded" in done.stdout, done.stderr
    jobs = cli("jobs", "--schedule", "daily-monitor", "--json")
    assert '"trigger":"run_now"' in jobs.stdout and '"status":"succeeded"' in jobs.stdout
    missing = cli("schedule", "remove", "nope")
    assert missing.returncode == 2 and "no schedule named 'nope'" in missing.stderr
