"""Answers computed in worker threads and kept per store generation.

The event loop never touches DuckDB: every computation runs in this pool. A cached answer
is keyed by the caller (endpoint and arguments) and kept while the store's generation
(which every ingest that changes anything increments) stands, so a repeated GET costs a
dict lookup and a small file read. Concurrent identical requests share one computation.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from ..store import Store
from ..store.ingest import read_state

T = TypeVar("T")

#: Answers kept per store generation (oldest dropped first).
CACHE_SIZE = 512


class Answers:
    """The worker threads of one server, and the answers they computed for this generation."""

    def __init__(self, store: Store, *, workers: int = 4) -> None:
        self.store = store
        self.executor = ThreadPoolExecutor(max_workers=workers,
                                           thread_name_prefix="jupyter-mlops")
        self._cache: OrderedDict[Hashable, asyncio.Future[str]] = OrderedDict()
        self._generation: Any = object()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker thread."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def get(self, key: Hashable, compute: Callable[[], str], *,
                  cached: bool = True) -> str:
        """What ``compute()`` answers, computed off the loop, or kept from before under ``key``."""
        generation = read_state(self.store).get("generation")
        if not cached or generation is None:  # None: no ingest yet; this read may be the
            return await self.run(compute)       # one that does it
        if generation != self._generation:
            self._cache.clear()
            self._generation = generation
        future = self._cache.get(key)
        if future is None:
            future = asyncio.ensure_future(self.run(compute))
            self._cache[key] = future
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        try:
            return await asyncio.shield(future)
        except Exception:
            if self._cache.get(key) is future:  # errors are not kept: the next try recomputes
                del self._cache[key]
            raise

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
