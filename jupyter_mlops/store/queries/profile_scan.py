"""Scans of a user's data (Parquet files, a DuckDB relation) for an out-of-core profile.

Not a read of the store: the SQL lives here because all SQL does. Every scan is a DuckDB
aggregate (streaming, so nothing holds the rows); column names reach the SQL only as
quoted identifiers and numbers only as numbers this module formats itself.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
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


def present(rel: duckdb.DuckDBPyRelation, columns: list[str]) -> tuple[int, list[int]]:
    """The rows, and the non-missing values of each column (its nulls only: these are not
    numeric columns)."""
    parts = ["count(*)", *(f"count({quote(name)})" for name in columns)]
    row = _rows(rel, f"SELECT {', '.join(parts)} FROM src")[0]
    return int(row[0]), [int(v) for v in row[1:]]


def bounds(rel: duckdb.DuckDBPyRelation, numeric: list[str]
           ) -> dict[str, tuple[float, float] | None]:
    """Each numeric column's smallest and largest finite value (None: there are none), in
    one pass over the columns."""
    if not numeric:
        return {}
    parts = []
    for i in range(len(numeric)):
        finite = f"FILTER (WHERE isfinite(n{i}))"
        parts += [f"min(n{i}) {finite}", f"max(n{i}) {finite}"]
    inner = ", ".join(f"{quote(n)}::DOUBLE AS n{i}" for i, n in enumerate(numeric))
    row = _rows(rel, f"SELECT {', '.join(parts)} FROM (SELECT {inner} FROM src)")[0]
    return {name: None if row[2 * i] is None else (float(row[2 * i]), float(row[2 * i + 1]))
            for i, name in enumerate(numeric)}


def parquet_bounds(con: duckdb.DuckDBPyConnection, files: list[str], numeric: list[str]
                   ) -> dict[str, tuple[float, float]]:
    """The numeric columns whose smallest and largest values every row group's statistics
    state exactly and finitely: read from the files' footers, no scan."""
    wanted = set(numeric)
    found: dict[str, tuple[float, float]] = {}
    rows = con.execute(
        "SELECT path_in_schema, bool_and(min_is_exact IS NOT false AND max_is_exact IS NOT "
        "false AND coalesce(stats_nan_count, 0) = 0 AND (stats_min_value IS NOT NULL OR "
        "num_values = stats_null_count)), min(TRY_CAST(stats_min_value AS DOUBLE)), "
        "max(TRY_CAST(stats_max_value AS DOUBLE)), count(TRY_CAST(stats_min_value AS DOUBLE))"
        ", count(stats_min_value) FROM parquet_metadata(?) GROUP BY 1", [files]).fetchall()
    for name, exact, lo, hi, parsed, stated in rows:
        if (name in wanted and exact and parsed == stated and None not in (lo, hi)
                and math.isfinite(lo) and math.isfinite(hi)):
            found[name] = (float(lo), float(hi))
    return found


def batches(rel: duckdb.DuckDBPyRelation, numeric: list[str], rows: int
            ) -> Iterator[list[np.ndarray]]:
    """The numeric columns as DOUBLE, ``rows`` at a time (NaN where missing): streamed, so
    only a batch is in memory."""
    inner = ", ".join(f"{quote(n)}::DOUBLE AS n{i}" for i, n in enumerate(numeric))
    result = rel.query("src", f"SELECT {inner} FROM src")
    assert result is not None  # a SELECT always has a result
    for batch in result.to_arrow_reader(rows):
        yield [c.to_numpy(zero_copy_only=False) for c in batch.columns]


def counts(rel: duckdb.DuckDBPyRelation, names: list[str]
           ) -> dict[str, list[tuple[Any, int]]]:
    """Each distinct non-missing value of each column and how often it occurs, in one scan
    (GROUPING SETS: half the time of a GROUP BY per column)."""
    if not names:
        return {}
    columns = [quote(name) for name in names]
    sets = ", ".join(f"({c})" for c in columns)
    found: dict[str, list[tuple[Any, int]]] = {name: [] for name in names}
    for row in _rows(rel, f"SELECT {', '.join(columns)}, count(*), "
                          f"{', '.join(f'grouping({c})' for c in columns)} "
                          f"FROM src GROUP BY GROUPING SETS ({sets})"):
        i = row[len(names) + 1:].index(0)  # the set this row counts (its column grouped)
        if row[i] is not None:
            found[names[i]].append((row[i], int(row[len(names)])))
    return found


def values(rel: duckdb.DuckDBPyRelation, name: str) -> list[float]:
    """All non-missing values of a (small) numeric column."""
    return [v for (v,) in _rows(rel, f"SELECT x FROM (SELECT {_x(name)} AS x FROM src) "
                                     f"WHERE x IS NOT NULL")]


def bin_scale(lo: float, hi: float, bins: int) -> float:
    """The factor taking ``x - lo`` to its bin's index (its floor) when [lo, hi] is cut into
    ``bins``: the SQL here and ``ColumnPass``'s numpy use this same number."""
    return bins / (hi - lo) if hi > lo else 0.0


def histogram(rel: duckdb.DuckDBPyRelation, name: str, lo: float, hi: float,
              bins: list[int], within: list[int] | None = None
              ) -> list[tuple[int, int, float, float]]:
    """(bin, count, min, max) of each non-empty bin when [lo, hi] is cut into ``bins[0]``
    equal bins, each of those into ``bins[1]``, and so on (values outside are left out);
    with ``within``, only the values in those bins of the level above (a refinement)."""
    def index(level: int) -> str:
        top = int(np.prod(bins[:level]))
        scale = _number(bin_scale(lo, hi, top))
        return f"least({top - 1}, floor((x - {_number(lo)}) * {scale}))::BIGINT"

    where = (f"AND {index(len(bins) - 1)} IN ({', '.join(str(int(b)) for b in within)})"
             if within else "")
    sql = f"""
    SELECT {index(len(bins))} AS k, count(*), min(x), max(x)
    FROM (SELECT {_x(name)} AS x FROM src)
    WHERE x BETWEEN {_number(lo)} AND {_number(hi)} {where} GROUP BY k"""
    return [(int(k), int(c), float(a), float(b)) for k, c, a, b in _rows(rel, sql)]
