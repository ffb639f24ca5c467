"""Delivery: the outbox sent by whichever long-lived process runs (the scheduler daemon, the
server extension, or both), never by a kernel.

One pass (:meth:`Deliverer.tick`), under the store's exclusive lock after an ingest: the
rules turn the alertable events they have not seen into messages (``alert_queued``, marked
seen by ``alert_evaluated``), and each message due is claimed (``alert_claimed``, with a
lease) for this process; the events are fsynced before the lock is released, so the next
holder, in any process, sees them. The messages are then sent outside the lock, and how each
went is recorded: ``alert_delivered``, ``alert_retry`` (sent again after an exponential
back-off) or ``alert_failed`` (given up after ``give_up_after_s``). A deliverer killed
mid-send leaves a claim whose lease runs out: the message is sent again, with the same
dedup key. At least once, never lost, and the history is the event log (docs/alerts.md).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from .. import events as ev
from ..exceptions import DeliveryFailed, StoreError
from ..store import Store, queries
from ..store.ingest import ingest_if_pending
from ..store.lock import hold
from ..store.spool import SpoolWriter
from ..store.state import pending
from ..store.subscribers import subscribe
from . import config as alerts_config
from .channels import send
from .rules import evaluate

log = logging.getLogger("jupyter_mlops.alerts")

#: The event types rules fire on: an ingest that applied one wakes the deliverer at once.
ALERTABLE = frozenset({ev.JOB_ENDED, ev.DRIFT_REPORT, ev.ALIAS_SET, ev.ALERT,
                       ev.SCHEDULE_MISSED, ev.GATE_REFUSED})


class Deliverer:
    """Evaluates the rules and sends the outbox of one store; :meth:`tick` is one pass
    (tests call it), :meth:`serve` loops until stopped."""

    def __init__(self, store: Store, *, poll_s: float = 0.2, idle_s: float = 5.0,
                 senders: int = 4, watch_spool: bool = False) -> None:
        self.store, self.poll_s, self.idle_s = store, poll_s, idle_s
        self.watch_spool = watch_spool
        self._writer: SpoolWriter | None = None
        self.senders = senders
        self._pool = ThreadPoolExecutor(senders, thread_name_prefix="mlops-alerts")
        self._wake, self._stop = threading.Event(), threading.Event()
        self._next_tick = 0.0
        self.active = False  # a channel is configured
        self.host, self.pid = socket.gethostname(), os.getpid()

    def _record(self, events: Sequence[ev.Event]) -> None:
        if self._writer is None:
            self._writer = SpoolWriter(self.store)
        self._writer.write(events)
        self._writer.flush()  # a claim or an outcome must survive a machine crash

    def tick(self, now: float | None = None) -> list[dict[str, Any]]:
        """One pass: queue what the rules make of new events, claim and send what is due.
        Returns the messages sent, each with its ``outcome``."""
        now = time.time() if now is None else now
        config = alerts_config.load(self.store)
        self.active = bool(config.channels)
        if not self.active:  # nothing could be sent: no lock taken, no database opened
            self._next_tick = now + self.idle_s
            return []
        claimed = self._claim(config, now)
        results = []
        sending = [self._pool.submit(self._send, config, m) for m in claimed]
        for done in as_completed(sending):  # each outcome recorded as it comes: a kill
            results.append(done.result())   # re-sends only what was in flight
            self._record([results[-1].pop("event")])
        return results

    def _claim(self, config: alerts_config.Config, now: float) -> list[dict[str, Any]]:
        """Under the exclusive lock: queue new messages and claim the due ones."""
        settings = config.settings
        since = min((r.get("created", now) for r in config.rules.values()), default=now)
        window = max((float(r.get("rate_window_s", 3600)) for r in config.rules.values()),
                     default=0.0)
        with hold(self.store, exclusive=True):
            ingest_if_pending(self.store)
            box = queries.alert_outbox(self.store, since=since, recent_since=now - window)
            queued = evaluate(config, box["sources"], box["recent"], now)
            events = [ev.Event(ev.ALERT_QUEUED, q) for q in queued]
            if box["sources"]:
                events.append(ev.Event(ev.ALERT_EVALUATED,
                                       {"sources": [s["id"] for s in box["sources"]]}))
            new = [{**q, "attempt": 0, "created": now} for q in queued if not q["suppressed"]]
            due = [m for m in box["open"] if m["due_at"] <= now] + new
            later = [m["due_at"] for m in box["open"] if m["due_at"] > now]
            for i, message in enumerate(due):
                message["attempt"] += 1
                # the lease covers the sends queued before this one in the pool too
                wait = (i // self.senders) * settings["timeout_s"]
                events.append(ev.Event(ev.ALERT_CLAIMED, {
                    "key": message["key"], "attempt": message["attempt"],
                    "until": now + settings["lease_s"] + wait, "host": self.host,
                    "pid": self.pid}))
            if events:
                self._record(events)
        self._next_tick = min(later, default=now + self.idle_s)
        return due

    def _send(self, config: alerts_config.Config, m: dict[str, Any]) -> dict[str, Any]:
        """Send one claimed message; the outcome's event is recorded by the caller."""
        s, key, attempt = config.settings, m["key"], m["attempt"]
        channel = config.channels.get(m["channel"])
        try:
            if channel is None:
                raise DeliveryFailed(f"its channel {m['channel']!r} was removed")
            detail = send(m["channel"], channel, m, s["timeout_s"])
            event = ev.Event(ev.ALERT_DELIVERED, {"key": key, "attempt": attempt,
                                                  "detail": detail})
        except DeliveryFailed as e:
            now = time.time()
            backoff = min(s["max_backoff_s"], s["backoff_s"] * 2 ** (attempt - 1))
            if channel is None or now + backoff - m["created"] > s["give_up_after_s"]:
                event = ev.Event(ev.ALERT_FAILED, {"key": key, "attempt": attempt,
                                                   "error": str(e)})
                log.error("alert %s (%s) failed for good: %s", key[:12], m["title"], e)
            else:
                event = ev.Event(ev.ALERT_RETRY, {"key": key, "attempt": attempt,
                                                  "error": str(e), "next_at": now + backoff})
                log.warning("alert %s: attempt %d failed, again in %.0f s: %s", key[:12],
                            attempt, backoff, e)
        return {**m, "outcome": event.type, "event": event}

    def wake(self, store: Store, events: Sequence[ev.Event]) -> None:
        """The ingest subscriber: an alertable event was applied, so pass now."""
        if store.root == self.store.root and any(e.type in ALERTABLE for e in events):
            self._wake.set()

    def serve(self) -> None:
        """Pass when woken (this process ingested an alertable event: the server's
        background ingest, the daemon's reads), when a message falls due, and every
        ``idle_s`` (runs ingest closed as died, events another process ingested). With
        ``watch_spool``, also when spool is pending (ingesting it itself): the daemon, whose
        own reads ingest only once a tick; the server ingests every second anyway."""
        unsubscribe: Callable[[], None] | None = None
        try:
            while not self._stop.is_set():
                if (self._wake.is_set() or time.time() >= self._next_tick
                        or (self.watch_spool and pending(self.store))):
                    self._wake.clear()
                    self._pass()
                # woken by ingests only while there is a channel: collecting the events
                # of every ingest for a subscriber costs the ingest time
                if self.active and unsubscribe is None:
                    unsubscribe = subscribe(self.wake)
                elif not self.active and unsubscribe is not None:
                    unsubscribe = unsubscribe() or None
                wait = self._next_tick - time.time()
                self._wake.wait(self.poll_s if self.watch_spool else min(max(wait, 0), 1.0))
        finally:
            if unsubscribe is not None:
                unsubscribe()
            self._pool.shutdown(wait=True)
            if self._writer is not None:
                self._writer.close()

    def _pass(self) -> None:
        try:
            self.tick()
        except StoreError as e:
            log.error("alerts: %s", e)
            self._next_tick = time.time() + self.idle_s
        except Exception:
            log.exception("alerts: delivery pass failed; trying again")
            self._next_tick = time.time() + self.idle_s

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()


def start(store: Store, **options: Any) -> Callable[[], None]:
    """Deliver this store's alerts in a daemon thread of this process; returns the function
    that stops it (waiting for the messages in flight)."""
    deliverer = Deliverer(store, **options)
    thread = threading.Thread(target=deliverer.serve, name="mlops-alerts", daemon=True)
    thread.start()

    def stop() -> None:
        deliverer.stop()
        thread.join()

    return stop
