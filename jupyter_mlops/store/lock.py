"""The store lock: a flock on a side file, held around every open of the DuckDB file.

DuckDB reads the database header before taking its own file lock, so opening the file
while another process closes it can see a stale header (FIELD_NOTES). No process opens the
DuckDB file without this lock: shared for readers, exclusive for ingest.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from ..exceptions import StoreError
from . import Store

#: How long a reader or ingester waits for the lock before giving up with a clear message.
DEFAULT_TIMEOUT = 60.0

_held = threading.local()  # store root -> "shared" | "exclusive", for this thread


def held(store: Store) -> str | None:
    """The mode in which this thread holds the store lock, if it does."""
    return getattr(_held, "modes", {}).get(store.root)


@contextlib.contextmanager
def hold(store: Store, *, exclusive: bool, timeout: float = DEFAULT_TIMEOUT) -> Iterator[None]:
    """Hold the store lock (shared or exclusive) for the duration of the block.

    Re-entrant per thread: an inner ``hold`` that the outer one already covers is a no-op
    (flock locks belong to the open file, so a second descriptor would deadlock).
    """
    mode = held(store)
    if mode == "exclusive" or (mode == "shared" and not exclusive):
        yield
        return
    if mode == "shared":
        raise RuntimeError("cannot upgrade a shared store lock to exclusive")
    path = store.lock_path
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except FileNotFoundError:
        raise StoreError(
            f"no store at {store.root}. Run a notebook with `%load_ext jupyter_mlops` "
            f"or `jupyter mlops ingest` first, or set JUPYTER_MLOPS_HOME."
        ) from None
    except OSError as e:
        if e.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise StoreError(f"cannot open the store lock {path}: {e.strerror}") from None
        if exclusive:
            raise StoreError(
                f"the store at {store.root} is read-only, so it cannot be updated. "
                f"Make it writable or point JUPYTER_MLOPS_HOME at a writable copy."
            ) from None
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as e2:
            raise StoreError(f"cannot open the store lock {path}: {e2.strerror}") from None
    modes = _held.__dict__.setdefault("modes", {})
    try:
        _acquire(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH, path, timeout)
        modes[store.root] = "exclusive" if exclusive else "shared"
        yield
    finally:
        modes.pop(store.root, None)
        os.close(fd)  # closing the descriptor releases the flock


def _acquire(fd: int, mode: int, path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    delay = 0.001
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = holders(path)
                who = f" (held by pid {', '.join(map(str, holder))})" if holder else ""
                raise StoreError(
                    f"the store lock {path} was busy for {timeout:.0f} s{who}. "
                    f"Another ingest may be stuck; see `jupyter mlops doctor`."
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.05)


def holders(path: Path) -> list[int]:
    """Pids holding a flock on ``path`` now (Linux /proc/locks; empty where unknown)."""
    try:
        st = os.stat(path)
        with open("/proc/locks") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    inode = st.st_ino
    pids = []
    for line in lines:
        parts = line.split()
        # "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; blocked waiters carry "->"
        if "->" in parts or len(parts) < 6 or parts[1] != "FLOCK":
            continue
        if parts[5].rsplit(":", 1)[-1] == str(inode):
            pids.append(int(parts[4]))
    return sorted(set(pids))
