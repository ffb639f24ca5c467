"""Profiles of data larger than memory: Parquet files or folders and DuckDB relations,
scanned by DuckDB out of core, and Dask DataFrames, profiled per partition and merged.

A numeric column out of core: its range (from the Parquet files' statistics, else one
DuckDB pass of min/max), then one streaming pass (``profile_pass.ColumnPass`` on Arrow
batches of every numeric column at once) gives counts, mean, std, the exact
``TAIL_VALUES`` smallest and largest values and the counts of ``BINS`` equal bins over the
range. The CDF is exact at every bin's ends and taken as linear inside, so its KS error is
at most the largest share of rows in a bin holding more than one value; bins above
``FINE`` are cut into ``SPLIT`` by a DuckDB GROUP BY (only their rows are counted, with
each finer bin's own min and max), up to ``DEPTH`` levels. That error plus the sketch's
level spacing is the column's ``error`` (at most 1/2048 + 1/8192 once refined).
Categorical columns are counted exactly (one GROUP BY of GROUPING SETS).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from .profile_merge import merge, sketch_numeric
from .profile_pass import BINS, ColumnPass
from .profiles import (
    CATEGORICAL_MAX_UNIQUE,
    QUANTILE_LEVELS,
    SKETCH_ERROR,
    TAIL_VALUES,
    ColumnProfile,
    Profile,
    build_profile,
    profile_column,
)

T = TypeVar("T")
#: The numeric columns' values, ``rows`` at a time: ``(columns, rows) -> batches``.
Reader = Callable[[list[str], int], Iterator[list[np.ndarray]]]

#: A bin holding more than this share of the rows is refined.
FINE = SKETCH_ERROR / 4
#: The bins a refined bin is cut into, and the most levels.
SPLIT, DEPTH = 64, 5
#: Rows of each batch streamed to ``ColumnPass`` (8 bytes a numeric column each).
BATCH_ROWS = 1 << 19
#: DuckDB's memory cap for a scan (it spills beyond it); JUPYTER_MLOPS_PROFILE_MEMORY.
MEMORY_LIMIT = "512MB"


def parquet_files(path: str | os.PathLike[str]) -> list[str]:
    """The Parquet files a path names: the file, or every ``*.parquet`` under a folder."""
    root = Path(path).expanduser()
    if root.is_dir():
        files = sorted(str(p) for p in root.rglob("*.parquet"))
        if not files:
            raise ValueError(f"no .parquet files under {root}: profile a folder of Parquet "
                             f"files, a Parquet file or a DataFrame")
        return files
    if not root.is_file():
        raise FileNotFoundError(f"{root} does not exist: give a Parquet file or folder")
    return [str(root)]


def files_fingerprint(files: list[str]) -> str:
    """Files are known by their paths, sizes and modification times (hashing 20 GB of
    Parquet to name them would cost more than profiling them)."""
    import xxhash

    h = xxhash.xxh3_128(b"parquet")
    for f in files:
        st = os.stat(f)
        h.update(f"{os.path.abspath(f)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def profile_parquet(path: str | os.PathLike[str], *, name: str | None = None,
                    max_unique: int = CATEGORICAL_MAX_UNIQUE) -> Profile:
    """Profile Parquet files without loading them (DuckDB, memory capped); the numeric
    columns' ranges come from the files' statistics when they state them."""
    from ..store import db
    from ..store.queries import profile_scan as scan
    from . import parquet_mapped

    files = parquet_files(path)
    limit = os.environ.get("JUPYTER_MLOPS_PROFILE_MEMORY", MEMORY_LIMIT)
    with db.scratch(limit, os.cpu_count()) as con:
        rel = con.read_parquet(files)
        ranges = scan.parquet_bounds(con, files, list(rel.columns))
        found = profile_relation(rel, name=name, max_unique=max_unique, ranges=ranges,
                                 read=partial(parquet_mapped.batches, files))
    found.fingerprint = files_fingerprint(files)
    return found


def profile_relation(rel: Any, *, name: str | None = None,
                     max_unique: int = CATEGORICAL_MAX_UNIQUE,
                     ranges: dict[str, tuple[float, float]] | None = None,
                     read: Reader | None = None) -> Profile:
    """Profile a DuckDB relation in its own connection's memory limits: one pass for the
    numeric columns' ranges (unless ``ranges`` gives them all), one streaming pass for
    their statistics (``ColumnPass``; ``read`` streams their values when it can do so
    faster than the relation), a GROUP BY per categorical column, and a refining pass only
    for a column with a bin too full."""
    from ..store.queries import profile_scan as scan

    kinds = {c: str(t).split("(")[0].upper() for c, t in zip(rel.columns, rel.types,
                                                               strict=True)}
    numeric = [c for c, t in kinds.items() if t in scan.NUMERIC_TYPES]
    temporal = [c for c, t in kinds.items() if t.startswith(scan.TEMPORAL_TYPES)]
    rows, counted = scan.present(rel, temporal)
    if not rows:
        raise ValueError("the data has no rows: nothing to profile")
    known: dict[str, tuple[float, float] | None] = {c: ranges[c] for c in numeric
                                                    if ranges and c in ranges}
    known.update(scan.bounds(rel, [c for c in numeric if c not in known]))
    passes = {c: ColumnPass(*found) for c, found in known.items() if found is not None}
    if passes:
        _needs_extra()
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:  # numpy lets go of the GIL
        stream = ((read or partial(scan.batches, rel))(list(passes), BATCH_ROWS) if passes
                  else iter(()))
        for batch in _ahead(pool, stream):
            list(pool.map(ColumnPass.add, passes.values(), batch))
        sql = threading.Lock()  # the columns' numpy side by side, their queries one at a time

        def finish(column: str) -> ColumnProfile:
            # pandas reads an integer column with missing values as floats: keys "3.0"
            integer = kinds[column] in scan.INTEGER_TYPES and passes[column].present == rows
            return _numeric(rel, column, passes[column], rows, max_unique, sql, integer=integer)

        finished = dict(zip(passes, pool.map(finish, passes), strict=True))
    present = dict(zip(temporal, counted, strict=True))
    # a numeric column not in passes has no finite value: ±inf or none
    counted_values = scan.counts(rel, [c for c in kinds if c not in passes and c not in temporal])
    columns: dict[str, ColumnProfile] = {}
    for column in kinds:
        counts: dict[str, int] = {}
        if column in passes:
            present[column] = passes[column].present
        elif column in counted_values:
            counts = _counts(counted_values[column], kinds[column] == "BOOLEAN")
            counts.pop("nan", None)  # missing, as pandas counts it
            present[column] = sum(counts.values())
        col = ColumnProfile(column, "categorical", n=rows, missing=rows - present[column],
                            counts=counts)
        if not present[column]:
            col.kind, col.reason = "skipped", "all values are missing"
        elif column in temporal:
            col.kind = "skipped"
            col.reason = f"{kinds[column]} columns are not compared; derive numeric features"
        elif column in passes:
            col = finished[column]
        columns[column] = col
    return Profile(columns, rows=rows, name=name)


def _needs_extra() -> None:
    """fast-histogram bins the batches: the ``profile`` extra."""
    try:
        import fast_histogram  # noqa: F401
    except ImportError:
        raise ImportError("profiling files or a DuckDB relation needs fast-histogram: pip "
                          "install 'jupyter-mlops[profile]'") from None


def _ahead(pool: ThreadPoolExecutor, batches: Iterator[T]) -> Iterator[T]:
    """The next batch is read (DuckDB decoding on its threads) while this one is counted."""
    following = pool.submit(next, batches, None)
    while (batch := following.result()) is not None:
        following = pool.submit(next, batches, None)
        yield batch


def _counts(found: list[tuple[Any, int]], boolean: bool) -> dict[str, int]:
    """Keyed by the value's text as pandas would write it (True, not true)."""
    counts: dict[str, int] = {}
    for value, count in found:
        key = str(bool(value)) if boolean else str(value)
        counts[key] = counts.get(key, 0) + count
    return counts


def _few(column: ColumnProfile, values: np.ndarray, counts: np.ndarray, integer: bool,
         max_unique: int) -> bool:
    """Make ``column`` categorical if it has at most ``max_unique`` distinct values (as the
    in-memory pass decides), keyed as pandas writes them."""
    if values.size > max_unique:
        return False
    keys = values.astype(np.int64) if integer else values
    column.kind = "categorical"
    column.counts = {str(k): int(c) for k, c in zip(keys.tolist(), counts.tolist(),
                                                     strict=True)}
    return True


def _numeric(rel: Any, column: str, one: ColumnPass, rows: int, max_unique: int,
             sql: threading.Lock, *, integer: bool) -> ColumnProfile:
    from ..store.queries import profile_scan as scan

    present = one.present
    col = ColumnProfile(column, "numeric", n=rows, missing=rows - present, mean=one.mean,
                        std=one.std)
    if present <= QUANTILE_LEVELS + 2 * TAIL_VALUES:  # small: keep every value, exact
        with sql:
            found = scan.values(rel, column)
        values = np.sort(np.asarray(found, dtype=float))
        if _few(col, *np.unique(values, return_counts=True), integer, max_unique):
            return col
        series = pd.Series(np.r_[values, np.full(rows - present, np.nan)])
        return profile_column(column, series, "numeric", None, values)
    low, high, lo, hi = one.low, one.high, one.lo, one.hi
    cuts = [BINS]
    bins = one.bins()
    below, above = low[low < lo], high[high > hi]  # infinite values: exact
    if len(bins) <= max_unique:  # a few values, perhaps: the bins' own min and max say
        with sql:
            bins = np.array(scan.histogram(rel, column, lo, hi, cuts), dtype=float)
        bins = bins.reshape(-1, 4)
    if len(bins) <= max_unique and (bins[:, 2] == bins[:, 3]).all():
        values, counts = np.unique(np.r_[below, above], return_counts=True)
        merged = pd.Series(counts, values).add(pd.Series(bins[:, 1], bins[:, 2]),
                                               fill_value=0)
        if _few(col, merged.index.to_numpy(float), merged.to_numpy(np.int64), integer,
                max_unique):
            return col
    for _ in range(DEPTH - 1):
        heavy = (bins[:, 1] > FINE * present) & (bins[:, 3] > bins[:, 2])
        if not heavy.any():
            break
        cuts.append(SPLIT)
        with sql:
            finer = scan.histogram(rel, column, lo, hi, cuts,
                                   bins[heavy, 0].astype(int).tolist())
        bins = np.r_[bins[~heavy], np.array(finer, dtype=float).reshape(-1, 4)]
    bins = bins[np.argsort(bins[:, 2], kind="stable")]
    spread = bins[:, 3] > bins[:, 2]
    error = float(bins[spread, 1].max() / present) if spread.any() else 0.0
    after = (below.size + np.cumsum(bins[:, 1])) / present
    xs = np.r_[below, np.column_stack([bins[:, 2], bins[:, 3]]).ravel(), above]
    fs = np.r_[np.arange(1, below.size + 1) / present,
               np.column_stack([after - bins[:, 1] / present, after]).ravel(),
               1 - np.arange(above.size - 1, -1, -1) / present]
    sketch_numeric(col, xs, fs, low, high, present, error)
    return col


def profile_dask(ddf: Any, *, name: str | None = None,
                 max_unique: int = CATEGORICAL_MAX_UNIQUE) -> Profile:
    """Profile each partition where Dask runs it (a distributed Client's workers when one
    is active, its local scheduler otherwise) and merge (see :mod:`.profile_merge`)."""
    import dask

    parts = [dask.delayed(_partition_profile)(part, max_unique) for part in ddf.to_delayed()]
    found = [Profile.from_dict(d) for d in dask.compute(*parts)]
    found = [p for p in found if p.rows] or found[:1]
    if not found or not found[0].rows:
        raise ValueError("the Dask DataFrame has no rows: nothing to profile")
    return merge(found, name=name, max_unique=max_unique)


def _partition_profile(part: pd.DataFrame, max_unique: int) -> dict[str, Any]:
    """A partition's profile as it travels back: sketched, so a few hundred kB a column."""
    if not len(part):
        return {"rows": 0, "columns": []}
    return build_profile(part, max_unique=max_unique, fingerprint=False).to_dict()
