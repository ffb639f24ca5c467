"""Executors found by name through entry points, and the Dask executor on a real
LocalCluster of two worker processes."""

from __future__ import annotations

import time

import psutil
import pytest

from jupyter_mlops.exceptions import JobError
from jupyter_mlops.jobs.executors import GROUP, DaskExecutor, LocalExecutor, executor_for
from jupyter_mlops.jobs.runner import prepare
from jupyter_mlops.store import queries


class EchoExecutor(LocalExecutor):
    """An executor another package registers: remembers the URL it was made from."""

    name = "echo"

    @classmethod
    def from_url(cls, url, max_workers):
        made = cls(max_workers)
        made.url = url
        return made


def test_executors_are_found_through_their_entry_points(tmp_path, monkeypatch):
    """A package installed beside this one (its metadata on sys.path) adds an executor."""
    info = tmp_path / "jupyter_mlops_echo-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: jupyter-mlops-echo\n"
                                   "Version: 1.0\n")
    (info / "entry_points.txt").write_text(
        f"[{GROUP}]\necho = tests.jobs.test_executors:EchoExecutor\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    executor = executor_for("echo://somewhere", 3)
    try:
        assert isinstance(executor, EchoExecutor) and executor.url == "echo://somewhere"
        assert executor._pool._max_workers == 3
    finally:
        executor.shutdown()
    with pytest.raises(JobError) as refused:
        executor_for("slurm://head:6817")
    assert str(refused.value) == (
        "unknown executor 'slurm://head:6817': the installed executors are dask, echo, local "
        "(e.g. 'local', 'dask://host:8786'); a package adds one under the entry point group "
        "jupyter_mlops.executors")
    local = executor_for(None)
    assert isinstance(local, LocalExecutor)
    local.shutdown()


@pytest.fixture
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as c:
        yield c


def test_six_jobs_and_a_cancel(store, notebook, tmp_path, cluster):
    quick = notebook("quick.ipynb", "import jupyter_mlops as mlops\n"
                                    "mlops.log_metric('twice', alpha * 2)")
    pid_file = tmp_path / "kernel.pid"
    slow = notebook("slow.ipynb", f"import os, time\nopen({str(pid_file)!r}, 'w')"
                                  f".write(str(os.getpid()))\ntime.sleep(120)")
    executor = executor_for(cluster.scheduler_address.replace("tcp://", "dask://"))
    assert isinstance(executor, DaskExecutor)
    try:
        victim = prepare(slow, store=store)
        doomed = executor.submit(victim)
        specs = [prepare(quick, {"alpha": i}, store=store) for i in range(6)]
        futures = [executor.submit(s) for s in specs]
        deadline = time.monotonic() + 120
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        executor.cancel(victim.run_id)
        assert doomed.result(timeout=60).status == "cancelled"
        assert not psutil.pid_exists(int(pid_file.read_text()))
        results = [f.result(timeout=300) for f in futures]
    finally:
        executor.shutdown()
    assert [r.status for r in results] == ["succeeded"] * 6
    jobs = queries.jobs(store, limit=10).set_index("run_id")
    assert jobs.loc[victim.run_id, "status"] == "cancelled"
    assert jobs.loc[victim.run_id, "executor"].startswith("dask://")
    for i, spec in enumerate(specs):
        assert queries.run(store, spec.run_id)["metrics"] == {"twice": 2.0 * i}
