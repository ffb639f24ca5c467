"""Events this process has promised but not yet written: work finishing in the background
(a figure being rendered) registers here, and a read in the same process waits for it, so
``log_figure(...)`` followed by ``mlops.artifacts(run)`` shows the figure."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

_done = threading.Condition()
_pending = 0

#: How long a read waits for promised events before reading without them.
SETTLE_TIMEOUT_S = 30.0


class Promise:
    """One promise, registered when made (in the caller's thread); the background work
    calls :meth:`kept` once its events are written or given up. Keeping it twice counts once."""

    def __init__(self) -> None:
        global _pending
        self._kept = False
        with _done:
            _pending += 1

    def kept(self) -> None:
        global _pending
        with _done:
            if not self._kept:
                self._kept = True
                _pending -= 1
                _done.notify_all()

    @contextlib.contextmanager
    def keeping(self) -> Iterator[None]:
        """Keep the promise when the block ends, however it ends."""
        try:
            yield
        finally:
            self.kept()


def settle(timeout: float = SETTLE_TIMEOUT_S) -> bool:
    """Wait until every promise made so far in this process is kept; False on timeout."""
    with _done:
        return _done.wait_for(lambda: _pending == 0, timeout)


def _forget_parent_promises() -> None:
    """A forked child keeps none of its parent's promises (their threads did not fork)."""
    global _done, _pending
    _done, _pending = threading.Condition(), 0


os.register_at_fork(after_in_child=_forget_parent_promises)
