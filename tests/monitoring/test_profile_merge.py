"""Merging partition profiles: the merged CDF stays within its documented KS error of the
single pass, so drift against it does too."""

import numpy as np
import pandas as pd
import pytest

from jupyter_mlops.monitoring import statistics as st
from jupyter_mlops.monitoring.profile_merge import merge
from jupyter_mlops.monitoring.profiles import SKETCH_ERROR, Profile, build_profile


def frame(n=240_000, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"norm": rng.normal(size=n), "heavy": rng.standard_cauchy(n),
                       "ints": rng.integers(0, 100, n), "few": rng.integers(0, 5, n),
                       "cat": rng.choice(list("abc"), n)})
    df.loc[::7, "norm"] = np.nan
    return df


def partitions(df, k):
    """Each partition's profile as it travels from a worker: sketched, through JSON form."""
    size = -(-len(df) // k)
    return [Profile.from_dict(build_profile(df.iloc[i:i + size], fingerprint=False).to_dict())
            for i in range(0, len(df), size)]


def test_merged_ks_within_the_bound_of_the_single_pass():
    df = frame()
    single = build_profile(df, fingerprint=False)
    merged = merge(partitions(df, 4))
    current = frame(30_000, seed=1)
    for name in ("norm", "heavy", "ints"):
        column = merged.columns[name]
        assert column.kind == "numeric" and not column.exact
        assert column.error == pytest.approx(2 * SKETCH_ERROR)  # partitions' + the merge's
        cur = np.sort(current[name].dropna().to_numpy(float))
        exact_ks, _ = st.ks_wasserstein(single.columns[name].values, cur)
        merged_ks, _ = st.sketch_ks_wasserstein(column.levels, column.values, cur)
        assert abs(merged_ks - exact_ks) <= column.error, name
        assert column.mean == pytest.approx(single.columns[name].mean, abs=1e-9)
        assert column.std == pytest.approx(single.columns[name].std, rel=1e-9)
        assert (column.n, column.missing) == (single.columns[name].n,
                                              single.columns[name].missing)
    for name in ("few", "cat"):
        assert merged.columns[name].counts == single.columns[name].counts
    assert merged.rows == single.rows


def test_tails_stay_exact_and_small_parts_merge_exactly():
    df = frame(3000)
    merged = merge([build_profile(df.iloc[:1000], fingerprint=False),
                    build_profile(df.iloc[1000:], fingerprint=False)])
    assert merged.columns["heavy"].exact  # exact parts: their union, still exact
    np.testing.assert_array_equal(merged.columns["heavy"].values, np.sort(df["heavy"]))
    big = frame(400_000, seed=3)
    tails = merge(partitions(big, 3)).columns["heavy"]
    exact, last = np.sort(big["heavy"]), len(big) - 1
    at = np.r_[np.arange(256), last - np.arange(256)] / last
    np.testing.assert_allclose(np.interp(at, tails.levels, tails.values),
                                  np.r_[exact[:256], exact[::-1][:256]], rtol=1e-12)


def test_a_column_numeric_in_one_part_and_few_valued_in_another():
    values = pd.DataFrame({"x": np.r_[np.arange(1000.0), np.zeros(500)]})
    parts = [build_profile(values.iloc[:1000], fingerprint=False),
             build_profile(values.iloc[1000:], fingerprint=False)]
    assert [p.columns["x"].kind for p in parts] == ["numeric", "categorical"]
    merged = merge(parts).columns["x"]
    assert merged.kind == "numeric" and merged.n == 1500
    np.testing.assert_array_equal(merged.values, np.sort(values["x"]))


def test_merging_needs_the_same_columns():
    a = build_profile(pd.DataFrame({"x": [1.0, 2.0]}), fingerprint=False)
    b = build_profile(pd.DataFrame({"y": [1.0, 2.0]}), fingerprint=False)
    with pytest.raises(ValueError, match="column 'x' is missing from some of the profiles"):
        merge([a, b])
    with pytest.raises(ValueError, match="at least one profile"):
        merge([])
