"""Per-cell overhead of capture on a trivial cell, against the same cell without capture."""

from __future__ import annotations

import tempfile
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd

from jupyter_mlops.capture.hooks import CellCapture
from jupyter_mlops.store import Store
from jupyter_mlops.tracking import Tracker
from tests.bench import Result
from tests.conftest import ipython

BLOCKS, PER_BLOCK = 10, 300
CELL = "y = x + 1\nz = df.shape[0] + y"


def _time(shell, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        shell.run_cell(CELL, store_history=True)
        out.append(time.perf_counter() - t)
    return out


def _timed(hook, spent: list[float]):
    """The hook, timing itself: the added cost read directly, immune to the cell's noise."""
    def timed(arg):
        t = time.perf_counter()
        hook(arg)
        spent.append(time.perf_counter() - t)
    return timed


def run() -> list[Result]:
    shell = ipython()
    shell.user_ns.update({f"v{i}": i for i in range(200)})  # a lived-in namespace
    shell.user_ns.update(x=1, df=pd.DataFrame(np.random.default_rng(0).random((10_000, 20))))
    with tempfile.TemporaryDirectory() as tmp:
        tracker = Tracker(Store.open(tmp))
        capture = CellCapture(shell, tracker, SimpleNamespace(
            fingerprint=True, fingerprint_max_bytes=2**32))
        pre: list[float] = []
        post: list[float] = []
        capture.pre_run_cell = _timed(capture.pre_run_cell, pre)
        capture.post_run_cell = _timed(capture.post_run_cell, post)
        base: list[float] = []
        tracked: list[float] = []
        _time(shell, 100)  # warm up
        for _ in range(BLOCKS):  # interleaved blocks: drift of the machine hits both alike
            base += _time(shell, PER_BLOCK)
            capture.register()
            tracked += _time(shell, PER_BLOCK)
            capture.unregister()
        hooks = np.array(pre[-len(post):]) + np.array(post)
        tracker.end_run()
        tracker.writer.close()
    b50 = np.percentile(base, 50) * 1000
    t50 = np.percentile(tracked, 50) * 1000
    h50, h99 = np.percentile(hooks, [50, 99]) * 1000
    return [
        Result("capture: added per cell, p50 (hook time)", h50, "ms", "<= 0.3 ms", h50 <= 0.3,
               f"cell p50 {b50:.3f} ms untracked, {t50:.3f} ms tracked",
               f"+{t50 - b50:.3f} ms by difference of the cells' p50"),
        Result("capture: added per cell, p99 (hook time)", h99, "ms", "<= 2 ms", h99 <= 2,
               f"untracked cell p99 {np.percentile(base, 99) * 1000:.3f} ms",
               f"{h99 / b50:.1f}x an untracked cell's p50"),
    ]
