"""Reads of the contracts domain (gathered into :mod:`jupyter_mlops.store.queries`)."""

from __future__ import annotations

import pandas as pd

from .. import Store
from ..read import frame, reading
from .drift import latest_body


def contract_body(store: Store, key: str) -> str | None:
    """The JSON of the latest contract saved under this name or for this model version."""
    return latest_body(store, "contracts", "model", key)


def contract_checks(store: Store, limit: int = 50) -> pd.DataFrame:
    """Recent checks of batches against contracts, newest first, with their violations."""
    with reading(store) as con:
        return frame(con, """
            SELECT c.id, c.created, c.contract, c.model, c.ok, c.rows, c.violations,
                   list({'column': v.column_name, 'rule': v.rule, 'observed': v.observed,
                         'expected': v.expected}) FILTER (WHERE v.rule IS NOT NULL)
                       AS details, c.run_id
            FROM contract_checks c LEFT JOIN contract_violations v ON v.check_id = c.id
            GROUP BY ALL ORDER BY c.created DESC, c.id DESC LIMIT ?""", [int(limit)])
