"""mlops.score checks the scored version's data contract on real files, chunk by chunk: the
file's verdict equals ``check`` on the whole file, is stored once per file under the batch's
id (one alert), and with ``strict`` stops the batch before anything is written."""

from __future__ import annotations

import numpy as np
import pytest

import jupyter_mlops as mlops
from jupyter_mlops.alerts import rules as alert_rules
from jupyter_mlops.exceptions import ScoringError, StoreError
from jupyter_mlops.monitoring import contracts
from jupyter_mlops.store import queries
from jupyter_mlops.store.queries.scoring import score_batches
from tests.conftest import cli

from .conftest import frame

CHUNK = 1000  # the 2,500-row batches below are three chunks


def rules(**bounds):
    return contracts.Contract(
        {"a": {"dtype": "numeric", "min": -10.0, "max": 10.0, "nullable": False},
         "plan": {"categories": ["basic", "pro"]}, "id": {"unique": True, "nullable": False}},
        name="churn-input", **bounds)


@pytest.fixture
def saved(churn):
    contracts.save(rules(max_rows=10_000), model="churn:1")
    return rules(max_rows=10_000)


def scored(tmp_path, df, **kwargs):
    df.to_parquet(tmp_path / "in.parquet")
    return mlops.score("churn@champion", tmp_path / "in.parquet", tmp_path / "out.parquet",
                       keep=["id"], chunk_rows=CHUNK, **kwargs)


def broken(verdict):
    return [(v.column, v.rule, v.observed) for v in verdict.violations]


def test_a_range_broken_in_the_second_chunk_is_one_check_and_one_alert(store, saved,
                                                                       tmp_path):
    df = frame(2500, seed=2)
    df.loc[1500, "a"] = 50.0
    df.loc[1700, "a"] = 40.0
    with pytest.warns(UserWarning, match=r"contract 'churn-input': 1 violation\(s\): a max"):
        done = scored(tmp_path, df)
    assert broken(done.contract) == [("a", "max", 50.0)] == broken(contracts.check(saved, df))
    assert done.rows == 2500 and (tmp_path / "out.parquet").exists()
    checks = queries.contract_checks(store)
    assert list(checks["id"]) == [done.batch_id] == [done.contract.id]
    assert list(checks["model"]) == ["churn:1"] and not checks.loc[0, "ok"]
    sources = queries.alert_outbox(store, since=0, recent_since=0)["sources"]
    violated = [s for s in sources if s["kind"] == "contract_violated"]
    assert len(violated) == 1
    assert alert_rules._title_text(violated[0])[1] == "a: max"


def test_new_categories_nulls_and_a_duplicate_across_chunks(store, saved, tmp_path):
    df = frame(2500, seed=2)
    df.loc[2200, "id"] = 5  # id 5 is in the first chunk
    df.loc[[300, 2400], "plan"] = ["team", "gold"]
    df.loc[1200, "id"] = np.nan  # kept, not given to the model
    with pytest.warns(UserWarning):
        done = scored(tmp_path, df)
    assert broken(done.contract) == [("plan", "categories", ["gold", "team"]),
                                     ("id", "nullable", "1 missing"),
                                     ("id", "unique", "1 repeated")]
    assert broken(done.contract) == broken(contracts.check(saved, df))


def test_row_count_bounds_are_checked_for_the_whole_file(store, churn, tmp_path):
    contracts.save(rules(max_rows=2000), model="churn:1")
    with pytest.warns(UserWarning, match="batch rows"):
        done = scored(tmp_path, frame(2500, seed=2))
    assert broken(done.contract) == [(None, "rows", 2500)]
    assert scored(tmp_path, frame(1500, seed=2)).contract.ok  # each chunk is under 2000 too


def test_strict_refuses_with_nothing_written_but_the_check(store, saved, tmp_path):
    df = frame(2500, seed=2)
    df.loc[2200, "id"] = 5
    with pytest.raises(ScoringError, match=r"breaks contract 'churn-input': 1 violation\(s\): "
                                           r"id unique \(observed 1 repeated.*Nothing was "
                                           r"written"):
        scored(tmp_path, df, strict=True)
    assert not list(tmp_path.glob("*out.parquet*")) and score_batches(store).empty
    assert list(queries.contract_checks(store)["ok"]) == [False]


def test_no_contract_or_off_scores_as_before(store, churn, tmp_path):
    done = scored(tmp_path, frame(2500, seed=2).assign(a=99.0))
    assert done.contract is None and queries.contract_checks(store).empty
    contracts.save(rules(), model="churn:1")
    assert scored(tmp_path, frame(100).assign(a=99.0), contract="off").contract is None
    assert queries.contract_checks(store).empty
    with pytest.raises(StoreError, match="no contract saved for 'nope'"):
        scored(tmp_path, frame(100), contract="nope")
    with pytest.warns(UserWarning, match="batch rows"):
        named = scored(tmp_path, frame(100), contract=rules(min_rows=200))
    assert broken(named.contract) == [(None, "rows", 100)]


def test_the_cli_prints_the_verdict_in_one_line(store, saved, tracker, tmp_path):
    frame(2500, seed=2).assign(a=lambda d: d.a.where(d.index != 1500, 50.0)).to_parquet(
        tmp_path / "in.parquet")
    tracker.writer.close()
    args = ("--store", str(store.root), "score", "churn@champion", str(tmp_path / "in.parquet"),
            "--keep", "id", "--chunk-rows", str(CHUNK), "-q")
    done = cli(*args, "--out", str(tmp_path / "out.parquet"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1] == ("contract 'churn-input': 1 violation(s): a max "
                                           "(observed 50.0, expected 10.0)")
    assert "contract" not in done.stderr
    refused = cli(*args, "--out", str(tmp_path / "o2.parquet"), "--strict")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "breaks contract 'churn-input'" in refused.stderr
    assert not (tmp_path / "o2.parquet").exists()
    off = cli(*args, "--out", str(tmp_path / "o3.parquet"), "--contract", "off")
    assert off.returncode == 0 and len(off.stdout.splitlines()) == 1
