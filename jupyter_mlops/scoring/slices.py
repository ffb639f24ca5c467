"""A chunk predicted in slices on one thread per core, each slice's model single-threaded.

A scikit-learn tree ensemble's ``predict`` runs OpenMP over the rows once per tree: a thread
barrier per tree and call, and a pass over the whole chunk per tree. Slices of
:data:`SLICE_ROWS` rows, each predicted by one thread under ``threadpool_limits(1)``, have
no barrier and stay in cache across the trees: the same predictions, 1.6x faster than the
model's own ``predict`` on 2M rows at load 4-6 on 2 cores (OpenMP's barriers wait on
threads the other tenants preempted), no slower when the machine is quiet.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

#: Makes the model's frame of a chunk's rows ``start`` to ``stop``.
Part = Callable[[int, int], Any]

#: Rows per slice: 50,000 x 25 float columns is 10 MB (125,000 was slower, 20,000-35,000
#: took the same CPU in more calls).
SLICE_ROWS = 50_000


def sliceable(model: Any) -> bool:
    """Only scikit-learn's models: their ``predict`` is thread-safe and releases the GIL in
    its compiled loops; boosters set their own threads and other models may share state."""
    return type(model).__module__.split(".")[0] == "sklearn"


class Slices:
    """While open (``with Slices(models) as slices``) and one of ``models`` is sliceable: a
    pool of one thread per core, OpenMP/BLAS limited to one thread each (restored on
    leaving). Otherwise every model predicts whole chunks as it would alone."""

    def __init__(self, models: list[Any]) -> None:
        self._stack = ExitStack()
        self._pool: ThreadPoolExecutor | None = None
        self._wanted = any(sliceable(m) for m in models)

    def __enter__(self) -> Slices:
        from threadpoolctl import threadpool_limits

        if not self._wanted:
            return self
        self._stack.enter_context(threadpool_limits(1))
        self._pool = self._stack.enter_context(
            ThreadPoolExecutor(os.cpu_count() or 1, thread_name_prefix="mlops-score"))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()
        self._pool = None

    def predict(self, model: Any, rows: int, part: Part) -> Any:
        """The model's predictions for ``rows`` rows, ``part(start, stop)`` making the frame
        of rows ``start`` to ``stop``: in slices on the pool when the model allows it, each
        made on the thread that predicts it."""
        import numpy as np

        if self._pool is None or rows <= SLICE_ROWS or not sliceable(model):
            return model.predict(part(0, rows))
        return np.concatenate(list(self._pool.map(
            lambda start: model.predict(part(start, min(start + SLICE_ROWS, rows))),
            range(0, rows, SLICE_ROWS))))
