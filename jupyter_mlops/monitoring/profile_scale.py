"""Profiles of data larger than memory: Parquet files or folders and DuckDB relations,
scanned by DuckDB out of core, and Dask DataFrames, profiled per partition and merged.

A numeric column out of core: one pass gives counts, mean, std and the exact
``TAIL_VALUES`` smallest and largest values; then a histogram of ``BINS`` equal bins
between those tails (the values beyond them are the tails), with each bin's count, min and
max. The CDF is exact at every bin's ends and taken as linear inside, so its KS error is
at most the largest share of rows in a bin holding more than one value; bins above
``FINE`` are cut into ``SPLIT`` (only their rows are counted), up to ``DEPTH`` levels.
That error plus the sketch's level spacing is the column's ``error`` (at most 1/2048 +
1/8192 once refined). Categorical columns are counted exactly (GROUP BY).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .profile_merge import merge, sketch_numeric
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

#: A bin holding more than this share of the rows is refined.
FINE = SKETCH_ERROR / 4
#: Bins of the first histogram (a smooth column needs no refining), the bins a refined
#: bin is cut into, and the most levels.
BINS, SPLIT, DEPTH = 4 * round(1 / FINE), 64, 5
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
    """Profile Parquet files without loading them (DuckDB, memory capped)."""
    from ..store import db

    files = parquet_files(path)
    limit = os.environ.get("JUPYTER_MLOPS_PROFILE_MEMORY", MEMORY_LIMIT)
    with db.scratch(limit) as con:
        found = profile_relation(con.read_parquet(files), name=name, max_unique=max_unique)
    found.fingerprint = files_fingerprint(files)
    return found


def profile_relation(rel: Any, *, name: str | None = None,
                     max_unique: int = CATEGORICAL_MAX_UNIQUE) -> Profile:
    """Profile a DuckDB relation in its own connection's memory limits."""
    from ..store.queries import profile_scan as scan

    kinds = {c: str(t).split("(")[0].upper() for c, t in zip(rel.columns, rel.types,
                                                               strict=True)}
    numeric = [c for c, t in kinds.items() if t in scan.NUMERIC_TYPES]
    temporal = [c for c, t in kinds.items() if t.startswith(scan.TEMPORAL_TYPES)]
    other = [c for c in kinds if c not in numeric and c not in temporal]
    found = scan.summary(rel, numeric, other + temporal, TAIL_VALUES)
    rows = found[""]["rows"]
    if not rows:
        raise ValueError("the data has no rows: nothing to profile")
    columns: dict[str, ColumnProfile] = {}
    for column in kinds:
        info = found[column]
        col = ColumnProfile(column, "categorical", n=rows, missing=rows - info["present"])
        if not info["present"]:
            col.kind, col.reason = "skipped", "all values are missing"
        elif column in temporal:
            col.kind = "skipped"
            col.reason = f"{kinds[column]} columns are not compared; derive numeric features"
        elif column in numeric:
            # pandas reads an integer column with missing values as floats: keys "3.0"
            integer = kinds[column] in scan.INTEGER_TYPES and not col.missing
            col = _numeric(rel, column, info, rows, max_unique, integer)
        else:
            col.counts = _counts(scan.counts(rel, column), kinds[column] == "BOOLEAN")
        columns[column] = col
    return Profile(columns, rows=rows, name=name)


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


def _numeric(rel: Any, column: str, info: dict[str, Any], rows: int, max_unique: int,
             integer: bool) -> ColumnProfile:
    from ..store.queries import profile_scan as scan

    present = info["present"]
    col = ColumnProfile(column, "numeric", n=rows, missing=rows - present,
                        mean=float(info["mean"]), std=float(info["std"]))
    if present <= QUANTILE_LEVELS + 2 * TAIL_VALUES:  # small: keep every value, exact
        values = np.sort(np.asarray(scan.values(rel, column), dtype=float))
        if _few(col, *np.unique(values, return_counts=True), integer, max_unique):
            return col
        series = pd.Series(np.r_[values, np.full(rows - present, np.nan)])
        return profile_column(column, series, "numeric", None, values)
    low, high = np.asarray(info["low"], dtype=float), np.sort(np.asarray(info["high"], float))
    lo, hi = float(low[-1]), float(high[0])
    cuts = [BINS]
    bins = np.array(scan.histogram(rel, column, lo, hi, cuts), dtype=float).reshape(-1, 4)
    below, above = low[low < lo], high[high > hi]  # the values outside [lo, hi]: exact
    if len(bins) <= max_unique and (bins[:, 2] == bins[:, 3]).all():  # a few values only
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
        finer = scan.histogram(rel, column, lo, hi, cuts, bins[heavy, 0].astype(int).tolist())
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
