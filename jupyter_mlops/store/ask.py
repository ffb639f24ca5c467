"""Ask the store from Python: ``mlops.runs()``, ``mlops.metrics()`` and ``mlops.sql()``.

Each call reads the store as it is when the call is made (``$JUPYTER_MLOPS_HOME``, or the
``store`` given), ingesting pending events first so a kernel sees its own cells. The views
``sql`` answers over, and the columns of ``runs``, are listed in docs/sql.md.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from . import Store, queries
from .queries import user_sql

if TYPE_CHECKING:
    import pandas as pd


def _store(store: Store | str | os.PathLike[str] | None) -> Store:
    return store if isinstance(store, Store) else Store.open(store)


def runs(
    experiment: str | None = None,
    *,
    where: str | None = None,
    order_by: str | None = None,
    limit: int | None = 100,
    status: str | None = None,
    metrics: list[str] | None = None,
    store: Store | str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Runs as a DataFrame, one row each, newest first: the run's columns, then a
    ``params.KEY`` and a ``metrics.KEY`` (last value) column per key the page's runs have.

    ``where`` is a SQL predicate over the runs_wide view (``"metrics.auc > 0.8 AND
    params.model = 'rf'"``; quote a key with dots or spaces: ``metrics."val loss"``);
    ``order_by`` an ORDER BY list (``"metrics.auc DESC"``); ``metrics=["auc:max"]`` adds a
    ``metrics.auc:max`` column (``:min`` too); ``limit=None`` returns every run.
    """
    return queries.runs_table(_store(store), experiment=experiment, status=status,
                              where=where, order_by=order_by, limit=limit, metrics=metrics)


def metrics(run: str, key: str | None = None, *,
            store: Store | str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Every value a run logged for its metrics (or for ``key``): run_id, key, step, value,
    ts (UTC), seq (the cell), by key then in logging order. ``run``: an id or unique prefix."""
    return queries.metric_histories(_store(store), run, key)


def sql(query: str, *, timeout: float = user_sql.TIMEOUT,
        store: Store | str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The result of one read-only SELECT over the documented views (docs/sql.md) as a
    DataFrame; anything else is refused, and a query running over ``timeout`` s stopped."""
    return user_sql.sql(_store(store), query, timeout=timeout)
