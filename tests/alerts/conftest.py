"""Helpers of the alerts tests: events written as their writers write them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from jupyter_mlops import events as ev
from jupyter_mlops.store import Store
from jupyter_mlops.store.spool import SpoolWriter


class Events:
    """Appends events to the store's spool, as a job runner, a kernel or the registry do."""

    def __init__(self, store: Store) -> None:
        self.writer = SpoolWriter(store)

    def write(self, type_: str, payload: dict[str, Any]) -> ev.Event:
        event = ev.Event(type_, payload)
        self.writer.append(event)
        self.writer.flush()
        return event

    def job(self, run_id: str, status: str, *, schedule: str | None = None,
            reason: str = "a cell raised") -> ev.Event:
        self.write(ev.RUN_STARTED, {"run_id": run_id, "experiment": "churn", "kind": "job"})
        self.write(ev.JOB_STARTED, {"run_id": run_id, "notebook": "train.ipynb",
                                    "schedule": schedule})
        return self.write(ev.JOB_ENDED, {"run_id": run_id, "status": status, "reason": reason,
                                         "error_type": "ValueError",
                                         "error_message": "bad input"})


@pytest.fixture
def events(store: Store) -> Iterator[Events]:
    e = Events(store)
    yield e
    e.writer.close()
