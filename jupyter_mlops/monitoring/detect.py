"""Data drift: score a current batch against a reference DataFrame or a stored profile.

Default verdict per column: drifted when the Benjamini-Hochberg adjusted p-value is at most
``alpha`` **and** the effect passes its threshold (Wasserstein / reference std for numeric
columns, Jensen-Shannon distance base 2 for categorical ones). The test guards small
batches against noise; the effect size keeps huge samples from flagging negligible shifts.
``evidently_compatible=True`` applies Evidently 0.7's auto-selected tests and thresholds
instead (no correction), for comparison with existing dashboards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from . import statistics as st
from .profiles import (
    CATEGORICAL_MAX_UNIQUE,
    ColumnProfile,
    Profile,
    build_profile,
    category_counts,
    is_numeric,
    numeric_values,
)
from .report import DriftReport, later

#: Evidently switches from tests to distances above this many reference rows.
EVIDENTLY_SMALL = 1000


#: Effect sizes a verdict can use: numeric and categorical.
NUMERIC_EFFECTS = ("wasserstein", "psi", "js", "ks")
CATEGORICAL_EFFECTS = ("js", "psi", "tvd")


@dataclass(frozen=True)
class Options:
    alpha: float = 0.05
    numeric_threshold: float = 0.1
    categorical_threshold: float = 0.1
    missing_threshold: float = 0.05
    share: float = 0.5
    correction: str | None = "bh"
    evidently_compatible: bool = False
    numeric_effect: str = "wasserstein"
    categorical_effect: str = "js"


def _frame(data: Any, what: str) -> pd.DataFrame:
    if isinstance(data, pd.Series):
        return data.to_frame()
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame or Series"
                        f"{' or a Profile' if what == 'reference' else ''}, "
                        f"not {type(data).__name__}")
    if data.empty or len(data) == 0:
        raise ValueError(f"{what} has no rows: nothing to compare")
    return data


def score(reference: Profile, current: pd.DataFrame, options: Options,
          columns: list[str] | None = None, reference_data: Any = None) -> DriftReport:
    """Compare ``current`` with the profiled reference, column by column."""
    current_data, current = current, _frame(current, "current")
    names = [str(c) for c in current.columns]
    wanted = columns or sorted(set(reference.columns) | set(names), key=_order(reference, names))
    unknown = [c for c in wanted if c not in reference.columns and c not in names]
    if unknown:
        raise ValueError(f"columns not in either frame: {', '.join(map(str, unknown))}")
    if not set(reference.columns) & set(names):
        raise ValueError("reference and current share no column: are they the same dataset?")
    by_name = {str(c): current[c] for c in current.columns}
    rows = [_score_column(reference.columns.get(c), by_name.get(c), c, options) for c in wanted]
    _verdicts(rows, options)
    reference_source = reference.fingerprint or (
        later(reference_data) if reference_data is not None else None)
    return DriftReport(
        rows, options.share, "evidently" if options.evidently_compatible else "ks+chi2/bh",
        n_reference=reference.rows, n_current=len(current), reference_source=reference_source,
        current_source=later(current_data), reference_name=reference.name,
        options={k: getattr(options, k) for k in Options.__dataclass_fields__})


def _order(reference: Profile, names: list[str]) -> Any:
    position = {n: i for i, n in enumerate([*reference.columns, *names])}
    return lambda c: position[c]


def _row(column: str, kind: str, **values: Any) -> dict[str, Any]:
    return {"column": column, "kind": kind, "drifted": False, "missing_drifted": False,
            **values}


def _score_column(ref: ColumnProfile | None, cur: pd.Series | None, name: str,
                  options: Options) -> dict[str, Any]:
    if ref is None:
        return _row(name, "skipped", skipped="only in current")
    if cur is None:
        return _row(name, "skipped", skipped="only in reference")
    if ref.kind == "skipped":
        return _row(name, "skipped", skipped=f"reference: {ref.reason}")
    if ref.kind == "numeric" and not is_numeric(cur):
        return _row(name, "skipped", skipped=f"numeric in reference, {cur.dtype} in current; "
                                             f"cast it")
    values: np.ndarray | None = None
    counts: dict[str, int] = {}
    if ref.kind == "numeric":
        values = numeric_values(cur)
        present = values.size
    else:
        counts = category_counts(cur)
        present = sum(counts.values())
    if not present:
        return _row(name, "skipped", skipped="current: all values are missing")
    n_cur = int(cur.size)
    missing = {"missing_reference": ref.missing / ref.n if ref.n else np.nan,
               "missing_current": (n_cur - present) / n_cur,
               "_missing_p": st.two_proportions(ref.missing, ref.n, n_cur - present, n_cur)}
    if values is not None:
        return {**_numeric(ref, values, options), **missing, "column": name}
    return {**_categorical(ref, counts, options), **missing, "column": name}


def _numeric(ref: ColumnProfile, cur: np.ndarray, options: Options) -> dict[str, Any]:
    n_ref = ref.n - ref.missing
    if ref.exact:
        ks, wd = st.ks_wasserstein(ref.values, cur)
        p = st.ks_pvalue(ks, n_ref, cur.size, ref.values, cur)
    else:
        ks, wd = st.sketch_ks_wasserstein(ref.levels, ref.values, cur)
        p = st.ks_pvalue_limit(ks, n_ref, cur.size)
    cur_js = st.bin_proportions(ref.js_edges, cur)
    row = _row("", "numeric", statistic=ks, p_value=p,
               psi=st.psi(ref.psi_props, st.bin_proportions(ref.psi_edges, cur)),
               js=st.js_distance(ref.js_props, cur_js),
               _hist={"edges": ref.js_edges.tolist(), "reference": ref.js_props.tolist(),
                      "current": cur_js.tolist()})
    if options.evidently_compatible:
        if n_ref <= EVIDENTLY_SMALL:
            return {**row, "method": "ks", "effect": p, "effect_name": "p_value",
                    "threshold": 0.05, "_evidently": p <= 0.05}
        effect = wd / max(ref.std, 0.001)
        return {**row, "method": "wasserstein", "effect": effect, "effect_name": "wasserstein/std",
                "threshold": 0.1, "_evidently": effect >= 0.1}
    effects = {"wasserstein": wd / ref.std if ref.std > 0 else (0.0 if wd == 0 else np.inf),
               "psi": row["psi"], "js": row["js"], "ks": ks}
    names = {"wasserstein": "wasserstein/std", "psi": "psi", "js": "jensen-shannon", "ks": "ks"}
    return {**row, "method": "ks", "effect": effects[options.numeric_effect],
            "effect_name": names[options.numeric_effect], "threshold": options.numeric_threshold}


def _categorical(ref: ColumnProfile, cur_counts: dict[str, int], options: Options
                 ) -> dict[str, Any]:
    categories = sorted(set(ref.counts) | set(cur_counts))
    r = np.array([ref.counts.get(c, 0) for c in categories], dtype=float)
    c = np.array([cur_counts.get(k, 0) for k in categories], dtype=float)
    rp, cp = r / r.sum(), c / c.sum()
    chi2, p = st.chi2_homogeneity(r, c)
    row = _row("", "categorical", statistic=chi2, p_value=p, psi=st.psi(rp, cp),
               js=st.js_distance(rp, cp), tvd=float(np.abs(rp - cp).sum() / 2),
               new_categories=[k for k in categories if k not in ref.counts],
               vanished_categories=[k for k in categories if k not in cur_counts],
               _hist={"categories": categories, "reference": rp.tolist(),
                      "current": cp.tolist()})
    if options.evidently_compatible:
        return {**row, **_evidently_categorical(r, c, ref.n - ref.missing)}
    names = {"js": "jensen-shannon", "psi": "psi", "tvd": "total variation"}
    return {**row, "method": "chi2", "effect": row[options.categorical_effect],
            "effect_name": names[options.categorical_effect],
            "threshold": options.categorical_threshold}


def _evidently_categorical(r: np.ndarray, c: np.ndarray, n_ref: int) -> dict[str, Any]:
    """Evidently's choice: z-test (binary) or chi-square goodness of fit when small, else JS
    in natural log on frequencies floored at 1e-4."""
    if n_ref > EVIDENTLY_SMALL:
        rp, cp = (np.maximum(v / v.sum(), st.PSI_EPSILON) for v in (r, c))
        js = st.js_distance(rp, cp, base=math.e)
        return {"method": "jensenshannon", "effect": js, "effect_name": "jensen-shannon (ln)",
                "threshold": 0.1, "_evidently": js >= 0.1}
    if r.size == 2:
        p = st.two_proportions(int(r[0]), int(r.sum()), int(c[0]), int(c.sum()))
        method = "z"
    else:
        expected = r / r.sum() * c.sum()
        keep = expected > 0
        p = float(stats.chisquare(c[keep], expected[keep] * c[keep].sum() / expected[keep].sum()
                                  ).pvalue) if keep.sum() > 1 else 1.0
        method = "chisquare"
    return {"method": method, "effect": p, "effect_name": "p_value", "threshold": 0.05,
            "_evidently": p < 0.05}


def _verdicts(rows: list[dict[str, Any]], options: Options) -> None:
    """Adjust p-values across the compared columns and decide each column."""
    compared = [r for r in rows if not r.get("skipped")]
    for key, out in (("p_value", "p_adjusted"), ("_missing_p", "_missing_adjusted")):
        raw = np.array([r[key] for r in compared], dtype=float)
        adjusted = st.benjamini_hochberg(raw) if options.correction == "bh" else raw
        for r, a in zip(compared, adjusted, strict=True):
            r[out] = float(a)
    for r in compared:
        if options.evidently_compatible:
            r["drifted"] = bool(r.pop("_evidently"))
        else:
            r["drifted"] = bool(r["p_adjusted"] <= options.alpha
                                and r["effect"] >= r["threshold"])
        r["missing_drifted"] = bool(
            r.pop("_missing_adjusted") <= options.alpha
            and abs(r["missing_current"] - r["missing_reference"]) >= options.missing_threshold)
        r.pop("_missing_p")


def drift(
    reference: Any,
    current: Any,
    *,
    columns: list[str] | None = None,
    alpha: float = 0.05,
    numeric_threshold: float = 0.1,
    categorical_threshold: float = 0.1,
    missing_threshold: float = 0.05,
    share: float = 0.5,
    correction: str | None = "bh",
    evidently_compatible: bool = False,
    numeric_effect: str = "wasserstein",
    categorical_effect: str = "js",
    max_unique: int = CATEGORICAL_MAX_UNIQUE,
    model: str | None = None,
    save: bool = True,
) -> DriftReport:
    """Compare ``current`` with ``reference`` (a DataFrame, a Profile, or a stored profile's
    name) and, unless ``save=False``, record the report in the store.

    A column drifts when its test's (BH-adjusted) p-value is at most ``alpha`` and its
    effect size (``numeric_effect``: wasserstein [/std], psi, js, ks; ``categorical_effect``:
    js, psi, tvd) reaches its threshold. ``model="churn@champion"`` links the report to the
    model it monitors.
    """
    if correction not in ("bh", None):
        raise ValueError(f"correction must be 'bh' or None, not {correction!r}")
    if numeric_effect not in NUMERIC_EFFECTS:
        raise ValueError(f"numeric_effect must be one of {', '.join(NUMERIC_EFFECTS)}")
    if categorical_effect not in CATEGORICAL_EFFECTS:
        raise ValueError(f"categorical_effect must be one of {', '.join(CATEGORICAL_EFFECTS)}")
    options = Options(alpha, numeric_threshold, categorical_threshold, missing_threshold,
                      share, None if evidently_compatible else correction,
                      evidently_compatible,  # Evidently corrects nothing
                      numeric_effect, categorical_effect)
    reference_data = None
    if isinstance(reference, str):
        from .records import load_profile

        reference = load_profile(reference)
    elif not isinstance(reference, Profile):
        reference_data = reference
        reference = build_profile(_frame(reference, "reference"), max_unique=max_unique,
                                  fingerprint=False)
    report = score(reference, current, options, columns, reference_data)
    report.model = model
    if save:
        from .records import save_report

        save_report(report)
    return report
