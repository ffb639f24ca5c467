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
import glob
import logging
import mmap
import os
import socket
import stat
import threading
import time
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import overload

from ..events import Event
from ..exceptions import StoreError
from . import Store, process

log = logging.getLogger("jupyter_mlops")

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
        os.register_at_fork(after_in_child=lambda: _forget(ref()))

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
            written = 0
            try:
                while written < len(data):  # a short write means the disk is (nearly) full
                    written += os.write(fd, memoryview(data)[written:])
            except OSError:
                self._cut_back(fd, data[:written])
                raise
            self._size += len(data)

    def _cut_back(self, fd: int, written: bytes) -> None:
        """After a failed append: end the file at a line boundary again, so that the next
        acknowledged event starts a line of its own instead of completing a fragment (and
        being quarantined with it). Whole lines that made it stay: ingest may have read them.
        If the file cannot be cut (it should: truncating frees space), it is sealed, so the
        fragment stays a torn tail that is archived, never applied, and never appended to."""
        end = self._size + written.rfind(b"\n") + 1
        try:
            os.ftruncate(fd, end)
            self._size = end
        except OSError:
            os.close(fd)
            self._fd, self._seq, self._size = None, self._seq + 1, 0

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
            self._stamp = writer_name(os.getpid())
        if self._fd is not None and self._size and self._size + incoming > self.segment_bytes:
            # The next segment is locked before this one is sealed (closing releases its
            # flock): a live writer always holds a segment lock (see writer_alive).
            self._seq += 1
            fd = self._open()
            os.close(self._fd)
            self._fd, self._size = fd, 0
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
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)  # our own new file: never contended
                    os.link(hidden, path)
                    break
                except FileExistsError:
                    os.close(fd)
                    self._seq += 1
                except OSError:  # e.g. a full disk: no descriptor leaks
                    os.close(fd)
                    raise
                finally:
                    os.unlink(hidden)
        except OSError as e:
            raise StoreError(
                f"cannot write to the store at {self.store.root}: {e.strerror}. "
                f"Set JUPYTER_MLOPS_HOME to a writable folder."
            ) from None
        self.path = path
        return fd


def _forget(writer: SpoolWriter | None) -> None:
    """In a forked child: a writer that still exists forgets its parent's file."""
    if writer is not None:
        writer._forget_parent_file()


def spool_files(store: Store) -> list[Path]:
    """Spool files awaiting ingest, oldest writer first."""
    return _segments(store.spool_dir)


def archived_files(store: Store) -> list[Path]:
    return _segments(store.archive_dir)


_skipped: set[Path] = set()  # what was warned about, so each stray gets one warning


def _segments(folder: Path) -> list[Path]:
    """The regular files named ``*.jsonl`` in ``folder``, oldest writer first. Anything else
    under that name (a directory, a symlink, a fifo) is no segment: skipped with one warning
    rather than crash every reader, or read what a link points at outside the store."""
    try:
        listed = list(folder.glob(f"*{SUFFIX}"))
    except OSError:
        return []
    files = []
    for path in listed:
        try:
            regular = stat.S_ISREG(path.lstat().st_mode)
        except FileNotFoundError:  # archived while listed
            continue
        if regular:
            files.append(path)
        elif path not in _skipped:
            _skipped.add(path)
            log.warning("jupyter-mlops: skipping %s: not a regular file, so not a spool "
                        "segment. Move it out of %s.", path, folder)
    return sorted(files, key=_order)


def _order(path: Path) -> tuple[int, str]:
    """Sort by the writer's start time, then name (segments of one writer in order)."""
    parts = path.stem.rsplit("-", 3)
    try:
        return int(parts[-2]), path.name
    except (IndexError, ValueError):
        return 0, path.name


def writer_name(pid: int) -> str:
    """The part of a spool file's name that names its writer: ``HOST-PID.TICKS-TIME_NS``
    (TICKS: the process's start time, see :mod:`.process`; absent where unknown)."""
    ticks = process.start_ticks(pid)
    return f"{socket.gethostname()}-{pid}{'' if ticks is None else f'.{ticks}'}-{time.time_ns()}"


def wrote_here(store: Store, writer: str) -> bool:
    """Whether the process named ``writer`` wrote into this store's spool (a segment of it
    is in the spool or the archive), not only into another machine's that a team store
    brought its events from."""
    segments = _pattern(writer)
    return any(store.spool_dir.glob(segments)) or any(store.archive_dir.glob(segments))


def _pattern(writer: str) -> str:
    """The glob of the spool segments ``writer`` wrote."""
    return f"{glob.escape(writer)}-*{SUFFIX}"


def writer_alive(store: Store, writer: str) -> bool:
    """Whether the process that wrote the spool files named ``writer-*`` may still write.

    On this host: its pid with its start time exists (exact, and blind to file listings, so
    a segment rotating meanwhile cannot make a live writer look dead). Elsewhere, or for a
    name without a start time: one of its segments is still locked. A writer locks its next
    segment before it seals the last, so when a probed segment turns out sealed, its
    successor is already linked in: listing again after the probes finds it. A writer of
    another host that never wrote into this store's spool, live or archived (its events
    came from a team store), cannot be judged from here: it counts as alive, its run ends
    by its own events.
    """
    host, _, rest = writer.rpartition("-")[0].rpartition("-")
    pid, _, ticks = rest.partition(".")
    here = host == socket.gethostname()
    if here and pid.isdigit() and ticks.isdigit():
        return process.alive(int(pid), int(ticks))
    segments = _pattern(writer)
    probed: set[Path] = set()
    while new := set(store.spool_dir.glob(segments)) - probed:
        if not all(is_sealed(p) for p in new):
            return True
        probed |= new
    if probed or here or not host:
        return False
    return not any(store.archive_dir.glob(segments))


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


#: A sealed file's unread bytes from this size on are mapped instead of read (fewer are not
#: worth a map, which also holds a file descriptor while its lines are in use).
MAP_BYTES = 1 << 20


@overload
def read_complete(path: Path, offset: int) -> bytes: ...
@overload
def read_complete(path: Path, offset: int, *, sealed: bool) -> bytes | memoryview: ...
def read_complete(path: Path, offset: int, *, sealed: bool = False) -> bytes | memoryview:
    """The bytes from ``offset`` up to and including the last newline.

    A torn last line (its writer died mid-write, or is writing now) is left for later. A
    ``sealed`` file's bytes (at least :data:`MAP_BYTES`) come through a memory map, with no
    copy out of the page cache: only a sealed file, since nothing appends to it or cuts it
    back any more (a writer cuts a torn tail after a failed append, and a mapped page cut
    off under a reader kills it with SIGBUS).
    """
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if sealed and size - offset >= MAP_BYTES:
            mapped = mmap.mmap(f.fileno(), size, access=mmap.ACCESS_READ)
            return memoryview(mapped)[offset:mapped.rfind(b"\n", offset) + 1]
        f.seek(offset)
        data = f.read()
    end = data.rfind(b"\n")
    return data if end == len(data) - 1 else data[: end + 1]  # the usual case: no copy
