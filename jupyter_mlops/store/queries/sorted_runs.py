"""Runs sorted by any column, one page at a time (the main-area runs table's header sort)."""

from __future__ import annotations

from typing import Any

from ...exceptions import BadQuery
from .. import Store, db
from ..read import frame, reading, refresh
from . import views
from .runs import in_order, listing_filter

#: The run columns ``runs_sorted`` sorts by besides ``params.KEY`` and ``metrics.KEY``.
SORTABLE = ("started", "name", "experiment", "status", "kind", "duration_s")


def runs_sorted(
    store: Store,
    column: str,
    *,
    descending: bool = True,
    experiment: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """A page of runs sorted by ``column`` (a run column of :data:`SORTABLE`, ``params.KEY``
    or ``metrics.KEY``), runs without a value last, ties newest first: the order
    :func:`runs_table` pivots, then the page's records as :func:`runs_page` gives them.

    Offset paging: a keyset cursor over a nullable column whose type varies by key (a
    param may be text, a number or a boolean) would need that typed value and a NULL-aware
    comparison; ties are broken by (started, run id), so the order is total and pages of a
    settled store never repeat or skip a run.
    """
    refresh(store)
    with reading(store) as con:
        if column not in SORTABLE:
            part, _, key = column.partition(".")
            if part not in ("params", "metrics") or not key or not db.scalar(
                    con, f"SELECT count(*) FROM {part} WHERE key = ?", [key]):
                raise BadQuery(f"cannot sort by {column!r}: give one of {', '.join(SORTABLE)}, "
                               f"or params.KEY / metrics.KEY of a key some run logged.")
        where, params = listing_filter(experiment, status, kind, q)
        way = "DESC" if descending else "ASC"
        chosen = frame(con, views.runs_wide_sql(con, where=where, only={column})
                       + f"\nORDER BY {views.quote(column)} {way} NULLS LAST, "
                         f"started DESC, run_id DESC LIMIT ? OFFSET ?",
                       [*params, int(limit), int(offset)])
    return in_order(store, chosen["run_id"].tolist())
