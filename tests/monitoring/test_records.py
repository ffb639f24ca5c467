"""Profiles and reports through the store, the magic and the CLI."""

import numpy as np
import pandas as pd
import pytest

import jupyter_mlops as mlops
from jupyter_mlops.exceptions import StoreError
from jupyter_mlops.store import queries
from tests.conftest import cli


def _frames(seed=0, shift=0.0, n=2000):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.normal(shift, 1, n), "y": rng.normal(0, 1, n),
                         "c": rng.choice(list("abc"), n)})


def test_stored_profile_scores_without_the_reference(store, tracker):
    ref = _frames()
    stored = mlops.profile(ref, name="train")
    report = mlops.drift("train", _frames(1, shift=1.0), model="churn@champion")
    assert report.drifted_columns == ["x"]
    assert report.reference == stored.fingerprint
    reports = queries.drift_reports(store)
    assert reports.loc[0, "id"] == report.id and reports.loc[0, "model"] == "churn@champion"
    columns = queries.drift_columns(store, report.id[:10]).set_index("column_name")
    assert bool(columns.loc["x", "drifted"]) and not bool(columns.loc["y", "drifted"])
    with pytest.raises(StoreError, match="no stored profile named 'nope'"):
        mlops.drift("nope", ref)


def test_report_lineage_reaches_data_and_model(store, tracker):
    import duckdb

    report = mlops.drift(_frames(), _frames(2), model="churn@3")
    queries.drift_reports(store)  # ingests
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        edges = con.execute("SELECT src_kind, src_id, name FROM lineage_edges "
                            "WHERE dst_kind = 'drift_report' AND dst_id = ?",
                            [report.id]).fetchall()
    assert sorted(edges) == sorted([("dataset", report.reference, "reference"),
                                    ("dataset", report.current, "current"),
                                    ("model_version", "churn@3", "model")])


def test_html_repr_is_small_and_says_the_verdict(tracker):
    report = mlops.drift(_frames(), _frames(3, shift=1.0), save=False)
    html = report._repr_html_()
    assert "1 of 3 columns drifted" in html and len(html) < 20_000


def test_magic(store, tracker):
    from tests.conftest import ipython

    ip = ipython()
    ip.run_line_magic("load_ext", "jupyter_mlops")
    try:
        ip.user_ns.update(ref=_frames(), cur=_frames(4, shift=1.0))
        report = ip.run_line_magic("mlops", "drift ref cur")
        assert report.drifted_columns == ["x"]
    finally:
        ip.run_line_magic("unload_ext", "jupyter_mlops")


def test_cli_gates_on_dataset_drift(store, tmp_path):
    import duckdb

    _frames().to_csv(tmp_path / "ref.csv", index=False)
    _frames(5).to_csv(tmp_path / "same.csv", index=False)
    shifted = _frames(6, shift=1.0).assign(y=lambda d: d.y * 3)
    con = duckdb.connect()
    con.register("shifted", shifted)
    con.execute(f"COPY shifted TO '{tmp_path / 'cur.parquet'}' (FORMAT parquet)")
    con.close()
    calm = cli("drift", str(tmp_path / "ref.csv"), str(tmp_path / "same.csv"))
    assert calm.returncode == 0, calm.stderr
    assert "no dataset drift" in calm.stdout
    drifted = cli("drift", str(tmp_path / "ref.csv"), str(tmp_path / "cur.parquet"))
    assert drifted.returncode == 1, drifted.stderr
    assert "DRIFT: 2 of 3 columns drifted" in drifted.stdout
    listed = cli("drift-reports")
    assert listed.stdout.count("\n") >= 3  # header + 2 reports
    bad = cli("drift", "no-such-profile", str(tmp_path / "same.csv"))
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "jupyter-mlops: error: no stored profile named 'no-such-profile'. Create one with "
        "mlops.profile(reference_df, name='no-such-profile')."]
