"""Alerts: rules over the store's events, sent through webhooks and email by an outbox in
the store (docs/alerts.md). One module per concern: :mod:`.config` (the file and its
checks), :mod:`.rules` (what fires, the message, rate limits), :mod:`.channels` (how it
leaves), :mod:`.delivery` (the outbox, run by the scheduler daemon and the server).

``mlops.alert`` is the user's own alert from a notebook: it only appends an event, so a
kernel never waits on delivery.
"""

from __future__ import annotations

import time
from typing import Any

from .. import events as ev
from ..exceptions import AlertConfigError
from ..store import Store
from .config import SEVERITIES, add_channel, add_rule, load, remove

__all__ = ["add_channel", "add_rule", "alert", "history", "listing", "remove", "test"]


def alert(title: str, text: str = "", *, severity: str = "warning") -> None:
    """Raise an alert from a notebook: the rules that fire on ``user`` events send it
    (``severity``: info, warning, error or critical). Recorded as an event at once; sent
    by the scheduler daemon or the server, so the cell never waits on a receiver."""
    from ..tracking import tracker

    if severity not in SEVERITIES:
        raise ValueError(f"severity {severity!r} is unknown; use {', '.join(SEVERITIES)}")
    t = tracker()
    t.emit(ev.ALERT, {"run_id": t.run_id, "title": str(title), "text": str(text),
                      "severity": severity})


def listing(store: Store) -> dict[str, Any]:
    """The configuration as stored: settings, channels and rules by name."""
    config = load(store)
    return {"settings": config.settings, "channels": config.channels, "rules": config.rules}


def test(store: Store, channel: str) -> str:
    """Send a test message through ``channel`` now (not through the outbox); returns what
    the receiver answered, raises :class:`~jupyter_mlops.exceptions.DeliveryFailed` if it
    did not take it."""
    from .channels import send

    config = load(store)
    if channel not in config.channels:
        raise AlertConfigError(f"no channel named {channel!r}; `jupyter mlops alerts list` "
                               f"lists them")
    message = {"key": ev.new_id(), "rule": None, "kind": "test", "severity": "info",
               "title": "test message from jupyter-mlops",
               "text": f"channel {channel!r} of the store at {store.root} works",
               "link": config.settings["base_url"] or None, "run_id": None, "source": None,
               "created": time.time()}
    return send(channel, config.channels[channel], message, config.settings["timeout_s"])


def history(store: Store, *, rule: str | None = None, state: str | None = None,
            limit: int = 50) -> Any:
    """The outbox's messages, newest first, with their state (queued, suppressed, claimed,
    retry, delivered, failed), attempts and last error: a DataFrame."""
    from ..store import queries

    return queries.alert_history(store, rule=rule, state=state, limit=limit)
