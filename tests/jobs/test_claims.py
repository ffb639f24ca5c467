"""A schedule slot runs once even when its daemon is killed right after starting its job and
a successor takes over at once (issue 14 item 6): real daemons, kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from jupyter_mlops.jobs.records import job_processes
from jupyter_mlops.store import queries
from tests.conftest import cli

EXE = Path(sys.executable).parent / "jupyter-mlops"


def _wait_for(predicate, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := predicate():
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


def _ours(store) -> list[str]:
    """The run ids of the job processes running for this store (other tests run others)."""
    return [run_id for run_id in job_processes() if (store.root / "jobs" / run_id).is_dir()]


def _daemon() -> subprocess.Popen[str]:
    return subprocess.Popen([str(EXE), "scheduler", "--tick", "0.2", "--shutdown-grace", "1"],
                            stderr=subprocess.PIPE, text=True)


def _kill_first_daemon_as_its_job_starts(store, notebook, tmp_path) -> tuple[str, Path]:
    """Schedule a job that naps, start a daemon, kill -9 it the moment its job process
    exists (before that process has recorded anything); returns the job's run id and the
    file its kernel writes its pid to."""
    pid_file = tmp_path / "kernel.pid"
    nb = notebook("nap.ipynb", f"import os, time\nopen({str(pid_file)!r}, 'w')"
                               f".write(str(os.getpid()))\ntime.sleep(10)")
    assert cli("schedule", "add", str(nb), "--cron", "*/20 * * * * *", "--name",
               "nap").returncode == 0
    first = _daemon()
    (run_id,) = _wait_for(lambda: _ours(store))
    first.kill()
    first.wait()
    return run_id, pid_file


def test_a_successor_adopts_the_orphan_and_never_runs_its_slot_again(store, notebook,
                                                                     tmp_path):
    run_id, _ = _kill_first_daemon_as_its_job_starts(store, notebook, tmp_path)
    second = _daemon()
    try:
        _wait_for(lambda: (queries.jobs(store, status="succeeded").run_id == run_id).any())
        time.sleep(1)  # a successor firing the same slot again would have by now
    finally:
        second.send_signal(signal.SIGTERM)
        _, errors = second.communicate(timeout=60)
    jobs = queries.jobs(store, schedule="nap", limit=100)
    assert jobs.scheduled_for.is_unique, jobs[["run_id", "scheduled_for", "status"]]
    assert queries.job(store, run_id)["status"] == "succeeded"
    assert f"job {run_id[:12]} adopted" in errors


def test_the_orphan_of_a_removed_schedule_is_killed_and_lost(store, notebook, tmp_path):
    run_id, pid_file = _kill_first_daemon_as_its_job_starts(store, notebook, tmp_path)
    kernel = psutil.Process(int(_wait_for(lambda: pid_file.exists() and
                                          pid_file.read_text())))
    assert cli("schedule", "remove", "nap").returncode == 0
    second = _daemon()
    try:
        _wait_for(lambda: not kernel.is_running() or kernel.status() == "zombie", 30)
        _wait_for(lambda: queries.job(store, run_id)["status"] == "lost", 30)
    finally:
        second.send_signal(signal.SIGTERM)
        second.communicate(timeout=60)
    assert run_id not in _ours(store)
    assert not os.path.exists(f"/proc/{kernel.pid}") or kernel.status() == "zombie"


def test_a_slot_claimed_by_one_daemon_is_not_fired_by_the_next(tracked, notebook):
    """The successor ticks before the first daemon's job process has recorded its start:
    the claim, written before that process started, is what it sees."""
    from jupyter_mlops.jobs import schedules
    from jupyter_mlops.jobs.scheduler import Scheduler

    nb = notebook("quick.ipynb", "x = alpha")
    state = schedules.add(str(nb), "*/20 * * * *", name="quick")
    now = schedules.fire_times(state, state["since"], state["since"] + 3600)[0] + 1
    first, second = Scheduler(tracked), Scheduler(tracked)
    try:
        assert [s.scheduled_for for s in first.tick(now)] == [now - 1]
        assert second.tick(now) == []  # its job is not recorded as started yet: claimed
        request = schedules.request("quick")
        (answered,) = _wait_for(lambda: first.tick(now))  # once its first job has ended
        assert answered.request == request and second.tick(now) == []
    finally:
        first.shutdown()
    assert queries.jobs(tracked, schedule="quick").status.tolist() == ["succeeded"] * 2
