"""Where jobs run: threads of this process supervising local child processes (default),
or tasks on a Dask cluster, each supervising its child process on a worker.

Both return futures of :class:`JobResult` and cancel by run id. Dask cannot interrupt a
running task, so a cancel sets a Dask ``Event`` that the task polls, and the task kills
its child process tree itself.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from .runner import execute, supervise
from .spec import JobResult, JobSpec


class Executor(Protocol):
    name: str

    def submit(self, spec: JobSpec) -> Any:
        """Start the job (queued behind the concurrency limit); a future of JobResult."""

    def cancel(self, run_id: str, status: str = "cancelled") -> None:
        """Stop a queued or running job; it ends with ``status``."""

    def shutdown(self, wait: bool = True) -> None: ...


class LocalExecutor:
    """At most ``max_workers`` jobs at once on this machine; the rest wait in order."""

    name = "local"

    def __init__(self, max_workers: int = 2) -> None:
        if max_workers < 1:
            raise ValueError(f"max_workers must be at least 1, not {max_workers}")
        self._pool = ThreadPoolExecutor(max_workers, thread_name_prefix="jupyter-mlops-job")
        self._stops: dict[str, str | None] = {}

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


def _on_worker(spec: JobSpec, event_name: str) -> JobResult:
    """The Dask task: supervise the job's child process on this worker."""
    from distributed import Event

    event = Event(event_name)
    return execute(spec, lambda: "cancelled" if event.is_set() else None)


class DaskExecutor:
    """Jobs as tasks on a Dask cluster (``dask://host:8786``); the store must be on a
    filesystem every worker sees, since the job writes its events there."""

    name = "dask"

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise ImportError("the Dask executor needs dask.distributed: "
                              "pip install 'jupyter-mlops[dask]'") from None
        self.address = address
        self.client = Client(address, set_as_default=False)

    def submit(self, spec: JobSpec) -> Any:
        spec.executor = f"dask://{self.address.removeprefix('tcp://')}"
        return self.client.submit(_on_worker, spec, _event_name(spec.run_id),
                                  key=f"jupyter-mlops-job-{spec.run_id}", pure=False)

    def cancel(self, run_id: str, status: str = "cancelled") -> None:
        """Dask tasks end as cancelled whatever ``status`` asks (one Event per job)."""
        from distributed import Event

        Event(_event_name(run_id), client=self.client).set()

    def shutdown(self, wait: bool = True) -> None:
        self.client.close()


def _event_name(run_id: str) -> str:
    return f"jupyter-mlops-cancel-{run_id}"


def executor_for(url: str | None, max_workers: int = 2) -> LocalExecutor | DaskExecutor:
    """``None``/``"local"`` → a local executor; ``"dask://host:8786"`` → that cluster."""
    if url in (None, "", "local"):
        return LocalExecutor(max_workers)
    if url.startswith("dask://"):
        return DaskExecutor("tcp://" + url.removeprefix("dask://"))
    if url.startswith(("tcp://", "tls://")):
        return DaskExecutor(url)
    raise ValueError(f"unknown executor {url!r}: use 'local' or 'dask://host:8786'")
