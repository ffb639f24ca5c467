"""Merging profiles (partitions of one dataset) and sketching a column from its CDF.

A numeric column's stored CDF is either exact (its sorted values: a step function) or a
sketch (quantiles at known levels, the CDF taken as linear between them). The CDF of the
union of partitions is the row-weighted mixture of theirs, so its error is at most the
largest of theirs; the merge stores that mixture again as a sketch on the usual levels,
which adds at most the level spacing. Hence **a merged column's KS error is at most
max(partition errors) + 1/2048**, kept in ``ColumnProfile.error`` (partitions sketched at
1/2048 give 1/1024). The tails stay exact: the k smallest values of a union are among the
k smallest of its parts. Means and standard deviations merge exactly, category counts add
up; PSI and JS bins are cut again on the merged quantiles, their proportions read off the
merged CDF (each off by at most twice the KS error).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from .profiles import (
    CATEGORICAL_MAX_UNIQUE,
    JS_BINS,
    PSI_BINS,
    QUANTILE_LEVELS,
    SKETCH_ERROR,
    TAIL_VALUES,
    ColumnProfile,
    Profile,
    profile_column,
)


def cdf(column: ColumnProfile, x: np.ndarray, left: bool = False) -> np.ndarray:
    """The column's stored CDF at ``x``: the share of its non-missing values at most x
    (``left``: below x; they differ where a value has a share of its own, an atom)."""
    if column.exact:
        at = np.searchsorted(column.values, x, side="left" if left else "right")
        return np.asarray(at) / max(1, column.values.size)
    found = np.interp(x, column.values, column.levels, left=0.0, right=1.0)
    if not left:
        return found
    first = np.minimum(np.searchsorted(column.values, x, side="left"), column.values.size - 1)
    return np.where(column.values[first] == x, column.levels[first], found)


def sketch_numeric(column: ColumnProfile, xs: np.ndarray, fs: np.ndarray, low: np.ndarray,
                   high: np.ndarray, present: int, error: float) -> None:
    """Store on ``column`` the quantile sketch of a CDF known at breakpoints ``xs`` (values
    ``fs``), with its exact smallest (``low``) and largest (``high``) values, and the PSI/JS
    bins cut on it. ``error`` is the CDF's own KS error; the sketch adds the spacing."""
    last = max(1, present - 1)
    tails = np.r_[np.arange(low.size), last - np.arange(high.size)[::-1]] / last
    levels = np.linspace(0, 1, QUANTILE_LEVELS)
    levels = levels[(levels > tails[low.size - 1]) & (levels < tails[low.size])]
    values = np.clip(np.interp(levels, fs, xs), low[-1], high[0])  # the tails are exact
    levels, values = np.r_[levels, tails], np.r_[values, low, high]
    order = np.argsort(levels, kind="stable")
    levels, values = levels[order], np.maximum.accumulate(values[order])
    keep = np.r_[True, np.diff(levels) > 0]
    column.levels, column.values = levels[keep], values[keep]
    column.exact, column.error = False, error + SKETCH_ERROR
    for bins, edges, props in ((PSI_BINS, "psi_edges", "psi_props"),
                               (JS_BINS, "js_edges", "js_props")):
        cut = np.unique(np.interp(np.linspace(0, 1, bins + 1)[1:-1], column.levels,
                                  column.values))
        setattr(column, edges, cut)
        setattr(column, props, np.diff(np.r_[0.0, cdf(column, cut), 1.0]))


def _as_values(column: ColumnProfile) -> ColumnProfile:
    """A categorical column of numbers (few distinct values in one partition) as exact
    sorted values, so it merges with the numeric parts of the same column."""
    keys = np.array([float(k) for k in column.counts], dtype=float)
    counts = np.array(list(column.counts.values()), dtype=int)
    values = np.sort(np.repeat(keys, counts))
    return ColumnProfile(column.name, "numeric", n=column.n, missing=column.missing,
                         values=values, exact=True)


def _numbers(counts: dict[str, int]) -> bool:
    try:
        [float(k) for k in counts]
    except ValueError:
        return False
    return True


def _tails(column: ColumnProfile) -> tuple[np.ndarray, np.ndarray]:
    """The column's exact smallest and largest ``TAIL_VALUES`` values: in a sketch, those
    stored at a level that falls on a whole rank."""
    if column.exact:
        return column.values[:TAIL_VALUES], column.values[-TAIL_VALUES:]
    rank = column.levels * (column.n - column.missing - 1)
    whole = np.abs(rank - np.round(rank)) < 1e-6
    last = rank[-1]
    return (column.values[whole & (rank < TAIL_VALUES - 0.5)],
            column.values[whole & (rank > last - TAIL_VALUES + 0.5)])


def _merge_numeric(name: str, parts: Sequence[ColumnProfile]) -> ColumnProfile:
    """Numeric parts (each with more distinct values than a categorical column has, so the
    union is numeric too)."""
    n = sum(p.n for p in parts)
    missing = sum(p.missing for p in parts)
    weights = np.array([p.n - p.missing for p in parts], dtype=float)
    present = int(weights.sum())
    if all(p.exact for p in parts):
        import pandas as pd

        values = np.sort(np.concatenate([p.values for p in parts]))

        series = pd.Series(np.r_[values, np.full(missing, np.nan)])
        return profile_column(name, series, "numeric", None, values)
    means = np.array([p.mean for p in parts])
    mean = float(np.dot(weights, means) / present)
    m2 = sum(w * (p.std ** 2 + (p.mean - mean) ** 2) for w, p in zip(weights, parts,
                                                                      strict=True))
    column = ColumnProfile(name, "numeric", n=n, missing=missing, mean=mean,
                           std=float(np.sqrt(m2 / present)))
    x = np.unique(np.concatenate([p.values for p in parts]))
    xs = np.repeat(x, 2)  # each breakpoint with the CDF just below it and at it
    fs = sum(w * np.column_stack([cdf(p, x, left=True), cdf(p, x)]).ravel()
             for w, p in zip(weights, parts, strict=True)) / present
    ends = [_tails(p) for p in parts]
    low = np.sort(np.concatenate([lo for lo, _ in ends]))[:TAIL_VALUES]
    high = np.sort(np.concatenate([hi for _, hi in ends]))[-TAIL_VALUES:]
    sketch_numeric(column, xs, np.asarray(fs), low, high, present,
                   max(p.error for p in parts))
    return column


def merge_columns(name: str, parts: Sequence[ColumnProfile],
                  max_unique: int = CATEGORICAL_MAX_UNIQUE) -> ColumnProfile:
    """One column's profile from its profiles over disjoint partitions of the rows."""
    n, missing = sum(p.n for p in parts), sum(p.missing for p in parts)
    live = [p for p in parts if p.kind != "skipped" or p.reason != "all values are missing"]
    if not live:
        return ColumnProfile(name, "skipped", n=n, missing=missing,
                             reason="all values are missing")
    skipped = [p for p in live if p.kind == "skipped"]
    if skipped:
        return ColumnProfile(name, "skipped", n=n, missing=missing, reason=skipped[0].reason)
    kinds = {p.kind for p in live}
    counts_numeric = all(_numbers(p.counts) for p in live if p.kind == "categorical")
    if kinds == {"categorical"}:
        counts: dict[str, int] = {}
        for p in live:
            for k, c in p.counts.items():
                counts[k] = counts.get(k, 0) + c
        if len(counts) <= max_unique or not counts_numeric or not _numeric_origin(live):
            return ColumnProfile(name, "categorical", n=n, missing=missing, counts=counts)
    elif not counts_numeric:
        return ColumnProfile(name, "skipped", n=n, missing=missing,
                             reason="numeric in some partitions, text in others; cast it")
    numeric = [p if p.kind == "numeric" else _as_values(p) for p in live]
    for p, whole in zip(numeric, live, strict=True):
        p.n, p.missing = whole.n, whole.missing
    merged = _merge_numeric(name, numeric)
    merged.n, merged.missing = n, missing
    return merged


def _numeric_origin(parts: Iterable[ColumnProfile]) -> bool:
    """Category keys such as "3" or "0.5" came from a numeric column (a text column's keys
    rarely all parse as numbers, and then it stays categorical below max_unique anyway)."""
    return all(all("." in k or k.lstrip("-").isdigit() for k in p.counts) for p in parts)


def merge(profiles: Sequence[Profile], *, name: str | None = None,
          max_unique: int = CATEGORICAL_MAX_UNIQUE) -> Profile:
    """The profile of the union of the rows the given profiles describe (partitions of one
    dataset, e.g. a Dask DataFrame's). KS error per numeric column: see the module doc."""
    if not profiles:
        raise ValueError("merge() needs at least one profile")
    names: list[str] = []
    for p in profiles:
        names += [c for c in p.columns if c not in names]
    columns = {}
    for column in names:
        parts = [p.columns[column] for p in profiles if column in p.columns]
        if len(parts) < len(profiles):
            raise ValueError(f"column {column!r} is missing from some of the profiles: "
                             f"merge profiles of partitions of one dataset")
        columns[column] = merge_columns(column, parts, max_unique)
    return Profile(columns, rows=sum(p.rows for p in profiles), name=name)
