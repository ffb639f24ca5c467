"""The store's vertical slices: one package per domain (runs, cells, models, drift, jobs,
lineage). Its ``__init__`` declares the events it applies (their payload fields and DuckDB
types), its part of each migration and the set-wise statements that turn a batch of its
events into rows (a :class:`.base.Domain`); its ``queries`` module answers the reads of its
tables, gathered into :mod:`jupyter_mlops.store.queries`.

:mod:`..apply` parses each event type's payloads once into ``_e_<type>`` and runs every
domain's inserts, then every domain's updates; :mod:`..schema` runs the migrations of all
domains in version order. A new domain (a drift webhook's alerts, say) is a new package
here, added to :data:`DOMAINS`.
"""

from __future__ import annotations

from . import (
    alerts,
    artifacts,
    cells,
    contracts,
    drift,
    jobs,
    lineage,
    models,
    performance,
    retention,
    runs,
    scoring,
)
from .base import Domain

#: Every domain, in the order their statements run.
DOMAINS: list[Domain] = [runs.DOMAIN, cells.DOMAIN, models.DOMAIN, drift.DOMAIN,
                         jobs.DOMAIN, lineage.DOMAIN, artifacts.DOMAIN, retention.DOMAIN,
                         alerts.DOMAIN, performance.DOMAIN, scoring.DOMAIN,
                         contracts.DOMAIN]
