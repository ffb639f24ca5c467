"""Append-only JSONL spool files, one per writing process.

Writing an event is one ``os.write`` of one line to a file opened with ``O_APPEND``: about
0.02 ms, and it never waits on another process. Each writer holds a flock on its own file for
as long as it may write to it; ingest uses that lock to tell a live file from a sealed one
(the writer ended, was killed, or rotated to a new segment).

fsync policy: events reach the OS page cache at once, so they survive the death of the
writing process (kill -9 included) but not of the machine. The writer fsyncs when asked
(:meth:`SpoolWriter.flush`): at the end of a run, and after a job's final events. A kernel
never pays an fsync per cell.
"""

from __future__ import annotations

import fcntl
import os
import socket
import threading
import time
import weakref
from collections.abc import Iterable
from pathlib import Path

from ..events import Event
from . import Store, StoreError

#: A writer starts a new segment past this size, so sealed segments can be archived.
SEGMENT_BYTES = 64 * 1024 * 1024
SUFFIX = ".jsonl"


class SpoolWriter:
    """Appends events to this process's spool file; thread-safe and fork-aware."""

    def __init__(self, store: Store, segment_bytes: int = SEGMENT_BYTES) -> None:
        self.store = store
        self.segment_bytes = segment_bytes
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._pid = -1
        self._seq = 0
        self._size = 0
        self._stamp = ""
        self.path: Path | None = None
        ref = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: (w := ref()) and w._forget_parent_file())

    def _forget_parent_file(self) -> None:
        """In a forked child: the parent's file is not ours. Closing our copy of the
        descriptor leaves the parent's lock alone (it lives while any copy is open)."""
        self._lock = threading.Lock()
        if self._fd is not None:
            os.close(self._fd)
        self._fd, self._pid = None, -1

    def write(self, events: Iterable[Event]) -> None:
        """Append events; raises :class:`StoreError` if the store cannot be written."""
        self._append(b"".join(e.to_line() for e in events))

    def append(self, event: Event) -> None:
        self._append(event.to_line())

    def _append(self, data: bytes) -> None:
        with self._lock:
            fd = self._current_fd(len(data))
            view = memoryview(data)
            while view:  # a regular-file write is whole in practice; loop to be sure
                n = os.write(fd, view)
                view = view[n:]
            self._size += len(data)

    def flush(self) -> None:
        """Make everything written so far durable (fsync)."""
        with self._lock:
            if self._fd is not None:
                os.fsync(self._fd)

    def close(self) -> None:
        """Close the file, which seals it: ingest may archive it once read.

        A later write (a thread finishing after exit began) starts the next segment.
        """
        with self._lock:
            if self._fd is not None:
                os.fsync(self._fd)
                os.close(self._fd)
                self._fd, self._seq, self._size = None, self._seq + 1, 0

    def _current_fd(self, incoming: int) -> int:
        if self._fd is None and self._pid == -1:  # first write of this process: its own file
            self._fd, self._pid, self._seq, self._size = None, os.getpid(), 0, 0
            self._stamp = f"{socket.gethostname()}-{os.getpid()}-{time.time_ns()}"
        if self._fd is not None and self._size and self._size + incoming > self.segment_bytes:
            os.close(self._fd)  # releases the flock: the segment is sealed
            self._fd, self._seq, self._size = None, self._seq + 1, 0
        if self._fd is None:
            self._fd = self._open()
        return self._fd

    def _open(self) -> int:
        """Create the next segment: under a hidden name, locked before it becomes visible
        (ingest must never see it unlocked, which reads as "sealed"), then linked into place,
        which fails rather than replace an existing segment."""
        try:
            self.store.spool_dir.mkdir(parents=True, exist_ok=True)
            while True:
                path = self.store.spool_dir / f"{self._stamp}-{self._seq:05d}{SUFFIX}"
                hidden = path.with_name(f".{path.name}.new")
                fd = os.open(hidden, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_TRUNC, 0o644)
                fcntl.flock(fd, fcntl.LOCK_EX)  # our own new file: never contended
                try:
                    os.link(hidden, path)
                    break
                except FileExistsError:
                    os.close(fd)
                    self._seq += 1
                finally:
                    os.unlink(hidden)
        except OSError as e:
            raise StoreError(
                f"cannot write to the store at {self.store.root}: {e.strerror}. "
                f"Set JUPYTER_MLOPS_HOME to a writable folder."
            ) from None
        self.path = path
        return fd


def spool_files(store: Store) -> list[Path]:
    """Spool files awaiting ingest, oldest writer first."""
    try:
        return sorted(store.spool_dir.glob(f"*{SUFFIX}"), key=_order)
    except OSError:
        return []


def archived_files(store: Store) -> list[Path]:
    return sorted(store.archive_dir.glob(f"*{SUFFIX}"), key=_order)


def _order(path: Path) -> tuple[int, str]:
    """Sort by the writer's start time, then name (segments of one writer in order)."""
    parts = path.stem.rsplit("-", 3)
    try:
        return int(parts[-2]), path.name
    except (IndexError, ValueError):
        return 0, path.name


def is_sealed(path: Path) -> bool:
    """True when no process holds the file's writer lock: nothing more will be appended."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def read_complete(path: Path, offset: int) -> bytes:
    """The bytes from ``offset`` up to and including the last newline.

    A torn last line (its writer died mid-write, or is writing now) is left for later.
    """
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read()
    end = data.rfind(b"\n")
    return data[: end + 1] if end >= 0 else b""
