"""Failures inside capture: swallowed, counted, and written to ``<store>/logs/capture.log``.

Capture must never show anything in a cell's output, in a kernel or a job; a ``logging``
warning does (its last-resort handler writes to the cell's stderr). So nothing here logs or
prints: each incident is one JSON line (time, pid, where, the error, its traceback) appended
with a single ``os.write`` (whole lines even with several kernels writing), and the file is
capped by rotating it once to ``capture.log.1`` past :data:`MAX_BYTES`, so a loop that fails
on every fit costs a bounded disk. ``jupyter mlops doctor`` reads it back (:func:`summary`).
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

MAX_BYTES = 1 << 20
_MAX_TRACEBACK_CHARS = 4000
#: Incidents of this process, including any that could not be written to the log.
count = 0


def log_path(root: Path) -> Path:
    return root / "logs" / "capture.log"


def report(root: Path | None, where: str) -> None:
    """Record the exception being handled (call it from an ``except`` block); never raises.

    ``root`` is the store's folder, or None when even that could not be found: then the
    incident is only counted.
    """
    global count
    count += 1
    if root is None:
        return
    try:
        error = sys.exc_info()[1]
        line = json.dumps({
            "ts": time.time(), "pid": os.getpid(), "where": where,
            "error": f"{type(error).__name__}: {error}"[:500] if error else "",
            "traceback": "".join(traceback.format_exception(error))[-_MAX_TRACEBACK_CHARS:]
            if error else ""})
        path = log_path(root)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > MAX_BYTES:
            os.replace(path, path.with_name(path.name + ".1"))
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)
    except Exception:  # a store that cannot take the log line either: counted above
        return


def _entries(root: Path) -> list[dict[str, Any]]:
    path = log_path(root)
    found = []
    for part in (path.with_name(path.name + ".1"), path):  # oldest first
        try:
            lines = part.read_text(errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            try:
                found.append(json.loads(line))
            except ValueError:  # a line torn by a killed writer
                continue
    return found


def summary(root: Path, last: int = 3) -> dict[str, str]:
    """What ``jupyter mlops doctor`` shows: how many failures the log holds, the last few."""
    entries = _entries(root)
    if not entries:
        return {"capture failures": "0"}
    return {"capture failures": f"{len(entries)} (log: {log_path(root)})",
            "last failures": f"\n{'':>18}".join(
                f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(e.get('ts', 0)))} "
                f"pid {e.get('pid')} {e.get('where')}: {e.get('error')}"
                for e in entries[-last:])}
