"""``GET /runs?order=COLUMN`` for any column but the start time: offset pages.

The start-time order keeps its keyset cursor (``endpoints._runs``); any other column pages
by offset (why: :func:`jupyter_mlops.store.queries.runs_sorted`), its cursor naming the
order it was issued for so that a cursor of another order is refused, not misread.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING, Any

from ..exceptions import BadParameter, BadQuery
from ..store import queries
from .values import jsonable

if TYPE_CHECKING:
    from .service import Service


def _cursor(order: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"@{offset}:{order}".encode()).decode().rstrip("=")


def _offset(cursor: str | None, order: str) -> int:
    """The offset an order's cursor stands for (0: the first page)."""
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        text = ""
    found = re.fullmatch(r"@([0-9]{1,9}):(.*)", text, re.S)
    if found is None or found[2] != order:
        raise BadParameter(f"cursor {cursor[:40]!r} is not one this API issued for "
                           f"order={order}: pass the next_cursor of the previous page "
                           f"unchanged, with the same order")
    return int(found[1])


def sorted_runs(service: Service, args: dict[str, Any]) -> Any:
    """A page of runs in ``order`` (``-metrics.auc``), and the cursor of the next."""
    limit, order = args["limit"], args["order"]
    offset = _offset(args["cursor"], order)
    try:
        page = queries.runs_sorted(
            service.store, order.lstrip("-"), descending=order.startswith("-"),
            experiment=args["experiment"], status=args["status"], kind=args["kind"],
            q=args["q"], limit=limit + 1, offset=offset)
    except BadQuery as e:  # the only one: a column no run has
        raise BadParameter(f"order: {e}") from None
    more = len(page) > limit
    return {"runs": jsonable(page[:limit]),
            "next_cursor": _cursor(order, offset + limit) if more else None}
