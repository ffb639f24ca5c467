"""Whether a process on this host is still the one we knew: pid + start time.

A pid alone is not an identity (pids are reused); a pid with the process's start time, in
clock ticks since boot (``/proc/PID/stat``), is. Comparing ticks with ticks involves no wall
clock, so a clock step cannot make a live process look dead. Linux only: where there is no
``/proc``, :func:`start_ticks` is None and callers use another signal.
"""

from __future__ import annotations


def _stat(pid: int) -> list[bytes]:
    """Fields 3 onwards of ``/proc/PID/stat`` (state, ppid, …); empty if the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return []
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses; split after the last ")"
    return stat[stat.rfind(b")") + 2:].split()


def start_ticks(pid: int) -> int | None:
    """The start time of process ``pid`` in clock ticks since boot; None if unknown or gone."""
    fields = _stat(pid)
    return int(fields[19]) if len(fields) > 19 else None  # field 22 of proc(5)


def alive(pid: int, ticks: int) -> bool:
    """True while the process ``pid`` that started at ``ticks`` runs (a zombie is gone)."""
    fields = _stat(pid)
    return len(fields) > 19 and fields[0] != b"Z" and int(fields[19]) == ticks
