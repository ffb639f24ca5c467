"""A job whose processes are gone is marked lost by whoever reads it (issue 14 item 9)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil

import jupyter_mlops as mlops
from jupyter_mlops import events as ev
from jupyter_mlops.store import process, queries
from tests.conftest import cli
from tests.jobs.test_hostile_records import append


def _wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_killed_run_and_its_job_process_are_marked_lost_by_any_reader(tracked, notebook,
                                                                       tmp_path):
    pid_file = tmp_path / "kernel.pid"
    nb = notebook("slow.ipynb", f"import os, time\nopen({str(pid_file)!r}, 'w')"
                                f".write(str(os.getpid()))\ntime.sleep(120)")
    exe = Path(sys.executable).parent / "jupyter-mlops"
    runner = subprocess.Popen([str(exe), "run", str(nb)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    assert _wait_for(pid_file.exists)
    (child,) = psutil.Process(runner.pid).children()  # the job process
    kernel = psutil.Process(int(pid_file.read_text()))
    for proc in (runner, child, kernel):  # all of it, as an OOM kill or a reboot of a VM
        os.kill(proc.pid, signal.SIGKILL)
    runner.wait()
    listed = cli("jobs", "--json")
    assert listed.returncode == 0, listed.stderr
    (job,) = json.loads(listed.stdout)
    assert job["status"] == "lost" and "ended without recording" in job["reason"]
    assert queries.job(tracked, job["run_id"])["status"] == "lost"
    assert mlops.jobs.history().status.tolist() == ["lost"]


def test_a_reused_pid_is_not_the_runner(tracked):
    """The runner's pid now belongs to another process (this one): the job is lost."""
    run_id = ev.new_id()
    append(tracked, ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": "x",
                                            "kind": "job"}),
           ev.Event(ev.JOB_STARTED, {"run_id": run_id, "host": socket.gethostname(),
                                     "pid": os.getpid(), "pid_started": 1.0}))
    assert queries.job(tracked, run_id)["status"] == "running"
    assert mlops.jobs.history().status.tolist() == ["lost"]
    alive = ev.new_id()  # this very process, started when it did: still running
    append(tracked, ev.Event(ev.JOB_STARTED, {
        "run_id": alive, "host": socket.gethostname(), "pid": os.getpid(),
        "pid_started": process.start_ticks(os.getpid())}))
    assert dict(zip(*mlops.jobs.history()[["run_id", "status"]].T.values, strict=True)) == {
        run_id: "lost", alive: "running"}
