"""The scheduler daemon: ``jupyter mlops scheduler``, one per store.

Why a loop of its own around APScheduler's cron triggers rather than APScheduler's
scheduler: the schedules live in the event store (so the sidebar, the CLI and this daemon
share one truth), the last fire time of each schedule is in the jobs table (so misfires
across a daemon restart follow the schedule's policy), and APScheduler's persistent job
stores would be a second database. The loop asks the store every tick (~30 ms).
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import socket
import threading
import time
from typing import Any

from .. import events as ev
from ..alerts import delivery
from ..exceptions import JobError, SchedulerBusy, StoreError
from ..store import Store, process, queries
from ..store.lock import hold
from ..store.team.sync import Syncer
from . import schedules
from .executors import LocalExecutor, executor_for
from .records import alive, job_processes, settle
from .runner import kill_tree, record, record_end
from .spec import JobResult, JobSpec

log = logging.getLogger("jupyter_mlops.scheduler")



class SchedulerLock:
    """One daemon per store: an exclusive flock on ``<store>/scheduler.lock`` naming its
    holder. Also how others ask whether a daemon runs (``schedule run-now``)."""

    def __init__(self, store: Store) -> None:
        self.path = store.root / "scheduler.lock"
        self._store = store
        self._fd: int | None = None

    def acquire(self) -> None:
        self._store.ensure()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise SchedulerBusy(f"a scheduler already runs on {self._store.root} ({holder}); "
                                f"one per store. Stop it first.") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def held_elsewhere(self) -> bool:
        """Whether a daemon runs on this store now."""
        try:
            self.acquire()
        except SchedulerBusy:
            return True
        self.release()
        return False


class Scheduler:
    """Fires due schedules and answers run requests; ``tick`` is one pass (tests call it
    with their own ``now``), ``serve`` loops until SIGTERM/SIGINT or :meth:`stop`."""

    def __init__(self, store: Store, *, executor: str | None = None, max_jobs: int = 2,
                 tick_s: float = 1.0, grace_s: float = schedules.GRACE_S,
                 shutdown_grace_s: float = 30.0) -> None:
        self.store = store
        self.executor = executor_for(executor, max_jobs)
        self.tick_s, self.grace_s, self.shutdown_grace_s = tick_s, grace_s, shutdown_grace_s
        self.lock = SchedulerLock(store)
        self._running: dict[str, tuple[str, Any]] = {}  # run id -> (schedule, future)
        self._last: dict[str, float] = {}  # schedule -> last fire time handled
        self._backlog: dict[str, list[float]] = {}  # fire times waiting for the previous job
        self._answered: set[str] = set()  # request ids
        self._stop = threading.Event()

    # -- start-up, the loop, shutdown -----------------------------------------------------
    def recover(self) -> list[str]:
        """Take over what dead runners on this host left "running": the live job of a slot
        a dead scheduler claimed is adopted (supervised here as if started here, so the
        slot runs once and its schedule waits for it); a live job that cannot be adopted
        (not a slot of a current schedule, or a Dask executor here) has its tree killed;
        jobs with nothing left alive are recorded as lost. Returns the lost run ids."""
        here = socket.gethostname()
        orphans = job_processes()
        states = schedules.current(self.store)
        adopted = set()
        for claim in queries.open_claims(self.store, here).to_dict("records"):
            run_id, name = claim["run_id"], claim["schedule"]
            if alive(claim["pid"], claim["pid_started"]):
                continue
            process = orphans.pop(run_id, None)
            spec_file = self.store.root / "jobs" / run_id / "spec.json"
            if process is not None and name in states and spec_file.is_file() and isinstance(
                    self.executor, LocalExecutor):
                spec = JobSpec.load(spec_file)
                self._track(name, spec, self.executor.adopt(spec, process), "adopted")
                adopted.add(run_id)
                continue
            if process is not None:
                kill_tree(process.pid)
            elif not isinstance(claim["status"], str):  # it died before its job started
                record_end(str(self.store.root), JobResult(
                    run_id, "lost", "its scheduler ended before the job started"))
        running = [j for j in queries.jobs(self.store, status="running", limit=1_000_000)
                   .to_dict("records") if j["run_id"] not in adopted]
        for job in running:
            if job["host"] == here and job["run_id"] in orphans and not alive(
                    job["pid"], job["pid_started"]):
                kill_tree(orphans[job["run_id"]].pid)  # its runner is gone: nothing waits
        return settle(self.store, running)

    def _claim(self, spec: JobSpec) -> bool:
        """Record, under the store's lock, that this daemon runs this fire time (or request)
        of the schedule, before its job starts; False if it was claimed or run already. A
        successor daemon reads the claims: a slot whose daemon was killed right after
        starting its job is not run again."""
        with hold(self.store, exclusive=True):  # the read ingests what is pending first
            if queries.slot_taken(self.store, spec.schedule or "", spec.scheduled_for,
                                  spec.request):
                return False
            record(str(self.store.root), ev.Event(ev.JOB_CLAIMED, {  # fsynced
                "run_id": spec.run_id, "schedule": spec.schedule,
                "scheduled_for": spec.scheduled_for, "request": spec.request,
                "host": socket.gethostname(), "pid": os.getpid(),
                "pid_started": process.start_ticks(os.getpid())}))
        return True

    def serve(self) -> None:
        """Run until SIGTERM/SIGINT: running jobs get ``shutdown_grace_s`` to finish, then
        are killed and recorded as interrupted. Alerts are delivered meanwhile."""
        self.lock.acquire()
        stop_alerts = delivery.start(self.store, watch_spool=True)
        team = Syncer(self.store)
        try:
            for run_id in self.recover():
                log.warning("job %s was left running by a dead runner: marked lost",
                            run_id[:12])
            if threading.current_thread() is threading.main_thread():
                for sig in (signal.SIGTERM, signal.SIGINT):
                    signal.signal(sig, lambda *_: self._stop.set())
            log.info("scheduler on %s, %s executor", self.store.root, self.executor.name)
            while not self._stop.is_set():
                try:
                    self.tick()
                except StoreError as e:
                    log.error("tick failed, retrying: %s", e)
                team.round()  # ships to and pulls from the team store, if any; never raises
                self._stop.wait(self.tick_s)
            self.shutdown()
        finally:
            team.close()
            stop_alerts()
            self.lock.release()

    def stop(self) -> None:
        self._stop.set()

    def shutdown(self) -> None:
        deadline = time.monotonic() + self.shutdown_grace_s
        for run_id, (_, future) in list(self._running.items()):
            try:
                future.result(timeout=max(0.0, deadline - time.monotonic()))
            except Exception:  # timed out waiting (or the job raised): interrupt it
                log.warning("interrupting job %s", run_id[:12])
                self.executor.cancel(run_id, "interrupted")
        self.executor.shutdown(wait=True)

    def tick(self, now: float | None = None) -> list[JobSpec]:
        """Fire what is due now and answer pending requests; returns the jobs started."""
        now = time.time() if now is None else now
        table = queries.schedules(self.store)
        started = []
        for row in table.itertuples():
            state = row.state
            last = self._last.get(row.name) or _since(row.last_fired, state)
            self._last[row.name] = now
            if state.get("paused"):
                self._backlog.pop(row.name, None)
                continue
            backlog = self._backlog.setdefault(row.name, [])
            try:
                fired = schedules.due(state, last, now, self.grace_s)
                self._missed(row.name, [t for t in schedules.fire_times(state, last, now)
                                        if t not in fired], "no scheduler ran at that time")
                backlog += fired
            except JobError as e:  # a cron recorded by hand or by an older version
                log.error("%s: skipped: %s", row.name, e)
                continue
            if state.get("misfire") != "all":  # only "all" runs fire times one after another
                self._missed(row.name, backlog[:-1], "a later fire time replaced it")
                del backlog[:-1]
            if backlog and not self._busy(row.name):
                spec = self._start(row.name, state, "schedule", scheduled_for=backlog.pop(0))
                if spec:
                    started.append(spec)
            elif backlog and state.get("misfire") != "all":
                log.warning("%s: the previous job is still running; this fire is skipped",
                            row.name)
                self._missed(row.name, backlog, "the previous job was still running")
                backlog.clear()
        states = {row.name: row.state for row in table.itertuples()}
        for req in queries.pending_requests(self.store).itertuples():
            if req.id in self._answered or self._busy(req.schedule):
                continue  # a request waits for its schedule's running job to end
            self._answered.add(req.id)
            if req.schedule not in states:
                log.error("request %s: no schedule named %r", req.id[:12], req.schedule)
                continue
            spec = self._start(req.schedule, states[req.schedule], "request",
                               params=req.params or {}, request=req.id,
                               parent_run=req.parent_run)
            if spec:
                started.append(spec)
        return started

    def _missed(self, name: str, times: list[float], reason: str) -> None:
        """Record fire times that will not run (alert rules fire on them)."""
        if times:
            record(str(self.store.root), *(ev.Event(ev.SCHEDULE_MISSED, {
                "name": name, "scheduled_for": t, "reason": reason}) for t in times))

    def _busy(self, name: str) -> bool:
        return any(schedule == name for schedule, _ in self._running.values())

    def _start(self, name: str, state: dict[str, Any], trigger: str,
               params: dict[str, Any] | None = None, **context: Any) -> JobSpec | None:
        if self._busy(name):  # never two jobs of one schedule at once
            log.warning("%s: the previous job is still running; %s skipped", name, trigger)
            return None
        try:
            spec = schedules.spec_for(name, state, params, store=self.store, trigger=trigger,
                                      **context)
            if not self._claim(spec):
                log.warning("%s: this %s was claimed already; not run again", name, trigger)
                return None
        except StoreError as e:
            log.error("%s: cannot start: %s", name, e)
            return None
        self._track(name, spec, self.executor.submit(spec), f"started ({trigger})")
        return spec

    def _track(self, name: str, spec: JobSpec, future: Any, how: str) -> None:
        """Count the job as running for its schedule until ``future`` ends."""
        self._running[spec.run_id] = (name, future)
        future.add_done_callback(lambda f, run_id=spec.run_id: self._done(run_id, f))
        log.info("%s: job %s %s", name, spec.run_id[:12], how)

    def _done(self, run_id: str, future: Any) -> None:
        name, _ = self._running.pop(run_id, (None, None))
        try:
            log.info("%s: %s", name, future.result())
        except Exception as e:
            log.error("%s: job %s ended badly: %s", name, run_id[:12], e)



def _since(last_fired: Any, state: dict[str, Any]) -> float:
    """Where a schedule's fire times start counting: its last recorded fire time, or when
    it was created or resumed, whichever is later."""
    fired = 0.0 if last_fired is None or last_fired != last_fired else last_fired.timestamp()
    return max(fired, state.get("since") or 0.0)
