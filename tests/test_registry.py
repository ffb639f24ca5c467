"""Versions, aliases, gates and load_model through a real store (and two real processes)."""

import itertools

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import jupyter_mlops as mlops
from jupyter_mlops import blobs
from jupyter_mlops import events as ev
from jupyter_mlops.exceptions import GateRefused, StoreError
from jupyter_mlops.store import queries
from tests.conftest import cli, run_python


@pytest.fixture
def model():
    X = np.random.default_rng(0).normal(size=(200, 3))
    return LogisticRegression().fit(X, (X[:, 0] > 0).astype(int))


def test_versions_are_monotonic_and_load_back_exactly(store, tracker, model):
    tracker.log_metrics({"auc": 0.9})
    v1 = mlops.register(model, "churn")
    v2 = mlops.register(model, "churn", metrics={"auc": 0.7})
    assert (repr(v1), repr(v2)) == ("ModelVersion(churn, 1)", "ModelVersion(churn, 2)")
    assert v1.metrics == {"auc": 0.9} and v1.run_id == tracker.run_id
    loaded = mlops.load_model("churn:1")
    assert np.array_equal(loaded.coef_, model.coef_)
    assert np.array_equal(mlops.load_model("churn").coef_, model.coef_)  # latest
    frame = queries.models(store)
    assert frame["version"].tolist() == [2, 1]


def test_gates_refuse_with_the_failing_condition_and_change_nothing(store, tracker, model):
    mlops.register(model, "churn", metrics={"auc": 0.9, "f1": 0.8})
    mlops.register(model, "churn", metrics={"auc": 0.905, "f1": 0.85})
    assert mlops.promote("churn", 1, gate={"auc": ">= 0.85"}).aliases == ["champion"]
    with pytest.raises(GateRefused, match=r"churn:2 to @champion refused: auc = 0.905 is not "
                                          r"> champion's 0.9 \+ 0.01"):
        mlops.promote("churn", 2, gate={"auc": "> champion + 0.01"})
    with pytest.raises(GateRefused, match="has no recorded metric 'loss'"):
        mlops.promote("churn", 2, gate={"loss": "< 1"})
    with pytest.raises(ValueError, match="is not understood"):
        mlops.promote("churn", 2, gate={"auc": "better"})
    assert mlops.load_model("churn@champion") is not None
    assert queries.alias_history(store, "churn")["version"].tolist() == [1]
    done = mlops.promote("churn", 2, gate={"f1": ">= champion + 0.04"}, by="ci")
    assert done.aliases == ["champion"]
    history = queries.alias_history(store, "churn")
    assert history.previous.isna().tolist() == [True, False]
    assert history[["version", "set_by"]].values.tolist()[1] == [2, "ci"]
    assert (history.previous[1], history.version[0]) == (1, 1)


def test_bad_input_is_one_clear_error(tracker, model, store):
    with pytest.raises(TypeError, match="takes a fitted model"):
        mlops.register([1, 2, 3], "churn")
    with pytest.raises(TypeError, match="is not fitted yet"):
        mlops.register(LogisticRegression(), "churn")
    with pytest.raises(ValueError, match="model name 'bad name!' is not valid"):
        mlops.register(model, "bad name!")
    mlops.register(model, "churn")
    with pytest.raises(StoreError, match="has no alias 'champion'"):
        mlops.load_model("churn@champion")
    with pytest.raises(StoreError, match="no model version 'churn:9'"):
        mlops.load_model("churn:9")


def test_a_tampered_artifact_is_refused_on_load(tracker, model, store):
    version = mlops.register(model, "churn")
    blobs.path_of(store, version.artifact).write_bytes(b"not the model")
    with pytest.raises(StoreError, match="was modified after it was stored"):
        mlops.load_model("churn:1")


PROMOTER = """
import jupyter_mlops as mlops
for i in range(12):
    mlops.promote("churn", {v} if i % 2 else {w}, "champion", by="p{v}")
"""


def test_concurrent_promotions_leave_a_consistent_alias_history(store, tracker, model):
    for auc in (0.8, 0.81, 0.82):
        mlops.register(model, "churn", metrics={"auc": auc})
    tracker.writer.close()
    import subprocess
    import sys

    procs = [subprocess.Popen([sys.executable, "-c", PROMOTER.format(v=v, w=w)])
             for v, w in ((1, 2), (3, 2))]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    history = queries.alias_history(store, "churn")
    assert len(history) >= 12
    chain = history[["previous", "version"]].values.tolist()
    for (_, before), (previous, _) in itertools.pairwise(chain):
        assert previous == before, chain  # every move starts where the last one ended


def test_cli_models_and_promote(tracker, model, store):
    mlops.register(model, "churn", metrics={"auc": 0.8})
    tracker.writer.close()
    refused = cli("promote", "churn", "1", "champion", "--gate", "auc=>= 0.85")
    assert refused.returncode == 1
    assert refused.stderr.strip() == ("jupyter-mlops: promotion of churn:1 to @champion "
                                      "refused: auc = 0.8 is not >= 0.85")
    done = cli("promote", "churn", "1", "champion", "--gate", "auc=>= 0.75")
    assert done.returncode == 0 and done.stdout.strip() == "churn@champion -> version 1"
    assert "[champion]" in cli("models").stdout
    assert run_python("import jupyter_mlops as m; print(repr(m.load_model('churn@champion')))"
                      ).stdout.startswith("LogisticRegression")


def test_a_promotion_follows_the_last_move_even_from_a_clock_behind(store, tracker, model):
    """The latest move wins by event id; a move made on a machine whose clock is an hour
    ahead is still followed by the next promotion, recorded here after it."""
    for auc in (0.8, 0.81):
        mlops.register(model, "churn", metrics={"auc": auc})
    ahead = f"{int(ev.new_id()[:12], 16) + 3_600_000:012x}0000{'0' * 16}"
    tracker.writer.write([ev.Event(ev.ALIAS_SET, {"name": "churn", "alias": "champion",
                                                  "version": 1, "previous": None}, id=ahead)])
    mlops.promote("churn", 2, "champion")
    assert mlops.load_model("churn@champion") is not None
    assert queries.alias_history(store, "churn")["version"].tolist()[-1] == 2
    assert mlops.registry.resolve(store, "churn@champion").version == 2
