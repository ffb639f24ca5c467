"""The Dask executor on a real LocalCluster of two worker processes."""

from __future__ import annotations

import time

import psutil
import pytest

from jupyter_mlops.jobs.executors import DaskExecutor, executor_for
from jupyter_mlops.jobs.runner import prepare
from jupyter_mlops.store import queries

distributed = pytest.importorskip("distributed")


@pytest.fixture
def cluster():
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
