"""What every read of the store shares: ingest-then-read, a read-only connection, frames with
UTC timestamps, run id resolution, JSON decoding, and the latest value per key.

Each domain's read queries live beside its tables and statements (:mod:`.domains`);
:mod:`.queries` gathers them into the public read API.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..exceptions import BadReference, NotFound, StoreError
from . import Store, db
from .ingest import ingest_if_pending

if TYPE_CHECKING:
    import duckdb

log = logging.getLogger("jupyter_mlops")

#: The shortest run id prefix accepted where a run id is expected.
MIN_PREFIX = 6


def refresh(store: Store) -> None:
    """Ingest pending events first, so a reader sees its own kernel's cells.

    A store without a database is ingested even where reads do not ingest (the server):
    a kernel's first events are shown at once, not a missing database. A store folder that
    does not exist yet reads as empty (see :func:`.db.connect`).
    """
    if not store.ingest_on_read and store.db_path.exists():
        return
    try:
        ingest_if_pending(store)
    except StoreError as e:
        if not store.db_path.exists():
            raise
        log.warning("jupyter-mlops: showing the last ingested state: %s", e)


@contextlib.contextmanager
def reading(store: Store) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection on an up-to-date store."""
    refresh(store)
    with db.connect(store, write=False, threads=1) as con:
        yield con


def frame(con: duckdb.DuckDBPyConnection, sql: str,
          params: list[Any] | None = None) -> pd.DataFrame:
    """The result as a DataFrame, its timestamps tz-aware UTC (the store keeps UTC)."""
    return utc(con.execute(sql, params or []).df())


def utc(found: pd.DataFrame) -> pd.DataFrame:
    """Every naive timestamp column of ``found`` marked UTC, in place; returns it."""
    for name in found.columns:
        column = found[name]
        if pd.api.types.is_datetime64_dtype(column) and column.dt.tz is None:
            found[name] = column.dt.tz_localize("UTC")
    return found


def resolve_run(con: duckdb.DuckDBPyConnection, run_id: str) -> str:
    """The full id of a run given its exact name, its id or a unique prefix of it; a clear
    error otherwise (an ambiguous reference lists the runs it could mean)."""
    short = len(run_id) < MIN_PREFIX
    found = db.run(con, """SELECT id, name FROM runs
        WHERE name = ? OR (starts_with(id, ?) AND NOT ?) ORDER BY started DESC, id LIMIT 6""",
                   [run_id, run_id, short])
    if not found and short:
        raise BadReference(f"run id {run_id!r} is too short: give at least {MIN_PREFIX} "
                           f"characters, or the run's name.")
    if not found:
        raise NotFound(f"unknown run id {run_id!r}. `jupyter mlops runs` lists the runs.")
    if len(found) > 1:
        candidates = ", ".join(f"{name} ({rid})" for rid, name in found[:5])
        raise BadReference(f"run {run_id!r} is ambiguous: it could be {candidates}"
                           f"{', …' if len(found) > 5 else ''}; give more of the id.")
    return str(found[0][0])


def decode(value: str | None) -> Any:
    """JSON text decoded; a missing value (None, or pandas' NaN for a SQL NULL) is None."""
    if not isinstance(value, str):
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


def missing(value: Any) -> bool:
    """A NULL as pandas gives it back: None, NaN or NaT."""
    return pd.api.types.is_scalar(value) and bool(pd.isna(value))


def mapping(value: str | None) -> dict[str, Any] | None:
    """A JSON object as a dict; anything else a hostile or older record holds is None."""
    decoded = decode(value)
    return decoded if isinstance(decoded, dict) else None
