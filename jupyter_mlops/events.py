"""Events: the only thing any part of jupyter-mlops writes.

Every change to the store is an :class:`Event` appended to a spool file and applied to
DuckDB later by ingest. Ids are sortable (millisecond time first) and unique across
processes (random tail), so ingest can deduplicate by id and order by it.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

#: Event types and what their payload carries. Ingest dispatches on these names and keeps
#: (but does not apply) types it does not know, so a newer writer never loses events.
RUN_STARTED = "run_started"  # run_id, name, experiment, kind, notebook, parent_run, pid, host
RUN_RENAMED = "run_renamed"  # run_id, name: mlops.set_run_name, %mlops name
RUN_UPDATED = "run_updated"  # run_id, experiment
RUN_ENVIRONMENT = "run_environment"  # run_id, env_id, environment{}, git_commit, git_dirty
RUN_ENDED = "run_ended"  # run_id, status
CELL = "cell"  # run_id, cell_id, execution_count, source, ..., data[]
PARAMS = "params"  # run_id, params{}, seq (the cell's; older writers: cell_seq)
METRICS = "metrics"  # run_id, metrics{}, step, seq (older writers: cell_seq)
PROFILE = "profile"  # run_id, fingerprint, name, rows, profile{}, shape, schema
DRIFT_REPORT = "drift_report"  # run_id, reference, current, model, ..., columns[]
MODEL_VERSION = "model_version"  # run_id, name, version, artifact, format, flavor, metrics{}
ALIAS_SET = "alias_set"  # name, alias, version, previous, set_by, gate{}
MODEL_RETIRED = "model_retired"  # name, version, set_by, reason: archived, never by alias
SCORE = "score"  # run_id, batch_id, name, version, input, output, data[], versions[], rows
BATCH_METRICS = "batch_metrics"  # run_id, batch_id, name, version, role, metrics{}, rows
FIT = "fit"  # run_id, seq, estimator, params{}, inputs[], duration_ms, artifact, search
JOB_STARTED = "job_started"  # run_id, notebook, notebook_sha, params{}, schedule, trigger, ...
JOB_ENDED = "job_ended"  # run_id, status, reason, failed_cell, error_type, error_message, output
SCHEDULE = "schedule"  # name, state{notebook, cron, params, misfire, ...} or removed
JOB_REQUESTED = "job_requested"  # schedule, params{}, parent_run: for the scheduler daemon
JOB_CLAIMED = "job_claimed"  # run_id, schedule, scheduled_for, request, host, pid, pid_started
RUN_DELETED = "run_deleted"  # run_id, by, reason: a tombstone (gc, mlops.delete_run)
FILES_FREED = "files_freed"  # files[{kind, ref, size}], by, reason: removed after commit
ARTIFACT = "artifact"  # run_id, seq, name, kind, sha256, size, media_type, files[] (a dir's)

#: What an artifact holds: a logged file or folder, a figure, a table (Parquet), text, a dict
#: (JSON), or a cell's displayed output (linked to the cell by seq).
ARTIFACT_KINDS = ("file", "dir", "figure", "table", "text", "dict", "output")
SCHEDULE_MISSED = "schedule_missed"  # name, scheduled_for, reason: a fire time not run
GATE_REFUSED = "gate_refused"  # name, version, alias, reason: a promotion the gate refused
PERFORMANCE_DRIFT = "performance_drift"  # run_id, metric, reference, current, ..., degraded
ALERT = "alert"  # run_id, title, text, severity: mlops.alert(...)
PERFORMANCE_REFERENCE = "performance_reference"  # run_id, model, calibration{}, columns[], ...
PERFORMANCE = "performance"  # run_id, model, reference, batch, n, metrics[]: mlops.performance
CONTRACT = "contract"  # run_id, name, model, fingerprint, contract{}: rules a batch must keep
CONTRACT_CHECK = "contract_check"  # run_id, contract, model, ok, rows, violations[]
ALERT_QUEUED = "alert_queued"  # key, rule, channel, source, kind, severity, title, text, ...
ALERT_EVALUATED = "alert_evaluated"  # sources[]: alertable events the rules have seen
ALERT_CLAIMED = "alert_claimed"  # key, attempt, until, host, pid: one deliverer sends it
ALERT_DELIVERED = "alert_delivered"  # key, attempt, detail
ALERT_RETRY = "alert_retry"  # key, attempt, error, next_at: a failed try, tried again later
ALERT_FAILED = "alert_failed"  # key, attempt, error: given up

#: A job's status: "running" until it ends, then how it ended ("refused": it never started,
#: a bad notebook or parameter; "lost": its processes are gone).
JOB_STATUSES = ("running", "succeeded", "failed", "timed_out", "kernel_died", "cancelled",
                "interrupted", "lost", "refused")
#: A run's status: an interactive run is running, finished, or died (its process gone without
#: ending it); a job's run ends with its job's status. The one list: REST publishes it as the
#: RunStatus enum, the widgets and the sidebar's generated types take it from there.
RUN_STATUSES = ("running", "finished", "died", *JOB_STATUSES[1:])
#: What started a run: a kernel session (or a ``%mlops run`` block in it), or a job.
RUN_KINDS = ("interactive", "job")


class _IdClock:
    """Monotonic, collision-free ids: 48-bit ms time, 16-bit counter, 64 random bits."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0
        self._counter = 0
        self.reseed()

    def reseed(self) -> None:
        """A new random tail: called in a forked child, which must not reuse its parent's."""
        self._node = int.from_bytes(os.urandom(8), "big")
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            ms = time.time_ns() // 1_000_000
            if ms <= self._last_ms:
                self._last_ms, self._counter = _step(self._last_ms, self._counter)
            else:
                self._last_ms, self._counter = ms, 0
            return self._id(self._last_ms, self._counter)

    def after(self, previous: str) -> str:
        """A new id, or one just after ``previous`` when that sorts later (the clock that
        made it was ahead of this one)."""
        fresh = self.next()
        if fresh > previous:
            return fresh
        return self._id(*_step(int(previous[:12], 16), int(previous[12:16], 16)))

    def _id(self, ms: int, counter: int) -> str:
        return f"{ms:012x}{counter:04x}{self._node:016x}"


def _step(ms: int, counter: int) -> tuple[int, int]:
    """The next (ms, counter) of an id: 65k ids in one ms borrow the next ms."""
    return (ms, counter + 1) if counter < 0xFFFF else (ms + 1, 0)


_clock = _IdClock()
os.register_at_fork(after_in_child=_clock.reseed)
# One encoder for every line: json.dumps with options builds a new encoder per call.
_encode = json.JSONEncoder(separators=(",", ":"), default=repr, check_circular=False).encode


def new_id() -> str:
    """A 32-hex-digit id that sorts by creation time."""
    return _clock.next()


def id_after(previous: str | None) -> str:
    """A new id that sorts after ``previous`` even when this machine's clock is behind the
    one that made ``previous``: a chain of moves made on several machines keeps its order."""
    return new_id() if previous is None else _clock.after(previous)


def _user() -> str:
    """Who runs this process: the login name, else the uid (a container's user may have no
    passwd entry, where ``getuser`` raises)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return f"uid {os.getuid()}"


#: Who writes this process's events, and where: computed once per process (a fork keeps
#: both). Every event carries them, so a team's or a merged bundle's records say whose
#: they are; events written before they existed have neither (None).
USER, HOST = _user(), socket.gethostname()
_WHO = f',"user":{_encode(USER)},"host":{_encode(HOST)}'


@dataclass(slots=True)
class Event:
    type: str
    payload: dict[str, Any]
    id: str = field(default_factory=new_id)
    ts: float = field(default_factory=time.time)
    user: str | None = USER
    host: str | None = HOST

    def to_line(self) -> bytes:
        """One JSONL line; non-JSON values in payloads become their ``repr``."""
        who = _WHO if self.user is USER and self.host is HOST else (
            f',"user":{_encode(self.user)},"host":{_encode(self.host)}')
        return (f'{{"id":"{self.id}","type":{_encode(self.type)},"ts":{self.ts!r}{who},'
                f'"payload":{_encode(self.payload)}}}\n').encode()

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Event:
        """Rebuild an event from a parsed line (its writer's user and host kept, None when
        it has none); raises ValueError if it is not one."""
        try:
            event = cls(type=d["type"], payload=d["payload"], id=d["id"], ts=float(d["ts"]),
                        user=d.get("user"), host=d.get("host"))
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise ValueError(f"not an event: {e!r}") from None
        if not isinstance(event.type, str) or not isinstance(event.payload, dict):
            raise ValueError("not an event: type must be a string and payload an object")
        return event


def artifact_payload(run_id: str, seq: int | None, name: str, kind: str, sha256: str,
                     size: int, media: str, files: list[dict[str, Any]] | None = None
                     ) -> dict[str, Any]:
    """The :data:`ARTIFACT` event's payload (one shape for every writer of it)."""
    return {"run_id": run_id, "seq": seq, "name": name, "kind": kind, "sha256": sha256,
            "size": size, "media_type": media, "files": files or []}
