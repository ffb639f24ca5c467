"""Where capture records: the seam between capture and the tracker above it.

Capture sits below :mod:`jupyter_mlops.tracking` (the tracker starts capture, never the other
way): it records through a :class:`Recorder` it is handed, and the tracking module hands
autolog the process's one with :func:`record_into` when it is imported. So capture imports
no tracking, and the tracker and its tests can swap the recorder without patching capture.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from ..events import Event
from ..store import Store


class Recorder(Protocol):
    """What capture needs of the tracker (:class:`jupyter_mlops.tracking.Tracker` is one)."""

    #: the seq of the cell executing now, for the params, metrics and fits it records
    cell_seq: int | None

    @property
    def store(self) -> Store: ...

    def ensure_run(self) -> str: ...

    def emit(self, type_: str, payload: dict[str, Any]) -> bool: ...

    def emit_event(self, event: Event) -> bool: ...


_current: Callable[[], Recorder] | None = None


def record_into(current: Callable[[], Recorder]) -> None:
    """Make ``current()`` the recorder of this process's autologged fits."""
    global _current
    _current = current


def recorder() -> Recorder:
    """This process's recorder; raises if the tracking module was never imported (it is
    whenever ``jupyter_mlops`` is)."""
    if _current is None:
        raise RuntimeError("no recorder: import jupyter_mlops.tracking first")
    return _current()


def store_root() -> Path | None:
    """The store folder incidents go to, or None when even that cannot be found."""
    try:
        return recorder().store.root
    except Exception:
        return None
