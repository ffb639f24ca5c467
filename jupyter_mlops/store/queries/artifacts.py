"""Reads of the artifacts domain (gathered into :mod:`jupyter_mlops.store.queries`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...exceptions import NotFound
from .. import Store
from ..read import frame, reading, resolve_run

#: The columns of :func:`artifacts`, in order (docs/artifacts.md documents them).
COLUMNS = ["run_id", "seq", "name", "kind", "media_type", "size", "sha256", "ts", "event_id"]

# The latest artifact of each name in a run: logging a name again replaces it.
_LATEST = """
    SELECT * FROM artifacts WHERE run_id = ?
    QUALIFY row_number() OVER (PARTITION BY name ORDER BY event_id DESC) = 1"""


def artifacts(store: Store, run_id: str) -> pd.DataFrame:
    """A run's artifacts (``run_id``: an id or unique prefix), by cell then name: the
    :data:`COLUMNS`; ``seq`` is the cell that logged or displayed it (NA: none)."""
    with reading(store) as con:
        run_id = resolve_run(con, run_id)
        found = frame(con, f"SELECT {', '.join(COLUMNS)} FROM ({_LATEST}) "
                           f"ORDER BY seq NULLS FIRST, name", [run_id])
    found["seq"] = found["seq"].astype("Int64")
    return found


def artifact(store: Store, run_id: str, name: str) -> dict[str, Any]:
    """One artifact of a run by name, with ``files`` (a folder's: path, sha256, size)."""
    with reading(store) as con:
        run_id = resolve_run(con, run_id)
        row = con.execute(f"SELECT {', '.join(COLUMNS)} FROM ({_LATEST}) WHERE name = ?",
                          [run_id, name]).fetchone()
        if row is None:
            raise NotFound(f"run {run_id[:12]} has no artifact named {name!r}; "
                           f"`jupyter mlops artifacts {run_id[:12]}` lists them.")
        found = dict(zip(COLUMNS, row, strict=True))
        found["files"] = [dict(zip(("path", "sha256", "size"), f, strict=True)) for f in
                          con.execute("SELECT path, sha256, size FROM artifact_files "
                                      "WHERE event_id = ? ORDER BY path",
                                      [found["event_id"]]).fetchall()]
    return found
