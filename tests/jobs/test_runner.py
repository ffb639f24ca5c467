"""Real papermill jobs: how each way of ending is recorded, and what is refused up front."""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import psutil
import pytest

import jupyter_mlops as mlops
from jupyter_mlops.jobs.executors import LocalExecutor
from jupyter_mlops.jobs.runner import prepare
from jupyter_mlops.store import queries
from tests.conftest import cli

PAPERMILL_NOTEBOOKS = Path(__import__("papermill").__file__).parent / "tests" / "notebooks"


def test_success_records_run_params_cells_by_id_and_output(store, notebook):
    nb = notebook("train.ipynb", "import jupyter_mlops as mlops\n"
                                 "mlops.log_metric('score', alpha * n)", "x = [alpha] * n")
    result = mlops.jobs.run(str(nb), {"alpha": 2})
    assert result.ok and result.status == "succeeded"
    job = queries.job(store, result.run_id)
    assert job["status"] == "succeeded" and job["params"] == {"alpha": 2}
    assert job["trigger"] == "api" and job["notebook"] == str(nb)
    run = queries.run(store, result.run_id)
    assert run["kind"] == "job" and run["status"] == "succeeded"
    assert run["params"] == {"alpha": 2, "n": 3}  # given, plus the notebook's defaults
    assert run["metrics"] == {"score": 6.0}
    assert run["environment"] is not None and run["env_id"]
    cells = queries.cells(store, result.run_id)
    ids = [c.id for c in nbformat.read(nb, as_version=4).cells]
    executed = nbformat.read(result.output, as_version=4)
    assert cells.cell_id.tolist() == [c.id for c in executed.cells]  # injected cell included
    assert set(ids) <= set(cells.cell_id)
    assert job["output_sha"] and job["notebook_sha"]
    assert (store.root / "artifacts" / job["output_sha"][:2] / job["output_sha"]).exists()


def test_failing_cell(store, notebook):
    nb = notebook("fail.ipynb", "x = 1", "1 / 0", "print('never')")
    done = cli("run", str(nb), "-p", "n", "4")
    assert done.returncode == 1, done.stderr
    assert "failed: cell 3 raised ZeroDivisionError" in done.stdout  # 0 params, 1 injected
    job = queries.jobs(store).iloc[0]
    assert job.status == "failed" and job.failed_cell == 3
    assert job.error_type == "ZeroDivisionError"
    assert queries.run(store, job.run_id)["status"] == "failed"
    cells = queries.cells(store, job.run_id)
    assert cells.status.tolist() == ["ok", "ok", "ok", "error"]


def test_timeout_kills_the_whole_tree(store, notebook, tmp_path):
    pid_file = tmp_path / "kernel.pid"
    nb = notebook("slow.ipynb", f"import os, time\nopen({str(pid_file)!r}, 'w')"
                                f".write(str(os.getpid()))\ntime.sleep(120)")
    started = time.monotonic()
    result = mlops.jobs.run(str(nb), timeout="20s")  # time for a kernel to start under load
    assert time.monotonic() - started < 90  # well before the cell's 120 s sleep ends
    assert result.status == "timed_out" and "20 s wall timeout" in result.reason
    kernel = int(pid_file.read_text())
    assert not psutil.pid_exists(kernel) or psutil.Process(kernel).status() == "zombie"
    job = queries.job(store, result.run_id)
    assert job["status"] == "timed_out"
    assert queries.run(store, result.run_id)["status"] == "timed_out"


def test_sys_exit_is_not_silent_success(store):
    result = mlops.jobs.run(str(PAPERMILL_NOTEBOOKS / "sysexit0.ipynb"))
    assert result.status == "failed" and "SystemExit" in result.reason
    assert queries.job(store, result.run_id)["error_type"] == "SystemExit"


def test_kernel_death(store, notebook):
    nb = notebook("die.ipynb", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
                  "print('never')")
    result = mlops.jobs.run(str(nb), timeout=60)
    assert result.status == "kernel_died", result
    assert queries.job(store, result.run_id)["status"] == "kernel_died"


def test_cancel_ends_the_kernel(store, notebook, tmp_path):
    pid_file = tmp_path / "kernel.pid"
    nb = notebook("slow.ipynb", f"import os, time\nopen({str(pid_file)!r}, 'w')"
                                f".write(str(os.getpid()))\ntime.sleep(120)")
    executor = LocalExecutor(1)
    spec = prepare(nb)
    future = executor.submit(spec)
    deadline = time.monotonic() + 60
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    executor.cancel(spec.run_id)
    result = future.result(timeout=60)
    assert result.status == "cancelled"
    assert not psutil.pid_exists(int(pid_file.read_text()))
    assert queries.job(store, spec.run_id)["status"] == "cancelled"
    executor.shutdown()


def test_refusals_start_nothing(store, notebook, tmp_path):
    marker = tmp_path / "INJECTED"
    nb = notebook("nb.ipynb", "x = alpha")
    bare = notebook("bare.ipynb", "x = 1", parameters=None)
    not_nb = tmp_path / "data.ipynb"
    not_nb.write_text("a,b\n1,2\n")
    cases = [
        (["-p", f"x=open({str(marker)!r},'w');y", "1"], nb, "not a Python identifier"),
        (["-p", "beta", "1"], nb, "has no parameter beta"),
        (["-p", "alpha", "1"], bare, "no cell tagged 'parameters'"),
        ([], not_nb, "is not a Jupyter notebook"),
        ([], tmp_path / "missing.ipynb", "no notebook at"),
        (["--timeout", "soon"], nb, "is not a duration"),
    ]
    for args, path, message in cases:
        done = cli("run", str(path), *args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert message in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert not marker.exists()
    assert not (store.root / "db.duckdb").exists() or queries.jobs(store).empty


@pytest.mark.parametrize("name, status", [
    ("simple_execute.ipynb", "succeeded"), ("nb_version_4.4.ipynb", "succeeded"),
    ("result_no_exec.ipynb", "succeeded"), ("no_parameters.ipynb", "succeeded"),
    ("broken1.ipynb", "failed"), ("sysexit1.ipynb", "failed"), ("systemexit.ipynb", "failed"),
    ("line_magic_error.ipynb", "failed"), ("keyboard_interrupt.ipynb", "timed_out")])
def test_papermills_own_notebooks(store, name, status):
    """Held-out notebooks from papermill's own test suite (shipped in its wheel)."""
    result = mlops.jobs.run(str(PAPERMILL_NOTEBOOKS / name), timeout=8)
    assert result.status == status, result
    assert queries.job(store, result.run_id)["status"] == status


def test_ctrl_c_on_the_cli_cancels_and_kills_the_kernel(store, notebook, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    pid_file = tmp_path / "kernel.pid"
    nb = notebook("slow.ipynb", f"import os, time\nopen({str(pid_file)!r}, 'w')"
                                f".write(str(os.getpid()))\ntime.sleep(120)")
    exe = Path(sys.executable).parent / "jupyter-mlops"
    def interruptible() -> None:  # as from a terminal, whatever this test process inherited
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

    runner = subprocess.Popen([str(exe), "run", str(nb)], stdout=subprocess.PIPE, text=True,
                              preexec_fn=interruptible)
    deadline = time.monotonic() + 60
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    os.kill(runner.pid, signal.SIGINT)
    try:
        out, _ = runner.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        runner.kill()
        out, _ = runner.communicate()
        raise AssertionError(f"the runner ignored Ctrl-C; it printed: {out!r}") from None
    assert runner.returncode == 130 and "cancelled" in out, out
    assert not psutil.pid_exists(int(pid_file.read_text()))
    assert queries.jobs(store).iloc[0].status == "cancelled"
