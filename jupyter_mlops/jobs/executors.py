"""Where jobs run: threads of this process supervising local child processes (default),
or tasks on a Dask cluster, each supervising its child process on a worker; other packages
add executors under the entry point group ``jupyter_mlops.executors`` (as papermill finds
its engines), and ``executor_for`` picks one by the scheme of its URL.

Executors return futures of :class:`JobResult` and cancel by run id. Dask cannot interrupt
a running task, so a cancel sets a Dask ``Event`` that the task polls, and the task kills
its child process tree itself.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Protocol

from ..exceptions import JobError
from .remote import RemoteJob, remote_job, run_remote
from .runner import execute, supervise
from .spec import JobResult, JobSpec

#: The entry point group executors are registered under: ``name = "module:Class"``.
GROUP = "jupyter_mlops.executors"
#: This package's own, as its pyproject.toml registers them; listed here too so that an
#: install whose metadata predates the registry still finds them.
BUILT_IN = {"local": "jupyter_mlops.jobs.executors:LocalExecutor",
            "dask": "jupyter_mlops.jobs.executors:DaskExecutor"}
#: URL schemes that name an executor registered under another name.
ALIASES = {"tcp": "dask", "tls": "dask"}


class Executor(Protocol):
    """What an executor registered under :data:`GROUP` provides."""

    name: str

    @classmethod
    def from_url(cls, url: str, max_workers: int) -> Executor:
        """The executor ``url`` names (``local``, ``dask://host:8786``)."""

    def submit(self, spec: JobSpec) -> Any:
        """Start the job (queued behind the concurrency limit); a future of JobResult."""

    def cancel(self, run_id: str, status: str = "cancelled") -> None:
        """Stop a queued or running job; it ends with ``status``."""

    def shutdown(self, wait: bool = True) -> None: ...


def installed() -> dict[str, EntryPoint]:
    """The executors installed, by name."""
    found = {name: EntryPoint(name, value, GROUP) for name, value in BUILT_IN.items()}
    found.update((ep.name, ep) for ep in entry_points(group=GROUP))
    return found


def executor_for(url: str | None, max_workers: int = 2) -> Executor:
    """The executor ``url`` names by its scheme: ``None``/``"local"`` → this machine,
    ``"dask://host:8786"`` → that cluster, ``"NAME://…"`` → the executor registered as NAME."""
    url = url or "local"
    scheme = url.split("://", 1)[0] if "://" in url else url
    found = installed()
    entry = found.get(ALIASES.get(scheme, scheme))
    if entry is None:
        raise JobError(f"unknown executor {url!r}: the installed executors are "
                       f"{', '.join(sorted(found))} (e.g. 'local', 'dask://host:8786'); a "
                       f"package adds one under the entry point group {GROUP}")
    executor: Executor = entry.load().from_url(url, max_workers)
    return executor


class LocalExecutor:
    """At most ``max_workers`` jobs at once on this machine; the rest wait in order."""

    name = "local"

    def __init__(self, max_workers: int = 2) -> None:
        if max_workers < 1:
            raise ValueError(f"max_workers must be at least 1, not {max_workers}")
        self._pool = ThreadPoolExecutor(max_workers, thread_name_prefix="jupyter-mlops-job")
        self._stops: dict[str, str | None] = {}

    @classmethod
    def from_url(cls, url: str, max_workers: int) -> LocalExecutor:
        return cls(max_workers)

    def submit(self, spec: JobSpec) -> Future[JobResult]:
        spec.executor = self.name
        return self._supervised(execute, spec)

    def adopt(self, spec: JobSpec, process: Any) -> Future[JobResult]:
        """Supervise the live job process of a runner that died, as if started here."""
        return self._supervised(supervise, spec, process)

    def _supervised(self, run: Callable[..., JobResult], spec: JobSpec,
                    *args: Any) -> Future[JobResult]:
        self._stops[spec.run_id] = None
        future = self._pool.submit(run, spec, *args, cancel=lambda: self._stops.get(
            spec.run_id))
        future.add_done_callback(lambda _: self._stops.pop(spec.run_id, None))
        return future

    def cancel(self, run_id: str, status: str = "cancelled") -> None:
        if run_id in self._stops:
            self._stops[run_id] = status

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=not wait)


def _distributed() -> Any:
    """dask.distributed (untyped), or an ImportError saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise ImportError("the Dask executor needs dask.distributed: "
                          "pip install 'jupyter-mlops[dask]'") from None
    return distributed


def _cancelled(event_name: str) -> Callable[[], str | None]:
    """The cancel flag a task polls: the job's Dask ``Event``."""
    event = _distributed().Event(event_name)
    return lambda: "cancelled" if event.is_set() else None


def _on_worker(spec: JobSpec, event_name: str) -> JobResult:
    """The Dask task: supervise the job's child process on this worker."""
    return execute(spec, _cancelled(event_name))


def _on_worker_alone(job: RemoteJob, event_name: str) -> JobResult:
    """The Dask task when the worker does not see the store (see :mod:`.remote`)."""
    return run_remote(job, _cancelled(event_name))


class DaskExecutor:
    """Jobs as tasks on a Dask cluster (``dask://host:8786``). With a team store the
    notebook travels with the task and the job's events reach the team store from the
    worker (:mod:`.remote`); without one the store must be on a filesystem every worker
    sees, since the job writes its events there."""

    name = "dask"

    def __init__(self, address: str) -> None:
        self.address = address
        self.client = _distributed().Client(address, set_as_default=False)

    @classmethod
    def from_url(cls, url: str, max_workers: int) -> DaskExecutor:
        """``dask://host:8786`` (or the scheduler's own ``tcp://``/``tls://`` address); the
        cluster's workers bound how many jobs run at once."""
        return cls(url if url.startswith(("tcp://", "tls://"))
                   else "tcp://" + url.removeprefix("dask://"))

    def submit(self, spec: JobSpec) -> Any:
        spec.executor = f"dask://{self.address.removeprefix('tcp://')}"
        job = remote_job(spec)
        task, first = (_on_worker, spec) if job is None else (_on_worker_alone, job)
        return self.client.submit(task, first, _event_name(spec.run_id),
                                  key=f"jupyter-mlops-job-{spec.run_id}", pure=False)

    def cancel(self, run_id: str, status: str = "cancelled") -> None:
        """Dask tasks end as cancelled whatever ``status`` asks (one Event per job)."""
        _distributed().Event(_event_name(run_id), client=self.client).set()

    def shutdown(self, wait: bool = True) -> None:
        self.client.close()


def _event_name(run_id: str) -> str:
    return f"jupyter-mlops-cancel-{run_id}"
