"""A job on a Dask worker that cannot see the store: the team store carries its events.

When the scheduler's store has a team store (docs/team.md), the Dask executor sends the
notebook's bytes with the task instead of its path. The worker runs the job against a store
of its own in a temporary folder, with the team's shared artifact root configured there, so
the executed notebook and every artifact go to the root; at the end the worker process (not
the kernel: kernels never talk to PostgreSQL) ships the temporary store's spool to the team
store, and the folder is removed. The scheduler's machine sees the run, its status and its
outputs at its next pull, as it sees any other machine's.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..artifact_root import URL_FILE, configured_url
from ..exceptions import JobError, StoreError
from ..store import Store
from ..store.team import redact, team_url
from ..store.team.ship import ship
from ..store.team.sync import TeamLink
from .runner import close_writer, execute
from .spec import JobResult, JobSpec


@dataclass
class RemoteJob:
    """What travels to the worker: the job as prepared here, and what it needs there."""

    spec: JobSpec  # its paths are the scheduler's machine's: the worker reads none of them
    notebook: bytes  # the file to execute (the notebook, or a reproduction's recording)
    team_url: str
    artifacts_url: str


def remote_job(spec: JobSpec) -> RemoteJob | None:
    """The job as a worker without the store runs it; None when the store has no team
    store (the worker then needs the store's folder, as before). JobError when it has one
    but no shared artifact root: the executed notebook would be lost with the worker's
    temporary folder."""
    store = Store.open(spec.store)
    url = team_url(store)
    if url is None:
        return None
    artifacts = configured_url(store)
    if artifacts is None:
        raise JobError(f"a Dask job with the team store {redact(url)} needs a shared artifact "
                       f"root for its executed notebook and artifacts: set "
                       f"JUPYTER_MLOPS_ARTIFACTS_URL (or {store.root / URL_FILE}) to a folder "
                       f"or bucket every worker reaches")
    try:
        content = Path(spec.source).read_bytes()
    except OSError as e:
        raise JobError(f"cannot read the notebook {spec.source}: {e.strerror}") from None
    return RemoteJob(spec, content, url, artifacts)


def run_remote(job: RemoteJob, cancel: Callable[[], str | None]) -> JobResult:
    """Run ``job`` here against a temporary store, ship its events, and remove the folder
    (kept, and named in a JobError, when the team store cannot be reached: its spool holds
    the job's only record until ``jupyter mlops team sync --store`` ships it)."""
    folder = Path(tempfile.mkdtemp(prefix="jupyter-mlops-job-"))
    store = Store.open(folder / "store")
    store.ensure()
    (store.root / URL_FILE).write_text(job.artifacts_url + "\n")
    source = folder / "work" / Path(job.spec.notebook).name
    source.parent.mkdir()
    source.write_bytes(job.notebook)
    spec = dataclasses.replace(job.spec, store=str(store.root), content=str(source),
                               cwd=str(source.parent), output=str(folder / "out" / source.name))
    try:
        result = execute(spec, cancel)
    finally:
        close_writer(spec.store)  # a job that died is recorded ended from this process
        try:
            with TeamLink(store, job.team_url) as link:
                ship(store, link.con)
        except StoreError as e:
            raise JobError(f"job {spec.run_id[:12]} ran, but its events could not reach the "
                           f"team store ({e}); they wait in {store.root}: ship them with "
                           f"`jupyter mlops --store {store.root} team sync`") from None
        shutil.rmtree(folder, ignore_errors=True)  # shipped: nothing here is needed
    result.output = None  # the worker's copy is gone: the job's record has its sha256
    return result
