"""Scans of a user's data (Parquet files, a DuckDB relation) for an out-of-core profile.

Not a read of the store: the SQL lives here because all SQL does. Every scan is a DuckDB
aggregate (streaming, so nothing holds the rows); column names reach the SQL only as
quoted identifiers and numbers only as numbers this module formats itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import duckdb

#: DuckDB type names whose columns are numeric (as pandas' numeric, booleans excluded).
INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                 "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT")
NUMERIC_TYPES = (*INTEGER_TYPES, "FLOAT", "DOUBLE", "DECIMAL")
TEMPORAL_TYPES = ("DATE", "TIME", "TIMESTAMP", "INTERVAL")


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _x(name: str) -> str:
    """The column as DOUBLE, NaN as NULL (pandas counts NaN as missing)."""
    c = f"{quote(name)}::DOUBLE"
    return f"CASE WHEN isnan({c}) THEN NULL ELSE {c} END"


def _number(value: float) -> str:
    return repr(float(value))


def _rows(rel: duckdb.DuckDBPyRelation, sql: str) -> list[tuple[Any, ...]]:
    result = rel.query("src", sql)
    assert result is not None  # a SELECT always has a result
    return result.fetchall()


def summary(rel: duckdb.DuckDBPyRelation, numeric: list[str], other: list[str], tail: int
            ) -> dict[str, dict[str, Any]]:
    """One pass over every column: counts, and the mean, std and ``tail`` smallest and
    largest values of numeric columns."""
    parts = ["count(*)"]
    for i in range(len(numeric)):
        x = f"n{i}"
        parts += [f"count({x})", f"avg({x})", f"stddev_pop({x})", f"min({x}, {tail})",
                  f"max({x}, {tail})"]
    parts += [f"count({quote(name)})" for name in other]
    inner = ", ".join([f"{_x(n)} AS n{i}" for i, n in enumerate(numeric)]
                      + [quote(n) for n in other]) or "1"
    row = _rows(rel, f"SELECT {', '.join(parts)} FROM (SELECT {inner} FROM src)")[0]
    out: dict[str, dict[str, Any]] = {"": {"rows": int(row[0])}}
    for i, name in enumerate(numeric):
        present, mean, std, low, high = row[1 + 5 * i:6 + 5 * i]
        out[name] = {"present": int(present), "mean": mean, "std": std, "low": low or [],
                     "high": high or []}
    for i, name in enumerate(other):
        out[name] = {"present": int(row[1 + 5 * len(numeric) + i])}
    return out


def counts(rel: duckdb.DuckDBPyRelation, name: str) -> list[tuple[Any, int]]:
    """Each distinct non-missing value of the column and how often it occurs."""
    column = quote(name)
    return [(v, int(c)) for v, c in _rows(
        rel, f"SELECT {column}, count(*) FROM src WHERE {column} IS NOT NULL GROUP BY 1")]


def values(rel: duckdb.DuckDBPyRelation, name: str) -> list[float]:
    """All non-missing values of a (small) numeric column."""
    return [v for (v,) in _rows(rel, f"SELECT x FROM (SELECT {_x(name)} AS x FROM src) "
                                     f"WHERE x IS NOT NULL")]


def histogram(rel: duckdb.DuckDBPyRelation, name: str, lo: float, hi: float,
              bins: list[int], within: list[int] | None = None
              ) -> list[tuple[int, int, float, float]]:
    """(bin, count, min, max) of each non-empty bin when [lo, hi] is cut into ``bins[0]``
    equal bins, each of those into ``bins[1]``, and so on (values outside are left out);
    with ``within``, only the values in those bins of the level above (a refinement)."""
    t = f"(x - {_number(lo)}) * {_number(1 / (hi - lo) if hi > lo else 0.0)}"

    def index(level: int) -> str:
        top = int(np.prod(bins[:level]))
        return f"least({top - 1}, floor({t} * {top}))::BIGINT"

    where = (f"AND {index(len(bins) - 1)} IN ({', '.join(str(int(b)) for b in within)})"
             if within else "")
    sql = f"""
    SELECT {index(len(bins))} AS k, count(*), min(x), max(x)
    FROM (SELECT {_x(name)} AS x FROM src)
    WHERE x BETWEEN {_number(lo)} AND {_number(hi)} {where} GROUP BY k"""
    return [(int(k), int(c), float(a), float(b)) for k, c, a, b in _rows(rel, sql)]
