"""Profiles out of core (Parquet through DuckDB) and per Dask partition: the same profile
as the in-memory pass within each column's documented KS error."""

import duckdb
import numpy as np
import pandas as pd
import pytest

import jupyter_mlops as mlops
from jupyter_mlops.monitoring import profile_scale
from jupyter_mlops.monitoring import statistics as st
from jupyter_mlops.monitoring.profiles import SKETCH_ERROR, build_profile
from tests.monitoring.test_profile_merge import frame


def write_parquet(df, folder, parts=3):
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    size = -(-len(df) // parts)
    for i in range(parts):
        con.register("part", df.iloc[i * size:(i + 1) * size])
        con.execute(f"COPY part TO '{folder / f'part-{i}.parquet'}' (FORMAT parquet)")
    con.close()
    return folder


def assert_close(found, single, current):
    """Counts exact, numeric CDFs within their error: as drift sees them."""
    assert found.rows == single.rows
    for name, exact in single.columns.items():
        column = found.columns[name]
        assert (column.kind, column.n, column.missing) == (exact.kind, exact.n, exact.missing)
        if exact.kind == "categorical":
            assert column.counts == exact.counts, name
        elif exact.kind == "numeric" and name in current:
            cur = np.sort(current[name].dropna().to_numpy(float))
            ks, _ = st.ks_wasserstein(exact.values, cur)
            sketched, _ = st.sketch_ks_wasserstein(column.levels, column.values, cur)
            assert abs(sketched - ks) <= column.error <= 2 * SKETCH_ERROR, name
            assert column.mean == pytest.approx(exact.mean, rel=1e-9, abs=1e-12)


def test_parquet_folder_out_of_core_matches_the_pandas_profile(tmp_path):
    df = frame(200_000)
    df["flag"] = df["norm"] > 0.5
    df["clustered"] = 1e6 + np.random.default_rng(2).normal(0, 1e-3, len(df))
    df["when"] = pd.Timestamp("2026-01-01")
    df["empty"] = np.nan
    folder = write_parquet(df, tmp_path / "data")
    found = profile_scale.profile_parquet(folder)
    assert_close(found, build_profile(df, fingerprint=False), frame(20_000, seed=5))
    assert found.columns["when"].kind == "skipped"
    assert found.columns["empty"].reason == "all values are missing"
    assert found.fingerprint == profile_scale.profile_parquet(folder).fingerprint


def test_every_counted_column_in_one_scan_counts_as_in_memory(tmp_path):
    """Text, boolean and infinite-only columns share one GROUPING SETS scan: each keeps its
    own values and leaves its own nulls out, as the in-memory pass counts them."""
    n = 3000
    rng = np.random.default_rng(8)
    df = pd.DataFrame({"a": rng.choice(["x", "y", None], n), "b": rng.choice(["x", "z"], n),
                       "flag": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
                       "inf": rng.choice([np.inf, -np.inf, np.nan], n),
                       "num": rng.normal(size=n)})
    df.loc[::5, "b"] = None
    found = profile_scale.profile_parquet(write_parquet(df, tmp_path / "data"))
    exact = build_profile(df, fingerprint=False)
    for name in ("a", "b", "flag", "inf"):
        column, expected = found.columns[name], exact.columns[name]
        assert column.counts == expected.counts and column.counts, name
        assert column.missing == expected.missing, name


def test_a_duckdb_relation_and_a_small_file_stay_exact(tmp_path):
    df = frame(2000)
    con = duckdb.connect()
    con.register("df", df)
    found = mlops.profile(con.sql("SELECT * FROM df"), save=False)
    assert found.columns["heavy"].exact
    np.testing.assert_array_equal(found.columns["heavy"].values, np.sort(df["heavy"]))


def test_dask_partitions_profiled_on_a_client_and_merged():
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    df = frame(120_000)
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2,
                            dashboard_address=None):
        found = profile_scale.profile_dask(dd.from_pandas(df, npartitions=4))
    assert_close(found, build_profile(df, fingerprint=False), frame(20_000, seed=6))
    local = mlops.profile(dd.from_pandas(df, npartitions=3), save=False)  # local scheduler
    assert local.rows == len(df) and local.columns["cat"].counts == found.columns["cat"].counts


def test_profile_takes_each_kind_and_drift_agrees(store, tracker, tmp_path):
    df = frame(150_000)
    folder = write_parquet(df, tmp_path / "ref")
    stored = mlops.profile(folder, name="big")
    assert stored.columns["norm"].error > 0
    current = frame(5000, seed=9)
    current["norm"] += 0.3
    by_file = mlops.drift("big", current, save=False)
    in_memory = mlops.drift(df, current, save=False)
    assert by_file.drifted_columns == in_memory.drifted_columns == ["norm"]
    rows = {r["column"]: r for r in by_file.rows}
    for r in in_memory.rows:
        if r["kind"] == "numeric":
            assert abs(rows[r["column"]]["statistic"] - r["statistic"]) <= 2 * SKETCH_ERROR


@pytest.mark.parametrize("bad, message", [
    ("nowhere", "does not exist: give a Parquet file or folder"),
    (42, "profile() takes a pandas DataFrame, a Parquet file or folder"),
])
def test_bad_input_gets_one_line(store, tracker, bad, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises((TypeError, FileNotFoundError), match=message.replace("(", r"\(")
                       .replace(")", r"\)")):
        mlops.profile(bad)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"no \.parquet files under"):
        mlops.profile(tmp_path / "empty")
