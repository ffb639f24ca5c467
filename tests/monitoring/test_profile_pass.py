"""The streaming pass of an out-of-core profile: what it keeps equals numpy's answer on the
whole column, however the rows are cut into batches, with NaN and infinite values."""

import sys

import duckdb
import numpy as np
import pandas as pd
import pytest

from jupyter_mlops.monitoring import profile_scale
from jupyter_mlops.monitoring.profile_pass import BINS, ColumnPass
from jupyter_mlops.monitoring.profiles import TAIL_VALUES, build_profile
from jupyter_mlops.store.queries import profile_scan as scan
from tests.monitoring.test_profile_merge import frame


def column():
    rng = np.random.default_rng(3)
    x = np.r_[rng.standard_cauchy(50_000), [np.nan] * 100, [np.inf] * 3, [-np.inf] * 2]
    rng.shuffle(x)
    return x


@pytest.mark.parametrize("batch", [1000, 7777, 100_000])
def test_batches_add_up_to_the_whole_column(batch):
    x = column()
    finite = x[np.isfinite(x)]
    one = ColumnPass(float(finite.min()), float(finite.max()))
    for i in range(0, x.size, batch):
        one.add(x[i:i + batch])
    present = np.sort(x[~np.isnan(x)])
    assert one.present == present.size
    assert np.isnan(one.mean) and np.isnan(one.std)  # -inf and inf: as numpy says
    np.testing.assert_array_equal(one.low, present[:TAIL_VALUES])
    np.testing.assert_array_equal(one.high, present[-TAIL_VALUES:])
    bins = one.bins()
    assert bins[:, 1].sum() == finite.size and bins[:, 0].max() == BINS - 1
    assert (bins[:, 2] >= finite.min()).all() and (bins[:, 3] <= finite.max()).all()


def test_moments_merge_exactly_across_batches():
    x = 1e6 + np.random.default_rng(4).normal(0, 1e-3, 100_000)
    one = ColumnPass(float(x.min()), float(x.max()))
    for i in range(0, x.size, 3000):
        one.add(x[i:i + 3000])
    assert one.mean == pytest.approx(x.mean(), rel=1e-15)
    assert one.std == pytest.approx(x.std(), rel=1e-9)


def test_a_relation_without_statistics_profiles_as_its_parquet_file(tmp_path):
    """A relation has no footers to give the ranges: its own min/max pass gives the same."""
    df = frame(30_000)
    df.loc[::11, "heavy"] = np.inf
    con = duckdb.connect()
    con.register("df", df)
    con.execute(f"COPY df TO '{tmp_path / 'f.parquet'}' (FORMAT parquet)")
    by_file = profile_scale.profile_parquet(tmp_path / "f.parquet")
    by_relation = profile_scale.profile_relation(con.sql("SELECT * FROM df"))
    for name, found in by_file.columns.items():
        again = by_relation.columns[name]
        assert (found.kind, found.missing, found.counts) == (again.kind, again.missing,
                                                              again.counts), name
        np.testing.assert_array_equal(found.values, again.values)
    assert by_file.columns["heavy"].values[-1] == np.inf


def test_without_the_extra_one_line_names_it(tmp_path, monkeypatch):
    con = duckdb.connect()
    con.execute(f"COPY (SELECT range AS x FROM range(100)) TO '{tmp_path / 'f.parquet'}'")
    monkeypatch.setitem(sys.modules, "fast_histogram", None)  # as if not installed
    needs = r"needs fast-histogram: pip install 'jupyter-mlops\[profile\]'"
    with pytest.raises(ImportError, match=needs):
        profile_scale.profile_parquet(tmp_path / "f.parquet")


def test_a_slice_narrow_against_the_range_keeps_its_variance():
    """One far value makes the others' bin positions nearly equal: the one-pass variance of
    those positions would be all rounding, so the slice is centred first."""
    x = np.r_[5 + np.random.default_rng(6).normal(0, 1e-4, 200_000), 1e9]
    one = ColumnPass(float(x.min()), float(x.max()))
    one.add(x)
    assert one.std == pytest.approx(x.std(), rel=1e-9)
    assert one.mean == pytest.approx(x.mean(), rel=1e-12)


def test_a_column_of_only_infinities_is_counted_as_in_memory(tmp_path):
    """No finite value, so no range to bin: its infinities are categories, as the in-memory
    pass (few distinct values) makes them, and its NaN are missing."""
    df = pd.DataFrame({"x": [np.inf, -np.inf, np.inf, np.nan] * 50, "y": np.arange(200.0)})
    path = tmp_path / "f.parquet"
    df.to_parquet(path)
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * REPLACE (coalesce(x, 'NaN'::DOUBLE) AS x) FROM '{path}') "
                f"TO '{tmp_path / 'nan.parquet'}'")  # NaN kept as NaN, not null
    memory = build_profile(df, fingerprint=False).columns["x"]
    for found in (profile_scale.profile_parquet(path), profile_scale.profile_parquet(
            tmp_path / "nan.parquet")):
        x = found.columns["x"]
        assert (x.kind, x.counts, x.missing) == ("categorical", {"inf": 100, "-inf": 50}, 50)
        assert (x.kind, x.counts, x.missing) == (memory.kind, memory.counts, memory.missing)


def test_bins_hold_the_rows_the_refining_sql_counts_in_them():
    """A refinement re-counts a bin's rows in SQL: the pass must put every value, those on
    a bin's edge and the maximum included, in the bin the SQL puts it in."""
    lo, hi = -3.0, 7.0
    edges = lo + np.arange(0, BINS, 997) * ((hi - lo) / BINS)
    x = np.r_[np.random.default_rng(9).uniform(lo, hi, 50_000), edges, np.nextafter(edges, hi),
              np.nextafter(edges, lo)[1:], [lo, hi, hi, np.nan]]
    one = ColumnPass(lo, hi)
    one.add(x)
    con = duckdb.connect()
    con.register("df", pd.DataFrame({"x": x}))
    sql = scan.histogram(con.sql("SELECT * FROM df"), "x", lo, hi, [BINS])
    found = one.bins()
    np.testing.assert_array_equal(found[:, :2], np.array(sorted(sql))[:, :2])
    assert found[-1, 0] == BINS - 1 and found[-1, 1] >= 2  # hi, twice, in the last bin


def test_a_constant_column_is_one_bin():
    one = ColumnPass(2.5, 2.5)
    one.add(np.r_[np.full(70_000, 2.5), np.nan])
    assert one.bins()[:, :2].tolist() == [[0, 70_000]]
    assert (one.present, one.mean, one.std) == (70_000, 2.5, 0.0)
