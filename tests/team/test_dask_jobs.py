"""A Dask job without a shared filesystem (issue 19, item 7): the workers never touch the
scheduler's store nor the notebook's folder; the notebook travels with the task, the job's
events reach the scheduler's machine through PostgreSQL, its executed notebook through the
shared artifact root. Real parts: a dask.distributed LocalCluster of worker processes, a
real PostgreSQL, a real kernel. Every Python process under the workers (worker, job child,
kernel) runs an audit hook that logs any file operation on the forbidden paths."""

from __future__ import annotations

import os
import runpy
import shutil
import textwrap
from pathlib import Path

import nbformat
import pytest

from jupyter_mlops.exceptions import JobError
from jupyter_mlops.jobs.executors import DaskExecutor
from jupyter_mlops.jobs.records import executed_notebook
from jupyter_mlops.jobs.remote import RemoteJob, remote_job, run_remote
from jupyter_mlops.jobs.runner import prepare
from jupyter_mlops.store import Store, queries
from jupyter_mlops.store.team import team_url as url_of
from jupyter_mlops.store.team.status import init
from jupyter_mlops.store.team.sync import TeamLink
from tests.jobs.conftest import write_notebook

from .scenario import machine

#: Run in the worker process (through ``Client.run``), and in every process it starts
#: (through PYTHONPATH: the job's child, its kernel).
HOOK = """
import os, sys
_FORBIDDEN = {forbidden!r}
_LOG = {log!r}
with open({loaded!r}, "a") as f:
    f.write(f"{{os.getpid()}} {{sys.orig_argv[1:3]}}\\n")
def _audit(event, args):
    if args and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        if any(path.startswith(p) for p in _FORBIDDEN):
            with open(_LOG, "a") as f:
                f.write(f"{{os.getpid()}} {{event}} {{path}}\\n")
sys.addaudithook(_audit)
"""


def _watch(hook: str) -> None:
    runpy.run_path(hook)


def test_a_dask_job_reaches_the_scheduler_through_the_team_store(
        tmp_path: Path, team_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    here = tmp_path / "scheduler-machine"
    store = machine(here, "store", team_url)
    init(store, None)
    shared = tmp_path / "shared-artifacts"
    (store.root / "artifacts.url").write_text(f"{shared}\n")
    (here / "notebooks").mkdir()
    notebook = write_notebook(here / "notebooks" / "train.ipynb", textwrap.dedent("""\
        import os
        import jupyter_mlops as mlops
        mlops.log_metric('twice', alpha * 2)
        print('ran in', os.getcwd())"""))
    hooks, audit, loaded = tmp_path / "hooks", tmp_path / "audit.log", tmp_path / "loaded.log"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(HOOK.format(
        forbidden=[str(here), str(here.resolve())], log=str(audit), loaded=str(loaded)))
    worker_home = tmp_path / "worker-home"
    env = {"PYTHONPATH": os.pathsep.join([str(hooks), os.environ.get("PYTHONPATH", "")]),
           "JUPYTER_MLOPS_HOME": str(worker_home)}
    monkeypatch.chdir(tmp_path)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None, env=env,
                                  local_directory=str(tmp_path / "dask")) as cluster:
        executor = DaskExecutor(cluster.scheduler_address)
        executor.client.run(_watch, str(hooks / "sitecustomize.py"))
        try:
            spec = prepare(notebook, {"alpha": 3}, store=store)
            result = executor.submit(spec).result(timeout=300)
        finally:
            executor.shutdown()
    assert result.status == "succeeded", result.reason
    pids = loaded.read_text().splitlines()
    assert any("jupyter_mlops.jobs.child" in line for line in pids), pids  # the hook ran
    assert any("ipykernel" in line for line in pids), pids  # there, in the kernel
    assert len({line.split()[0] for line in pids}) >= 3, pids  # and in the worker
    assert not audit.exists(), audit.read_text()
    assert not (store.root / "jobs" / spec.run_id).exists()

    with TeamLink(store) as link:
        link.sync()
    [job] = [j for j in queries.jobs(store, limit=5).to_dict("records")
             if j["run_id"] == spec.run_id]
    assert job["status"] == "succeeded" and job["executor"].startswith("dask://")
    assert job["notebook"] == str(notebook)
    assert queries.run(store, spec.run_id)["metrics"] == {"twice": 6.0}
    executed = nbformat.reads(executed_notebook(Store.open(store.root), job), as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert "ran in" in printed and str(here) not in printed


def test_without_an_artifact_root_the_job_is_refused(tmp_path: Path, team_url: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUPYTER_MLOPS_ARTIFACTS_URL", raising=False)
    store = machine(tmp_path, "store", team_url)
    spec = prepare(write_notebook(tmp_path / "nb.ipynb", "x = 1"), store=store)
    with pytest.raises(JobError, match="needs a shared artifact root"):
        remote_job(spec)


def test_a_worker_that_cannot_ship_keeps_the_job_and_says_where(tmp_path: Path) -> None:
    """PostgreSQL away when the job ends: its events are the only record; kept, named."""
    store = machine(tmp_path, "store", "postgresql://mlops@127.0.0.1:1/gone")
    spec = prepare(write_notebook(tmp_path / "nb.ipynb", "x = 1"), store=store)
    spec.params = {"not_declared": 1}  # refused at once: no kernel needed for this path
    job = RemoteJob(spec, Path(spec.notebook).read_bytes(), url_of(store) or "",
                    str(tmp_path / "shared"))
    with pytest.raises(JobError, match="could not reach the team store") as raised:
        run_remote(job, lambda: None)
    kept = Path(str(raised.value).split("they wait in ")[1].split(":")[0])
    assert kept.is_dir() and (kept / "spool").is_dir()
    shutil.rmtree(kept.parent)
