"""SQL fragments more than one domain's reads share."""

from __future__ import annotations


def latest(table: str, where: str = "run_id = ?", by: str = "") -> str:
    """SQL: the latest value of each key of ``table`` (params or metrics) among the rows
    ``where`` selects, the last event winning; ``by`` adds grouping columns before ``key``
    (e.g. ``"run_id, "``). The one definition of "the current value of a param/metric"."""
    return (f"SELECT {by}key, arg_max(value, event_id) AS value FROM {table} "
            f"WHERE {where} GROUP BY {by}key")
