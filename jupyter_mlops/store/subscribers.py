"""Ingest subscribers: code that runs after each ingest that applied events, with those
events (alerts, shipping, a server pushing updates).

A subscriber is called after the commit and after the store lock is released, so it may
read the store. Its exceptions are logged and never undo the commit, stop the other
subscribers or break the ingest. Ingest uses the process-wide :data:`SUBSCRIBERS` unless it
is handed a registry of its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from ..events import Event
from . import Store

log = logging.getLogger("jupyter_mlops")

#: A subscriber: called with the store and the events one ingest applied, in spool order.
Subscriber = Callable[[Store, Sequence[Event]], None]


class Subscribers:
    """A registry of subscribers; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._callbacks: list[Subscriber] = []

    def add(self, callback: Subscriber) -> Callable[[], None]:
        """Register ``callback``; returns the function that removes it again."""
        with self._lock:
            self._callbacks.append(callback)
        return lambda: self.remove(callback)

    def remove(self, callback: Subscriber) -> None:
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

    def __bool__(self) -> bool:
        return bool(self._callbacks)

    def notify(self, store: Store, events: Sequence[Event]) -> None:
        """Call each subscriber with ``events``; an exception is logged, never raised."""
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback(store, events)
            except Exception:
                log.exception("jupyter-mlops: ingest subscriber %r failed on %d events; the "
                              "events are committed and the other subscribers ran",
                              callback, len(events))


#: The subscribers of every ingest in this process that is not handed its own registry.
SUBSCRIBERS = Subscribers()


def subscribe(callback: Subscriber) -> Callable[[], None]:
    """Run ``callback(store, events)`` after every ingest in this process that applied
    events; returns the function that unsubscribes it."""
    return SUBSCRIBERS.add(callback)
