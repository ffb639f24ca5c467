"""scikit-learn autolog through a real IPython shell and a real store."""

import duckdb
import pytest

import jupyter_mlops
from jupyter_mlops import tracking
from jupyter_mlops.capture import autolog
from jupyter_mlops.capture.fingerprint import fingerprint
from jupyter_mlops.store import queries
from tests.conftest import ipython

SETUP = """import numpy as np, pandas as pd
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
rng = np.random.default_rng(0)
X = pd.DataFrame(rng.normal(size=(300, 4)), columns=list("abcd"))
y = (X.a > 0).astype(int)"""


@pytest.fixture
def ip(store, monkeypatch):
    monkeypatch.setattr(tracking, "_tracker", tracking.Tracker(store))
    shell = ipython()
    shell.run_line_magic("load_ext", "jupyter_mlops")
    shell.run_cell(SETUP, store_history=True)
    yield shell
    shell.run_line_magic("unload_ext", "jupyter_mlops")
    autolog.autolog(False)
    autolog._user_disabled = False
    shell.reset()


def _fits(store):
    queries.runs(store)  # ingest
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        return con.execute("SELECT cell_seq, estimator, inputs, search, artifact FROM fits "
                           "ORDER BY id").fetchall()


def test_fits_are_recorded_once_per_top_level_call(ip, store):
    ip.run_cell("model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)",
                store_history=True)
    ip.run_cell("gs = GridSearchCV(LogisticRegression(), {'C': [0.1, 1, 10]}, cv=3).fit(X, y)",
                store_history=True)
    fits = _fits(store)
    assert [f[1] for f in fits] == ["sklearn.pipeline.Pipeline",
                                    "sklearn.model_selection._search.GridSearchCV"]
    X, y = ip.user_ns["X"], ip.user_ns["y"]
    assert fits[0][2] == [fingerprint(X), fingerprint(y)]
    assert fits[0][0] == 2  # the cell that called fit
    assert fits[0][3] is None
    import json

    search = json.loads(fits[1][3])
    assert set(search["best_params"]) == {"C"} and len(search["cv"]) == 3


def test_register_links_the_training_data_and_autolog_is_reversible(ip, store):
    ip.run_cell("model = LogisticRegression().fit(X, y)\nv = mlops.register(model, 'clf')",
                store_history=True)
    queries.runs(store)
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        edges = con.execute("SELECT src_id FROM lineage_edges WHERE relation = 'trained_on' "
                            "AND dst_id = 'clf:1'").fetchall()
    assert sorted(e[0] for e in edges) == sorted(
        [fingerprint(ip.user_ns["X"]), fingerprint(ip.user_ns["y"])])
    jupyter_mlops.autolog(False)
    from sklearn.linear_model import LogisticRegression

    assert not hasattr(LogisticRegression.fit, "_jupyter_mlops")
    ip.run_cell("other = LogisticRegression().fit(X, y)", store_history=True)
    assert len(_fits(store)) == 1  # not recorded, and not switched back on by the next cell


def test_classes_defined_later_are_wrapped_and_fit_behaviour_is_unchanged(ip, store):
    ip.run_cell("""
from sklearn.base import BaseEstimator
class Mine(BaseEstimator):
    def fit(self, X, y=None):
        self.fitted_ = True
        return self
    def predict(self, X):
        return X
class Broken(BaseEstimator):
    def fit(self, X, y=None):
        raise ValueError("bad data")
mine = Mine().fit(X)""", store_history=True)
    assert ip.user_ns["mine"].fitted_ is True
    result = ip.run_cell("Broken().fit(X)", store_history=True)
    assert isinstance(result.error_in_exec, ValueError)  # the user's error, untouched
    assert [f[1].rsplit(".", 1)[-1] for f in _fits(store)] == ["Mine"]
