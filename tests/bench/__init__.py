"""Benchmarks (`make bench`): each prints its figure beside a baseline measured in the same run.

These machines are noisy, so the ratio to the in-run baseline is the figure to compare
across runs; the absolute numbers are checked against the issue's targets.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from jupyter_mlops import tracking
from jupyter_mlops.store import Store


@dataclass
class Result:
    name: str
    value: float
    unit: str
    target: str
    ok: bool
    baseline: str
    ratio: str


def p50(call: Callable[[], object], n: int = 15) -> float:
    """The median time of ``n`` calls, in milliseconds."""
    times = []
    for _ in range(n):
        t = time.perf_counter()
        call()
        times.append(time.perf_counter() - t)
    return sorted(times)[n // 2] * 1000


@contextlib.contextmanager
def filled_store(fill: Callable[[Store], None]) -> Iterator[Store]:
    """A store in a temporary folder, filled by ``fill``, that this process's tracker
    records into while the block runs."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(tmp)
        store.ensure()
        fill(store)
        saved, tracking._tracker = tracking._tracker, tracking.Tracker(store)
        try:
            yield store
        finally:
            tracking._tracker.writer.close()
            tracking._tracker = saved
