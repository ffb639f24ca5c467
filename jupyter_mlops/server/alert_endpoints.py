"""The REST API's alerts: the rules and channels, and the outbox's history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import schemas as S
from .endpoint import MAX_PAGE, Endpoint
from .params import NAME, Param
from .values import jsonable, records

if TYPE_CHECKING:
    from .service import Service

#: A message's states, in the order it can pass through them.
STATES = ("queued", "suppressed", "claimed", "retry", "delivered", "failed")

ALERTS = S.obj(["settings", "channels", "rules"], settings=S.MAP,
               channels={"type": "object", "additionalProperties": S.MAP},
               rules={"type": "object", "additionalProperties": S.MAP})
HISTORY = S.obj(["messages"], messages=S.array(S.obj(
    ["key", "rule", "channel", "state", "title", "created"], key=S.STR, rule=S.STR,
    channel=S.STR, kind=S.NSTR, severity=S.NSTR, title=S.STR, text=S.NSTR, link=S.NSTR,
    run_id=S.NSTR, source=S.NSTR, created=S.STR, state={"type": "string", "enum": list(STATES)},
    attempts=S.INT, state_at=S.NSTR, last_error=S.NSTR)))


def _alerts(service: Service, args: dict[str, Any]) -> Any:
    from ..alerts import listing

    return jsonable(listing(service.store))


def _history(service: Service, args: dict[str, Any]) -> Any:
    from ..alerts import history

    return {"messages": records(history(service.store, rule=args["rule"],
                                        state=args["state"], limit=args["limit"]))}


ALERT_ENDPOINTS: list[Endpoint] = [
    Endpoint("GET", "/alerts", "The alerts configuration: delivery settings, channels and "
             "rules (credentials appear only as the names of where they are read from).",
             _alerts, ALERTS, cached=False),  # a file beside the store, not its events
    Endpoint("GET", "/alerts/history", "The alerts sent, being sent, held back by a rate "
             "limit or given up, newest first, with attempts and the last error.",
             _history, HISTORY,
             params=(Param("rule", "only this rule's messages", pattern=NAME),
                     Param("state", "only messages in this state", enum=STATES),
                     Param("limit", "how many messages", type="integer", minimum=1,
                           maximum=MAX_PAGE, default=50))),
]
