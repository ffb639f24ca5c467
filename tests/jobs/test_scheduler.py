"""The scheduler daemon: misfires by policy, one daemon per store, SIGTERM, lost jobs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from jupyter_mlops.jobs import schedules
from jupyter_mlops.jobs.scheduler import Scheduler
from jupyter_mlops.store import queries
from tests.conftest import cli


def _wait_for(predicate, timeout=60.0, every=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


def _slow(notebook, tmp_path: Path) -> tuple[Path, Path]:
    pid_file = tmp_path / "kernel.pid"
    nb = notebook("slow.ipynb", f"import os, time\nopen({str(pid_file)!r}, 'w')"
                                f".write(str(os.getpid()))\ntime.sleep(120)")
    return nb, pid_file


@pytest.mark.parametrize("policy", ["skip", "once", "all"])
def test_a_daemon_that_was_down_follows_the_misfire_policy(tracked, notebook, policy):
    nb = notebook("quick.ipynb", "x = alpha")
    state = schedules.add(str(nb), "*/20 * * * *", name="quick", misfire=policy)
    fires = schedules.fire_times(state, state["since"], state["since"] + 3600)
    now = fires[-1] + 300  # the daemon comes back an hour later, 5 minutes past a fire
    scheduler = Scheduler(tracked, grace_s=60)
    started = []
    for _ in range(40):  # "all" runs the backlog one job after another
        started += scheduler.tick(now)
        if not scheduler._running and not scheduler._backlog.get("quick"):
            break
        time.sleep(0.5)
    scheduler.shutdown()
    expected = {"skip": [], "once": [fires[-1]], "all": fires}[policy]
    assert [s.scheduled_for for s in started] == expected
    assert scheduler.tick(now) == []  # nothing fires twice
    jobs = queries.jobs(tracked, schedule="quick")
    assert len(jobs) == len(expected) and set(jobs.status) <= {"succeeded"}


def test_two_daemons_never_double_run(store, notebook):
    nb = notebook("tick.ipynb", "x = alpha")
    assert cli("schedule", "add", str(nb), "--cron", "*/3 * * * * *", "--name",
               "tick").returncode == 0
    exe = Path(sys.executable).parent / "jupyter-mlops"
    first = subprocess.Popen([str(exe), "scheduler", "--tick", "0.3"], stderr=subprocess.PIPE,
                             text=True)
    try:
        assert _wait_for(lambda: (store.root / "scheduler.lock").exists())
        time.sleep(0.5)
        second = cli("scheduler", "--tick", "0.3")
        assert second.returncode == 2 and "a scheduler already runs" in second.stderr
        assert _wait_for(lambda: len(queries.jobs(store, status="succeeded")) >= 3, 90)
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(60)
    jobs = queries.jobs(store, schedule="tick", limit=1000)
    assert jobs.scheduled_for.is_unique and len(jobs) >= 3
    assert set(jobs.status) <= {"succeeded", "interrupted"}


def test_sigterm_mid_job_leaves_a_consistent_record(store, notebook, tmp_path):
    nb, pid_file = _slow(notebook, tmp_path)
    assert cli("schedule", "add", str(nb), "--cron", "0 0 1 1 *", "--name",
               "slow").returncode == 0
    exe = Path(sys.executable).parent / "jupyter-mlops"
    daemon = subprocess.Popen([str(exe), "scheduler", "--tick", "0.3", "--shutdown-grace",
                               "1"], stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_for(lambda: (store.root / "scheduler.lock").exists())
        time.sleep(0.5)
        asked = cli("schedule", "run-now", "slow")
        assert asked.returncode == 0 and "requested" in asked.stdout, asked.stderr
        assert _wait_for(pid_file.exists, 60)
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(30) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
    job = queries.jobs(store, schedule="slow").iloc[0]
    assert job.status == "interrupted" and job.trigger == "request"
    assert queries.run(store, job.run_id)["status"] == "interrupted"
    assert not psutil.pid_exists(int(pid_file.read_text()))


def test_jobs_of_a_dead_runner_are_marked_lost_and_killed(store, notebook, tmp_path):
    nb, pid_file = _slow(notebook, tmp_path)
    exe = Path(sys.executable).parent / "jupyter-mlops"
    runner = subprocess.Popen([str(exe), "run", str(nb)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    assert _wait_for(pid_file.exists, 60)
    os.kill(runner.pid, signal.SIGKILL)  # the runner dies; its child and kernel live on
    runner.wait()
    kernel = int(pid_file.read_text())
    assert psutil.pid_exists(kernel)
    lost = Scheduler(store).recover()
    assert len(lost) == 1
    assert _wait_for(lambda: not psutil.pid_exists(kernel), 10)
    assert queries.job(store, lost[0])["status"] == "lost"
    assert Scheduler(store).recover() == []
