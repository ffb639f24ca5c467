"""Per-cell overhead of capture on a trivial cell and on a 200-line cell, against the same
cells without capture."""

from __future__ import annotations

import ast
import tempfile
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd

from jupyter_mlops.capture.dataflow import analyse_tree
from jupyter_mlops.capture.hooks import CellCapture
from jupyter_mlops.store import Store
from jupyter_mlops.tracking import Tracker
from tests.bench import Result
from tests.conftest import ipython

BLOCKS, PER_BLOCK = 10, 300
CELL = "y = x + 1\nz = df.shape[0] + y"
LONG_BLOCKS, LONG_PER_BLOCK = 5, 80


def long_cell() -> str:
    """200 lines of the kinds a notebook has: assignments, branches, comprehensions, calls."""
    lines = []
    for i in range(25):
        lines += [f"a{i} = x + {i}", f"b{i} = [v * a{i} for v in range(3) if v]",
                  f"if a{i} > 3:", f"    c{i} = a{i} * 2", "else:", f"    c{i} = 0",
                  f"lst.append(c{i})", f"d{i} = dict(k=a{i}, z=df.shape[0])"]
    return "\n".join(lines)


def _time(shell, n: int, cell: str = CELL, fresh: bool = False) -> list[float]:
    """``fresh``: a new source each time (a trailing comment), so capture analyses it anew
    instead of finding a re-run cell's analysis."""
    out = []
    for i in range(n):
        source = f"{cell}\n# {time.perf_counter_ns()}-{i}" if fresh else cell
        t = time.perf_counter()
        shell.run_cell(source, store_history=True)
        out.append(time.perf_counter() - t)
    return out


def _timed(hook, spent: list[tuple[float, float]]):
    """The hook, timing itself: the added cost read directly, immune to the cell's noise.
    Wall time (what the user waits for) and the thread's CPU time (what capture computes,
    its garbage collections included; the difference is the OS running someone else)."""
    def timed(*args):
        t, c = time.perf_counter(), time.thread_time()
        hook(*args)
        spent.append((time.perf_counter() - t, time.thread_time() - c))
    return timed


def _per_cell(*spent: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """Capture's wall and CPU time per cell: its hooks' times summed (each runs once a cell)."""
    n = len(spent[-1])
    total = np.sum([np.array(times[-n:]) for times in spent], axis=0)
    for times in spent:
        times.clear()
    return total[:, 0], total[:, 1]


def run() -> list[Result]:
    shell = ipython()
    shell.user_ns.update({f"v{i}": i for i in range(200)})  # a lived-in namespace
    shell.user_ns.update(x=1, df=pd.DataFrame(np.random.default_rng(0).random((10_000, 20))),
                         lst=[])
    with tempfile.TemporaryDirectory() as tmp:
        tracker = Tracker(Store.open(tmp))
        capture = CellCapture(shell, tracker, SimpleNamespace(
            fingerprint=True, fingerprint_max_bytes=2**32))
        pre: list[tuple[float, float]] = []
        parsed: list[tuple[float, float]] = []  # capture's work inside IPython's parse
        post: list[tuple[float, float]] = []
        capture.pre_run_cell = _timed(capture.pre_run_cell, pre)
        capture._parsed = _timed(capture._parsed, parsed)
        capture.post_run_cell = _timed(capture.post_run_cell, post)
        base: list[float] = []
        tracked: list[float] = []
        _time(shell, 100)  # warm up
        for _ in range(BLOCKS):  # interleaved blocks: drift of the machine hits both alike
            base += _time(shell, PER_BLOCK)
            capture.register()
            tracked += _time(shell, PER_BLOCK)
            capture.unregister()
        hooks, _ = _per_cell(pre, parsed, post)
        source = long_cell()
        long_base: list[float] = []
        long_tracked: list[float] = []
        for _ in range(LONG_BLOCKS):
            long_base += _time(shell, LONG_PER_BLOCK, source, fresh=True)
            capture.register()
            long_tracked += _time(shell, LONG_PER_BLOCK, source, fresh=True)
            capture.unregister()
        long_hooks, long_cpu = _per_cell(pre, parsed, post)
        analysis, parsing = [], []
        for i in range(200):  # interleaved: the machine's drift hits both alike
            t = time.perf_counter()
            tree = ast.parse(f"{source}\n# {i}")
            parsing.append(time.perf_counter() - t)
            t = time.perf_counter()
            analyse_tree(tree, {})  # capture analyses the tree IPython parsed
            analysis.append(time.perf_counter() - t)
        tracker.end_run()
        tracker.writer.close()
    b50 = np.percentile(base, 50) * 1000
    t50 = np.percentile(tracked, 50) * 1000
    h50, h99 = np.percentile(hooks, [50, 99]) * 1000
    l50, l99 = np.percentile(long_hooks, [50, 99]) * 1000
    lb50 = np.percentile(long_base, 50) * 1000
    lt50 = np.percentile(long_tracked, 50) * 1000
    c50, c99 = np.percentile(long_cpu, [50, 99]) * 1000
    preempted = np.mean(long_hooks - long_cpu > 0.001) * 100
    a50 = np.percentile(analysis, 50) * 1000
    p50 = np.percentile(parsing, 50) * 1000
    return [
        Result("capture: added per cell, p50 (hook time)", h50, "ms", "<= 0.3 ms", h50 <= 0.3,
               f"cell p50 {b50:.3f} ms untracked, {t50:.3f} ms tracked",
               f"+{t50 - b50:.3f} ms by difference of the cells' p50"),
        Result("capture: added per cell, p99 (hook time)", h99, "ms", "<= 2 ms", h99 <= 2,
               f"untracked cell p99 {np.percentile(base, 99) * 1000:.3f} ms",
               f"{h99 / b50:.1f}x an untracked cell's p50"),
        Result("capture: added per 200-line cell, p50 (hook time)", l50, "ms", "<= 2 ms",
               l50 <= 2, f"cell p50 {lb50:.3f} ms untracked, {lt50:.3f} ms tracked; "
               f"dataflow analysis p50 {a50:.3f} ms, ast.parse {p50:.3f} ms",
               f"+{lt50 - lb50:.3f} ms by difference of the cells' p50"),
        Result("capture: added per 200-line cell, p99 (hook time)", l99, "ms", "<= 2 ms",
               l99 <= 2, f"untracked cell p99 {np.percentile(long_base, 99) * 1000:.3f} ms",
               f"{l99 / lb50:.2f}x an untracked cell's p50; hooks preempted (wall > CPU "
               f"+ 1 ms) in {preempted:.0f}% of cells"),
        Result("capture: added per 200-line cell, p50 / p99 (hook CPU time)", c99, "ms",
               "<= 2 ms (p99)", c99 <= 2, f"p50 {c50:.3f} ms",
               "the thread's own time, garbage collection included, preemption not"),
    ]
