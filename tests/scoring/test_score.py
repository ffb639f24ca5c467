"""mlops.score on real files and a real store: chunked scoring equals the model's own
predict, every bad batch gets one clear error, shadows and canaries keep their predictions,
and lineage runs input -> batch -> output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import jupyter_mlops as mlops
from jupyter_mlops.exceptions import (
    BadReference,
    GateRefused,
    ScoringError,
    SignatureMismatch,
    VersionRetired,
)
from jupyter_mlops.store import db
from jupyter_mlops.store.queries.scoring import score_batches

from .conftest import frame


def test_chunked_scoring_equals_in_memory_predict(store, churn, batch, tmp_path):
    df, path = batch
    done = mlops.score("churn@champion", path, tmp_path / "out.parquet", chunk_rows=333,
                       keep=["id"])
    assert (done.rows, done.chunks) == (2500, 9)  # more rows than one chunk holds (the first
    # a quarter of one, so the model starts while the next is read)
    out = pd.read_parquet(tmp_path / "out.parquet")
    expected = churn[0].predict(df.drop(columns="id"))
    assert out["id"].tolist() == df["id"].tolist()
    assert np.array_equal(out["prediction"].to_numpy(), expected)
    assert list(out.columns) == ["id", "prediction"]


def test_csv_in_and_out(store, churn, batch, tmp_path):
    df, _ = batch
    df.to_csv(tmp_path / "in.csv", index=False)
    done = mlops.score("churn:1", tmp_path / "in.csv", tmp_path / "out.csv", chunk_rows=1000,
                       keep=["id"])
    out = pd.read_csv(tmp_path / "out.csv")
    assert done.rows == 2500 and done.chunks >= 2
    assert np.array_equal(out["prediction"].to_numpy(),
                          churn[0].predict(df.drop(columns="id")))


def test_lineage_reaches_the_output_from_the_input_and_the_version(store, churn, batch,
                                                                   tmp_path):
    _, path = batch
    done = mlops.score("churn@champion", path, tmp_path / "out.parquet", keep=["id"])
    found = mlops.lineage.descendants("churn:1")
    assert ("score_batch", done.batch_id) in set(zip(found.kind, found.id, strict=True))
    row = score_batches(store).iloc[0]
    assert row.batch_id == done.batch_id and row.rows == 2500
    below = mlops.lineage.descendants(("dataset", row.input_fingerprint))
    assert ("dataset", row.output_fingerprint) in set(zip(below.kind, below.id, strict=True))


@pytest.mark.parametrize("change, expected", [
    (lambda df: df.drop(columns=["b"]), r"missing column\(s\) b: "),
    (lambda df: df.assign(a=df.a.astype(str)),
     r"wrong dtype: a is string \(.*string\), expected float64"),
])
def test_a_batch_that_does_not_fit_is_refused_before_anything_is_written(
        store, churn, tmp_path, change, expected):
    change(frame(100)).to_parquet(tmp_path / "bad.parquet")
    with pytest.raises(SignatureMismatch, match=expected):
        mlops.score("churn@champion", tmp_path / "bad.parquet", tmp_path / "out.parquet",
                    keep=["id"])
    assert not list(tmp_path.glob("*out.parquet*"))


def test_extra_columns_and_new_categories_warn_or_refuse_when_strict(store, churn, tmp_path):
    df = frame(100).assign(plan="team", extra=1.0)
    df.to_parquet(tmp_path / "new.parquet")
    with pytest.warns(UserWarning) as seen:
        done = mlops.score("churn@champion", tmp_path / "new.parquet", tmp_path / "out.parquet",
                           keep=["id"])
    lines = [str(w.message) for w in seen]
    assert any("extra column(s) extra" in line for line in lines)
    assert any("unseen categories: plan: team" in line for line in lines)
    assert done.rows == 100
    with pytest.raises(SignatureMismatch, match=r"extra column\(s\) extra"):
        mlops.score("churn@champion", tmp_path / "new.parquet", tmp_path / "o2.parquet",
                    keep=["id"], strict=True)
    with pytest.raises(SignatureMismatch, match="unseen categories: plan: team"):
        mlops.score("churn@champion", tmp_path / "new.parquet", tmp_path / "o3.parquet",
                    keep=["id", "extra"], strict=True)


def test_empty_and_all_null_batches_get_a_clear_verdict(store, churn, tmp_path):
    frame(10).iloc[:0].to_parquet(tmp_path / "empty.parquet")
    with pytest.raises(ScoringError, match="has no rows: nothing to score"):
        mlops.score("churn@champion", tmp_path / "empty.parquet", tmp_path / "o.parquet",
                    keep=["id"])
    nulls = frame(50).assign(a=np.nan)
    nulls.to_parquet(tmp_path / "nulls.parquet")
    with pytest.raises(ScoringError, match=r"churn:1 failed on rows 0-49 \(all null here: a\): "
                                           r"ValueError"):
        mlops.score("churn@champion", tmp_path / "nulls.parquet", tmp_path / "o.parquet",
                    keep=["id"])
    assert not (tmp_path / "o.parquet").exists()


def test_bad_file_names_are_one_line(store, churn, batch, tmp_path):
    _, path = batch
    with pytest.raises(ScoringError, match=r"give a \.parquet or \.csv file"):
        mlops.score("churn@champion", path, tmp_path / "out.json")
    with pytest.raises(ScoringError, match="is not a file"):
        mlops.score("churn@champion", tmp_path / "nope.parquet", tmp_path / "o.parquet")
    (tmp_path / "junk.parquet").write_bytes(b"not parquet")
    with pytest.raises(ScoringError, match="cannot read input"):
        mlops.score("churn@champion", tmp_path / "junk.parquet", tmp_path / "o.parquet")


def test_shadow_predictions_are_stored_and_labels_give_metrics_per_version(
        store, churn, batch, tmp_path):
    df, path = batch
    done = mlops.score("churn@champion", path, tmp_path / "out.parquet", shadow=["churn:2"],
                       chunk_rows=1000, keep=["id"])
    assert [(v["version"], v["role"], v["rows"]) for v in done.versions] == [
        (1, "champion", 2500), (2, "shadow", 2500)]
    kept = pd.read_parquet(store.root / done.versions[1]["predictions"])
    assert np.array_equal(kept["prediction"].to_numpy(), churn[1].predict(df.drop(columns="id")))
    labels = ((df.a + (df.plan == "pro")) > 0.5).astype(int)
    metrics = mlops.label(done.batch_id, labels).set_index("version")
    assert metrics.loc[1, "f1"] > metrics.loc[2, "f1"]  # the weak challenger loses
    assert metrics.loc[1, "accuracy"] == pytest.approx(
        (churn[0].predict(df.drop(columns="id")) == labels).mean())
    with pytest.raises(ScoringError, match=r"2499 labels for batch .* of 2500 rows"):
        mlops.label(done.batch_id, labels[1:])


def test_a_canary_serves_its_share_of_rows(store, churn, batch, tmp_path):
    df, path = batch
    done = mlops.score("churn@champion", path, tmp_path / "out.parquet", canary="churn:2:0.2",
                       keep=["id"])
    out = pd.read_parquet(tmp_path / "out.parquet")
    share = (out.version == "churn:2").mean()
    assert 0.15 < share < 0.25
    served = {v["role"]: v["rows"] for v in done.versions}
    assert served == {"champion": (out.version == "churn:1").sum(),
                      "canary": (out.version == "churn:2").sum()}
    weak = churn[1].predict(df.drop(columns="id"))
    routed = (out.version == "churn:2").to_numpy()
    assert np.array_equal(out.prediction.to_numpy()[routed], weak[routed])
    with pytest.raises(BadReference, match="fraction must be between 0 and 1"):
        mlops.score("churn@champion", path, tmp_path / "o.parquet", canary="churn:2:1")


def _labeled_batches(path, tmp_path, df, count):
    for i in range(count):
        done = mlops.score("churn@champion", path, tmp_path / f"o{i}.parquet",
                           shadow=["churn:2"], keep=["id"])
        mlops.label(done.batch_id, ((df.a + (df.plan == "pro")) > 0.5).astype(int))


def test_history_gates_need_the_batches_and_refuse_a_loser(store, churn, batch, tmp_path):
    df, path = batch
    gate = {"f1": "> champion on last 2 batches"}
    with pytest.raises(GateRefused, match=r"needs f1 of churn:2 and churn:1 on the last 2 labeled "
                                        r"batch.* there are 0 so far"):
        mlops.promote("churn", 2, gate=gate)
    _labeled_batches(path, tmp_path, df, 2)
    # churn:2's recorded f1 (0.95) beats the champion's 0.9, its realized f1 does not
    assert mlops.promote("churn", 2, "staging", gate={"f1": "> champion"}).version == 2
    with pytest.raises(GateRefused, match=r"on batch .*, f1 = .* is not > champion's"):
        mlops.promote("churn", 2, gate=gate)
    assert mlops.promote("churn", 2, gate={"f1": "> champion - 0.5 on last 2 batches"}
                         ).aliases == ["champion", "staging"]


def test_a_retired_version_is_refused_by_alias_and_kept_for_audit(store, churn, batch,
                                                                  tmp_path):
    _, path = batch
    retired = mlops.retire("churn:1", reason="superseded")
    assert retired.retired is not None
    with pytest.raises(VersionRetired, match="churn@champion points at churn:1, which is "
                                             "retired"):
        mlops.load_model("churn@champion")
    with pytest.raises(VersionRetired, match="churn@champion points at churn:1"):
        mlops.score("churn@champion", path, tmp_path / "o.parquet", keep=["id"])
    with pytest.raises(VersionRetired, match="cannot be promoted"):
        mlops.promote("churn", 1, "staging")
    with pytest.warns(UserWarning, match="churn:1 is retired"):
        assert mlops.load_model("churn:1") is not None
    assert mlops.load_model("churn").steps  # the latest not retired: churn:2
    assert mlops.models().set_index("version").loc[1, "retired"] is not pd.NaT
    with db.connect(store, write=False) as con:
        assert db.run(con, "SELECT reason FROM retired_versions") == [("superseded",)]
