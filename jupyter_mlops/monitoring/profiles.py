"""Reference profiles: what drift scoring needs of a reference, without its rows.

A numeric column keeps its quantile function on an even grid of ``QUANTILE_LEVELS`` levels
plus its ``TAIL_VALUES`` smallest and largest values exactly (a quantile sketch rather than
a histogram: its KS error is bounded by the level spacing, 1/2048 < 1e-3, whatever the
distribution's shape or range; with exact tails it also gives Wasserstein within 1e-3 of
the reference std on heavy-tailed data), plus the reference's own PSI and JS bin edges and
proportions, so those two are exact.
Small references keep every sorted value instead: then everything is exact.
A categorical column keeps its counts. Profiles built in memory from a DataFrame keep the
full sorted values, so ``drift(df_ref, df_cur)`` is exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .statistics import bin_proportions, sorted_quantiles

#: Levels of the stored quantile function (so the KS error is at most 1/(levels - 1)).
QUANTILE_LEVELS = 2049
#: The KS error of a sketch made from exact values: the level spacing.
SKETCH_ERROR = 1 / (QUANTILE_LEVELS - 1)
#: Order statistics kept exactly at each end: the tails carry most of Wasserstein's error.
TAIL_VALUES = 256
#: PSI on reference deciles; JS on 20 reference-quantile bins.
PSI_BINS, JS_BINS = 10, 20
#: Numeric columns with at most this many distinct reference values are categorical.
CATEGORICAL_MAX_UNIQUE = 20


def _empty() -> np.ndarray:
    return np.empty(0)


@dataclass
class ColumnProfile:
    name: str
    kind: str  # "numeric" | "categorical" | "skipped"
    n: int = 0
    missing: int = 0
    reason: str | None = None  # why a column is skipped
    # numeric (empty for other kinds)
    values: np.ndarray = field(default_factory=_empty)  # sorted values, or quantiles (sketch)
    levels: np.ndarray = field(default_factory=_empty)  # the quantile levels (sketch only)
    exact: bool = True
    mean: float = float("nan")
    std: float = float("nan")
    psi_edges: np.ndarray = field(default_factory=_empty)
    psi_props: np.ndarray = field(default_factory=_empty)
    js_edges: np.ndarray = field(default_factory=_empty)
    js_props: np.ndarray = field(default_factory=_empty)
    # categorical
    counts: dict[str, int] = field(default_factory=dict)
    #: Bound on the KS distance between this column's stored CDF and its data's: 0 when
    #: exact, the level spacing for a sketch, more for a merged or out-of-core one.
    error: float = 0.0

    def to_dict(self, sketch: bool = True) -> dict[str, Any]:
        """JSON-ready; ``sketch`` replaces a long sorted sample by its quantile function."""
        d: dict[str, Any] = {"name": self.name, "kind": self.kind, "n": self.n,
                             "missing": self.missing, "reason": self.reason}
        if self.kind == "numeric":
            values, levels, exact = self.values, self.levels, self.exact
            if sketch and exact and values.size > QUANTILE_LEVELS + 2 * TAIL_VALUES:
                n = values.size
                tails = np.r_[0:TAIL_VALUES, n - TAIL_VALUES:n] / (n - 1)
                levels = np.unique(np.r_[np.linspace(0, 1, QUANTILE_LEVELS), tails])
                values, exact = sorted_quantiles(values, levels), False
            if not exact:
                d["levels"] = levels.tolist()
                d["error"] = max(self.error, SKETCH_ERROR)
            d.update(values=values.tolist(), exact=exact, mean=self.mean, std=self.std,
                     psi_edges=self.psi_edges.tolist(), psi_props=self.psi_props.tolist(),
                     js_edges=self.js_edges.tolist(), js_props=self.js_props.tolist())
        elif self.kind == "categorical":
            d["counts"] = self.counts
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ColumnProfile:
        arrays: dict[str, Any] = {k: np.asarray(d[k], dtype=float) for k in
                  ("values", "levels", "psi_edges", "psi_props", "js_edges", "js_props")
                  if k in d}
        plain = {k: d[k] for k in ("name", "kind", "n", "missing", "reason", "exact", "mean",
                                   "std", "counts", "error") if k in d and d[k] is not None}
        if d.get("exact") is False and "error" not in d:  # stored before errors were
            plain["error"] = SKETCH_ERROR
        return cls(**plain, **arrays)


@dataclass
class Profile:
    """A dataset's reference profile; ``fingerprint`` ties it to the data it describes."""

    columns: dict[str, ColumnProfile]
    rows: int
    fingerprint: str | None = None
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "fingerprint": self.fingerprint, "name": self.name,
                "columns": [c.to_dict() for c in self.columns.values()]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Profile:
        columns = [ColumnProfile.from_dict(c) for c in d["columns"]]
        return cls({c.name: c for c in columns}, d["rows"], d.get("fingerprint"), d.get("name"))

    def _repr_html_(self) -> str:
        kinds = pd.Series([c.kind for c in self.columns.values()]).value_counts().to_dict()
        return (f"<b>Profile</b> {self.name or ''} of {self.rows:,} rows: "
                + ", ".join(f"{v} {k}" for k, v in kinds.items()))


def is_numeric(series: pd.Series) -> bool:
    dtype = series.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def column_kind(series: pd.Series, sorted_values: np.ndarray | None,
                max_unique: int = CATEGORICAL_MAX_UNIQUE) -> tuple[str, str | None]:
    """("numeric" | "categorical" | "skipped", reason if skipped) for a reference column;
    ``sorted_values`` are its numeric values, sorted, when it has a numeric dtype. An
    all-missing categorical column is found by :func:`profile_column` (its counts are empty),
    which saves a pass over the column here."""
    dtype = series.dtype
    if sorted_values is not None:
        if not sorted_values.size:
            return "skipped", "all values are missing"
        distinct = 1 + np.count_nonzero(sorted_values[1:] != sorted_values[:-1])
        return ("categorical" if distinct <= max_unique else "numeric"), None
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        return "skipped", f"{dtype} columns are not compared; derive numeric features"
    if dtype is np.dtype(object):
        types = {type(v).__name__ for v in series.head(10_000).dropna()}
        if len(types) > 1:
            return "skipped", f"mixed types in one column ({', '.join(sorted(types))}); cast it"
    return "categorical", None


def numeric_values(series: pd.Series) -> np.ndarray:
    """The column's non-missing values as sorted float64."""
    values = series.to_numpy(dtype=float, na_value=np.nan, copy=True)
    values.sort()  # in place; NaNs sort last
    return values[:values.size - np.count_nonzero(np.isnan(values))]


def category_counts(series: pd.Series) -> dict[str, int]:
    """Counts per category, keyed by the category's text (so 1 and "1" are one category)."""
    codes, uniques = pd.factorize(series)  # missing values get code -1
    tally = np.bincount(codes[codes >= 0], minlength=len(uniques))
    counts: dict[str, int] = {}
    for key, count in zip(uniques, tally.tolist(), strict=True):
        counts[str(key)] = counts.get(str(key), 0) + count
    return counts


def profile_column(name: str, series: pd.Series, kind: str, reason: str | None,
                   sorted_values: np.ndarray | None = None) -> ColumnProfile:
    col = ColumnProfile(name, kind, n=int(series.size), reason=reason)
    if kind == "skipped":
        col.missing = int(series.isna().sum())
    elif kind == "numeric":
        values = numeric_values(series) if sorted_values is None else sorted_values
        col.values, col.missing = values, col.n - values.size
        col.mean, col.std = float(values.mean()), float(values.std())
        col.psi_edges = _inner_quantiles(values, PSI_BINS)
        col.js_edges = _inner_quantiles(values, JS_BINS)
        col.psi_props = bin_proportions(col.psi_edges, values)
        col.js_props = bin_proportions(col.js_edges, values)
    elif kind == "categorical":
        col.counts = category_counts(series)
        col.missing = col.n - sum(col.counts.values())
        if not col.counts:
            col.kind, col.reason = "skipped", "all values are missing"
    return col


def _inner_quantiles(sorted_values: np.ndarray, bins: int) -> np.ndarray:
    """The distinct inner quantile edges that cut a sample into ``bins`` bins."""
    return np.unique(sorted_quantiles(sorted_values, np.linspace(0, 1, bins + 1)[1:-1]))


def build_profile(df: pd.DataFrame, *, name: str | None = None,
                  max_unique: int = CATEGORICAL_MAX_UNIQUE, fingerprint: bool = True) -> Profile:
    """Profile every column of ``df`` (in memory, exact); ``fingerprint=False`` leaves the
    data's fingerprint to the caller (a drift report computes it only when needed)."""
    from ..capture.fingerprint import fingerprint as of

    columns = {}
    for column in df.columns:
        series = df[column]
        values = numeric_values(series) if is_numeric(series) else None
        kind, reason = column_kind(series, values, max_unique)
        columns[str(column)] = profile_column(str(column), series, kind, reason, values)
    return Profile(columns, rows=len(df), fingerprint=of(df) if fingerprint else None,
                   name=name)
