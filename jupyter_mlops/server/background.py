"""The background ingest that makes kernels' cells visible within a second or two."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ..exceptions import StoreError
from ..store import Store
from ..store.ingest import ingest, pending
from ..store.team.sync import Syncer

log = logging.getLogger("jupyter_mlops")

#: Runs a blocking function off the event loop (``Answers.run``).
Runner = Callable[..., Awaitable[Any]]


class BackgroundIngest:
    """Ingests the store's spool while there is some; remembers how the last try went."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.last_error: str | None = None
        self.last_duration_ms: float | None = None
        self.team = Syncer(store)  # ships to and pulls from the team store, if there is one

    async def forever(self, interval: float, run: Runner) -> None:
        """Ingest every ``interval`` seconds (with a team store: sooner when there is work,
        see :mod:`..store.team.listen`), each in a worker thread; never raises."""
        while True:
            if self.team.active:  # woken early by the team's news or a grown spool
                await run(self.team.wait, interval)
            else:
                await asyncio.sleep(interval)
            # first: shipping reads the spool, and the round's ingest covers local events too
            await run(self.team.round)  # never raises: an outage is logged once
            try:
                if await run(pending, self.store):
                    result = await run(ingest, self.store)
                    self.last_duration_ms = result.seconds * 1000
                    for warning in result.warnings:
                        log.warning("jupyter-mlops: %s", warning)
                self.last_error = None
            except StoreError as e:
                if str(e) != self.last_error:
                    log.warning("jupyter-mlops: background ingest: %s", e)
                self.last_error = str(e)
            except Exception as e:
                log.exception("jupyter-mlops: background ingest failed")
                self.last_error = f"{type(e).__name__}: {e}"

    def status(self) -> dict[str, Any]:
        return {"last_ingest_error": self.last_error,
                "last_ingest_duration_ms": self.last_duration_ms}
