"""What a domain declares (see :mod:`jupyter_mlops.store.domains`), and the helpers its
statements share.

The store's vertical slices: each domain declares, in one module, the events it applies
(their payload fields and DuckDB types), the migrations that create its tables, and the
set-wise statements that turn a batch of its events into rows.

:mod:`..apply` parses each event type's payloads once into ``_e_<type>`` (see
:func:`events_table`) and runs every domain's inserts, then every domain's updates;
:mod:`..schema` runs the migrations of all domains in version order. A new domain (a drift
webhook's alerts, say) is a new module here, added to :data:`DOMAINS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: An epoch-seconds DOUBLE as a TIMESTAMP (UTC, microseconds).
TS = "make_timestamp(CAST(({}) * 1000000 AS BIGINT))"

#: How many parts :func:`parts` splits a large batch's statements into: one per core of the
#: machines this runs on (2 here); a larger number only adds overhead.
PARTS = 2


def parts(select: str, key: str) -> str:
    """``select`` as a UNION ALL of :data:`PARTS` parts, ``{part}`` in it standing for "this
    row is in this part" (by ``key``, SQL of an integer). DuckDB parallelises a scan by row
    group, and a batch's events of one type fit one: each part is a pipeline of its own, and
    ingest lets DuckDB run them side by side (it does not keep insertion order while
    applying). The variable ``parts`` says how many are used: a small batch sets it to 1,
    and DuckDB drops the other parts when it plans the statement (on a busy machine, a
    second thread makes a short statement wait for it)."""
    return "\nUNION ALL\n".join(select.replace("{part}", (
        f"({key}) % getvariable('parts') = {part} AND getvariable('parts') > {part}"))
        for part in range(PARTS))


def events_table(event_type: str) -> str:
    """The temporary table holding one batch's events of ``event_type``, payload parsed:
    ``id``, ``ts`` (TIMESTAMP), ``file`` (the spool file), ``by_user`` and ``by_host`` (who
    wrote it, from the envelope; NULL for older events), then the declared fields."""
    return f"_e_{event_type}"


_TABLE = re.compile(r"\b_e_([a-z_]+)\b")


@dataclass(frozen=True)
class Domain:
    """What one domain adds to the store.

    ``payloads`` maps an event type to its payload's fields and their DuckDB types, in
    ``from_json`` structure form (a malformed field becomes NULL, never an error).
    ``migrations`` maps a schema version to this domain's part of it. ``inserts`` run for
    every domain before any ``updates``, so the order of events in a batch never matters.
    """

    name: str
    payloads: dict[str, dict[str, Any]] = field(default_factory=dict)
    migrations: dict[int, str] = field(default_factory=dict)
    inserts: list[str] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)


def edges_from(table: str, dst_kind: str, dst_id: str,
               sources: list[tuple[str, str, str, str]]) -> str:
    """Insert the lineage edges from each row of ``table`` to its ``dst_kind`` node (id: the
    SQL ``dst_id``): one per source (kind, SQL of its id, relation, SQL of the edge's
    name) whose id is not NULL."""
    union = "\n        UNION ALL\n".join(
        f"        SELECT '{kind}' AS edge_kind, {id_sql} AS edge_src, '{relation}' AS edge_rel, "
        f"{name} AS edge_name, * FROM {table}" for kind, id_sql, relation, name in sources)
    return f"""INSERT INTO lineage_edges
    SELECT edge_kind, edge_src, '{dst_kind}', {dst_id}, edge_rel, edge_name, run_id, ts, id
    FROM (
{union})
    WHERE edge_src IS NOT NULL"""


def reads(statement: str) -> frozenset[str]:
    """The event types whose ``_e_<type>`` tables ``statement`` reads (none: it always runs)."""
    return frozenset(_TABLE.findall(statement))
