"""Our statistics against scipy's on the same arrays."""

import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from jupyter_mlops.monitoring import statistics as st

rng = np.random.default_rng(42)


@pytest.mark.parametrize("n, m", [(30, 45), (1000, 800), (5000, 5000), (40_000, 3_000)])
@pytest.mark.parametrize("rounded", [False, True])  # rounding creates ties
def test_ks_and_wasserstein_equal_scipy(n, m, rounded):
    a, b = rng.normal(0, 1, n), rng.normal(0.1, 1.2, m)
    if rounded:
        a, b = np.round(a, 1), np.round(b, 1)
    a, b = np.sort(a), np.sort(b)
    ks, wd = st.ks_wasserstein(a, b)
    expected = stats.ks_2samp(a, b)
    assert ks == pytest.approx(expected.statistic, abs=1e-12)
    assert wd == pytest.approx(stats.wasserstein_distance(a, b), abs=1e-9)
    assert st.ks_pvalue(ks, n, m, a, b) == pytest.approx(expected.pvalue, abs=1e-9)


def test_chi2_js_and_psi():
    r, c = np.array([50, 30, 20, 0]), np.array([40, 35, 15, 10])
    chi2, p = st.chi2_homogeneity(r, c)
    expected = stats.chi2_contingency(np.vstack([r, c]), correction=False)
    assert (chi2, p) == pytest.approx((expected.statistic, expected.pvalue), abs=1e-12)
    rp, cp = r / r.sum(), c / c.sum()
    assert st.js_distance(rp, cp) == pytest.approx(jensenshannon(rp, cp, base=2), abs=1e-12)
    eps = np.maximum(rp, 1e-4)
    assert st.psi(rp, cp) == pytest.approx(np.sum((cp - eps) * np.log(cp / eps)), abs=1e-12)
    assert st.chi2_homogeneity(np.array([10]), np.array([5])) == (0.0, 1.0)  # one category


def test_bin_proportions_and_bh():
    edges = np.array([1.0, 2.0])
    values = np.sort(np.array([0.5, 1.0, 1.5, 2.0, 2.5, 3.0]))
    assert st.bin_proportions(edges, values).tolist() == pytest.approx([2 / 6, 2 / 6, 2 / 6])
    p = np.array([0.01, 0.04, 0.03, np.nan, 0.5])
    adjusted = st.benjamini_hochberg(p)
    assert np.isnan(adjusted[3])
    assert adjusted[[0, 1, 2, 4]] == pytest.approx(
        stats.false_discovery_control(p[[0, 1, 2, 4]]))


def test_sorted_quantiles_equal_numpy():
    v = np.sort(rng.normal(size=1001))
    levels = np.linspace(0, 1, 37)
    assert st.sorted_quantiles(v, levels) == pytest.approx(np.quantile(v, levels), abs=1e-12)


@pytest.mark.parametrize("rounded", [False, True])  # ties in the batch and with the sketch
def test_sketch_statistics_equal_brute_force(rounded):
    levels = np.linspace(0, 1, 65)
    quantiles = np.quantile(rng.normal(size=5000), levels)
    cur = rng.normal(0.2, 1.1, 3000)
    if rounded:
        cur, quantiles = np.round(cur, 1), np.unique(np.round(quantiles, 1))
        levels = np.linspace(0, 1, quantiles.size)
    cur = np.sort(cur)
    ks, wd = st.sketch_ks_wasserstein(levels, quantiles, cur)
    x = np.unique(np.r_[quantiles, cur])
    f_ref = np.interp(x, quantiles, levels, left=0.0, right=1.0)
    f_after = np.array([(cur <= v).mean() for v in x])
    f_before = np.array([(cur < v).mean() for v in x])
    assert ks == pytest.approx(max(np.abs(f_ref - f_after).max(),
                                   np.abs(f_ref - f_before).max()), abs=1e-12)
    grid = np.linspace(x[0], x[-1], 400_001)
    gap = np.abs(np.interp(grid, quantiles, levels, left=0.0, right=1.0)
                 - np.searchsorted(cur, grid, side="right") / cur.size)
    assert wd == pytest.approx(np.sum((gap[1:] + gap[:-1]) / 2 * np.diff(grid)), abs=1e-4)
