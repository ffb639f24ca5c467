"""Two-sample statistics on sorted arrays and count vectors (numpy/scipy only).

Numeric columns are sorted once; one merge of the two sorted samples gives both empirical
CDFs, from which the KS statistic and the Wasserstein distance follow in O(n). p-values
match ``scipy.stats.ks_2samp``: exact below 10,000 observations per side, asymptotic above.
scipy is imported where a p-value needs it: its import (about 0.7 s) is not paid by a
profile, which only takes quantiles and bin shares from here.
"""

from __future__ import annotations

import numpy as np

#: Beyond this many observations per side scipy's "auto" switches to the asymptotic p-value.
KS_EXACT_MAX = 10_000
#: PSI's floor for empty bins (the usual convention; Evidently uses the same).
PSI_EPSILON = 1e-4


def ks_wasserstein(ref_sorted: np.ndarray, cur_sorted: np.ndarray) -> tuple[float, float]:
    """(KS statistic, Wasserstein-1 distance) of two sorted samples, exact, in one merge.

    Both CDFs are running counts along the merged order, so their gap at merged position
    k is |(k + 1 - c) / n - c / m| with c the current values seen so far. Between tied
    values the merged step is zero (no Wasserstein mass), and KS is read only at the last
    of each run of ties, where both CDFs are complete. The arithmetic runs in place: at
    200k rows a side every extra pass over the merged array costs about a millisecond.
    """
    n, m = ref_sorted.size, cur_sorted.size
    merged, from_cur = merge_sorted(ref_sorted, cur_sorted)
    seen = np.cumsum(from_cur, dtype=np.int32)  # c; int32: a SIMD cumsum, 10x a float one
    gap = np.arange(1.0, n + m + 1)
    gap -= seen
    gap /= n
    gap -= seen / m  # in this order equal CDFs give exactly 0, not a rounding residue
    np.abs(gap, out=gap)
    step = np.diff(merged)
    ks = max(float(np.max(gap[:-1], where=step != 0, initial=0.0)), float(gap[-1]))
    step *= gap[:-1]  # not np.dot: BLAS threads would spin for a millisecond of work
    return ks, float(step.sum())


def merge_sorted(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge two sorted arrays in O(n) (one searchsorted and a scatter, no sort; measured
    faster than a stable argsort of the concatenation); also returns which merged elements
    came from ``b``. Ties keep ``a`` first."""
    at = np.searchsorted(a, b, side="right") + np.arange(b.size)
    from_b = np.zeros(a.size + b.size, dtype=bool)
    from_b[at] = True
    merged = np.empty(a.size + b.size)
    merged[at] = b
    merged[~from_b] = a
    return merged, from_b


def ks_pvalue(statistic: float, n_ref: int, n_cur: int, ref: np.ndarray | None = None,
              cur: np.ndarray | None = None) -> float:
    """Two-sided KS p-value as scipy computes it (exact when both raw samples are small)."""
    from scipy import stats

    if ref is not None and cur is not None and max(n_ref, n_cur) <= KS_EXACT_MAX:
        return float(stats.ks_2samp(ref, cur, method="exact").pvalue)
    m, n = sorted([float(n_ref), float(n_cur)], reverse=True)
    return float(stats.kstwo.sf(statistic, np.round(m * n / (m + n))))


def ks_pvalue_limit(statistic: float, n_ref: int, n_cur: int) -> float:
    """KS p-value from the limiting Kolmogorov distribution: for a statistic that is itself
    approximate (a sketched reference), at a fraction of the finite-n distribution's cost."""
    from scipy import special

    return float(special.kolmogorov(statistic * np.sqrt(n_ref * n_cur / (n_ref + n_cur))))


def sketch_ks_wasserstein(levels: np.ndarray, quantiles: np.ndarray,
                          cur_sorted: np.ndarray) -> tuple[float, float]:
    """KS and Wasserstein of a sample against a reference known by its quantile function.

    The reference CDF is taken as linear between stored quantiles (a proper distribution),
    and both statistics are computed exactly for it: KS on both sides of every jump of the
    sample's step CDF, Wasserstein as the closed-form area between a line and a step on
    each interval between breakpoints. What remains is the sketch's own error: at most the
    level spacing for KS, and small in the tails because those are stored exactly.
    """
    merged, from_cur = merge_sorted(quantiles, cur_sorted)
    starts = np.flatnonzero(np.append(True, merged[1:] != merged[:-1]))  # runs of ties
    x = merged[starts]  # distinct breakpoints
    f_ref = np.interp(x, quantiles, levels, left=0.0, right=1.0)  # right-continuous
    # a value stored at several levels is an atom: the CDF jumps there, from its first level
    first = np.minimum(np.searchsorted(quantiles, x, side="left"), quantiles.size - 1)
    f_left = np.where(quantiles[first] == x, levels[first], f_ref)
    seen = np.cumsum(from_cur, dtype=np.int32)  # current values up to each merged position
    after = seen[np.append(starts[1:] - 1, merged.size - 1)] / cur_sorted.size  # F(x)
    before = (seen[starts] - from_cur[starts]) / cur_sorted.size  # F(x-)
    ks = float(max(np.abs(f_ref - after).max(), np.abs(f_left - before).max()))
    p, q = f_ref[:-1] - after[:-1], f_ref[1:] - after[:-1]  # line minus step, both ends
    a, b = np.abs(p), np.abs(q)
    crossing = p * q < 0
    area = np.where(crossing, (p * p + q * q) / (2 * np.where(crossing, a + b, 1.0)),
                    (a + b) / 2)
    return ks, float((area * np.diff(x)).sum())


def sorted_quantiles(sorted_values: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Linear-interpolated quantiles of already sorted values (``np.quantile`` would
    partition the data once per level)."""
    return np.interp(levels * (sorted_values.size - 1), np.arange(sorted_values.size),
                     sorted_values)


def psi(ref_props: np.ndarray, cur_props: np.ndarray, epsilon: float = PSI_EPSILON) -> float:
    """Population stability index of two bin-proportion vectors (empty bins floored)."""
    r = np.maximum(ref_props, epsilon)
    c = np.maximum(cur_props, epsilon)
    return float(np.sum((c - r) * np.log(c / r)))


def js_distance(ref_props: np.ndarray, cur_props: np.ndarray, base: float = 2.0) -> float:
    """Jensen-Shannon distance (base 2: between 0 and 1)."""
    from scipy.spatial.distance import jensenshannon

    if not ref_props.sum() or not cur_props.sum():
        return float("nan")
    return float(jensenshannon(ref_props, cur_props, base=base))


def bin_proportions(edges: np.ndarray, sorted_values: np.ndarray) -> np.ndarray:
    """Share of values in each bin; bins are (-inf, e1], (e1, e2], …, (ek, inf)."""
    counts = np.diff(np.searchsorted(sorted_values, edges, side="right"),
                     prepend=0, append=sorted_values.size)
    return counts / max(1, sorted_values.size)


def chi2_homogeneity(ref_counts: np.ndarray, cur_counts: np.ndarray) -> tuple[float, float]:
    """Chi-square test of homogeneity on the 2×k table (both samples random, unlike a
    goodness-of-fit test that takes the reference frequencies as exact)."""
    from scipy import special

    table = np.vstack([ref_counts, cur_counts]).astype(float)
    table = table[:, table.sum(axis=0) > 0]
    rows = table.sum(axis=1)
    if table.shape[1] < 2 or (rows == 0).any():
        return 0.0, 1.0
    # By hand: scipy's chi2_contingency costs ~0.7 ms of generic checks per call, and a
    # report makes one per column plus one per missing-value share.
    expected = np.outer(rows, table.sum(axis=0)) / rows.sum()
    statistic = float(((table - expected) ** 2 / expected).sum())
    return statistic, float(special.chdtrc(table.shape[1] - 1, statistic))


def two_proportions(k_ref: int, n_ref: int, k_cur: int, n_cur: int) -> float:
    """p-value of a change in a share (missing values, one category), chi-square 2×2."""
    if n_ref == 0 or n_cur == 0:
        return 1.0
    return chi2_homogeneity(np.array([k_ref, n_ref - k_ref]), np.array([k_cur, n_cur - k_cur]))[1]


def benjamini_hochberg(pvalues: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (NaN stays NaN)."""
    from scipy import stats

    out = np.full(pvalues.shape, np.nan)
    ok = ~np.isnan(pvalues)
    if ok.any():
        out[ok] = stats.false_discovery_control(pvalues[ok], method="bh")
    return out
