"""Autolog through a real IPython shell, real kernels, a real job and a real store: one record
per fit the user makes, none for the libraries' own fits, and nothing ever in a cell."""

import json

import duckdb
import nbformat
import pytest

import jupyter_mlops
from jupyter_mlops.capture import autolog, incidents
from jupyter_mlops.capture.fingerprint import fingerprint
from jupyter_mlops.store import queries
from tests.conftest import cli
from tests.jobs.conftest import write_notebook

# A fit in the cell that first imports scikit-learn, and an estimator that no format can store.
ONE_CELL = """import numpy as np
from sklearn.linear_model import LogisticRegression
X = np.random.default_rng(0).normal(size=(60, 3))
y = (X[:, 0] > 0).astype(int)
model = LogisticRegression().fit(X, y)"""
UNSTORABLE = """from sklearn.base import BaseEstimator
class Streaming(BaseEstimator):
    def fit(self, X, y=None):
        self.stream_ = (row for row in X)  # a generator: neither skops nor pickle takes it
        return self
streaming = Streaming().fit(X)"""


def _fits(store):
    queries.runs(store)  # ingest
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        return con.execute("SELECT seq, estimator, inputs, search, artifact, method, "
                           "params, run_id FROM fits ORDER BY id").fetchall()


def _run(ip, source):
    result = ip.run_cell(source, store_history=True)
    assert result.success, result.error_in_exec


def _logged(store):
    path = incidents.log_path(store.root)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_fits_are_recorded_once_per_top_level_call(ip, store):
    _run(ip, "model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)")
    _run(ip, "gs = GridSearchCV(LogisticRegression(), {'C': [0.1, 1, 10]}, cv=3).fit(X, y)")
    fits = _fits(store)
    assert [f[1] for f in fits] == ["sklearn.pipeline.Pipeline",
                                    "sklearn.model_selection._search.GridSearchCV"]
    X, y = ip.user_ns["X"], ip.user_ns["y"]
    assert fits[0][2] == [fingerprint(X), fingerprint(y)]
    assert fits[0][0] == 2  # the cell that called fit
    assert fits[0][3] is None
    search = json.loads(fits[1][3])
    assert set(search["best_params"]) == {"C"} and len(search["cv"]) == 3


def test_searches_with_any_refit(ip, store):
    _run(ip, "def most_regularized(cv):\n    return 0\n"
             "a = GridSearchCV(LogisticRegression(), {'C': [0.1, 1, 10]}, cv=3,\n"
             "                 refit=most_regularized).fit(X, y)")
    _run(ip, "b = GridSearchCV(LogisticRegression(), {'C': [0.1, 1]}, cv=3, refit=False,\n"
             "                 scoring=['accuracy', 'f1']).fit(X, y)")
    (_, est_a, _, search_a, artifact_a, *_), (_, est_b, _, search_b, artifact_b, *_) = _fits(
        store)
    assert est_a == est_b == "sklearn.model_selection._search.GridSearchCV"
    search_a, search_b = json.loads(search_a), json.loads(search_b)
    assert len(search_a["cv"]) == 3 and "best_score" not in search_a  # a callable sets none
    assert search_a["best_params"] == {"C": 0.1} and artifact_a is not None
    assert search_b["metric"] == "accuracy" and len(search_b["cv"]) == 2
    assert "best_params" not in search_b and artifact_b is None  # no best estimator to keep
    assert _logged(store) == []


def test_cross_validation_is_one_record_with_the_fold_scores(ip, store):
    _run(ip, "from sklearn.model_selection import cross_val_score, cross_validate, LeaveOneOut\n"
             "scores = cross_val_score(LogisticRegression(C=0.5), X, y, cv=10)")
    _run(ip, "loo = cross_val_score(LogisticRegression(), X[:40], y[:40], cv=LeaveOneOut())")
    _run(ip, "res = cross_validate(make_pipeline(StandardScaler(), LogisticRegression()), X, y,"
             " cv=4, return_train_score=True)")
    fits = _fits(store)
    assert [(f[1], f[5]) for f in fits] == [
        ("sklearn.linear_model._logistic.LogisticRegression", "cross_val_score"),
        ("sklearn.linear_model._logistic.LogisticRegression", "cross_val_score"),
        ("sklearn.pipeline.Pipeline", "cross_validate")]
    assert json.loads(fits[0][6])["C"] == 0.5
    assert json.loads(fits[0][3])["scores"]["test_score"] == pytest.approx(
        list(ip.user_ns["scores"]))
    assert len(json.loads(fits[1][3])["scores"]["test_score"]) == 40
    assert {k: len(v) for k, v in json.loads(fits[2][3])["scores"].items()} == {
        "test_score": 4, "train_score": 4}
    assert [f[4] for f in fits] == [None] * 3  # unfitted clones: nothing to store
    X, y = ip.user_ns["X"], ip.user_ns["y"]
    assert fits[0][2] == [fingerprint(X), fingerprint(y)]


def test_library_internal_fits_are_not_records_and_the_runs_last_fit_is_the_users(ip, store):
    _run(ip, "model = LogisticRegression().fit(X, y)\n"
             "from sklearn.metrics import classification_report\n"
             "from sklearn.model_selection import cross_val_predict\n"
             "report = classification_report(y, model.predict(X))\n"
             "pred = cross_val_predict(LogisticRegression(), X, y, cv=5)")
    _run(ip, "from joblib import parallel_backend\n"  # worker threads, where depth is 0
             "from sklearn.compose import make_column_transformer\n"
             "from sklearn.model_selection import cross_val_score\n"
             "with parallel_backend('threading', n_jobs=2):\n"
             "    Z = make_column_transformer((StandardScaler(), ['a', 'b']),\n"
             "                                (StandardScaler(), ['c'])).fit_transform(X)\n"
             "    cross_val_score(LogisticRegression(), X, y, cv=3)\n"
             "model = LogisticRegression(C=2).fit(X, y)")
    fits = _fits(store)
    assert [f[1].rsplit(".", 1)[-1] for f in fits] == [
        "LogisticRegression", "ColumnTransformer", "LogisticRegression", "LogisticRegression"]
    assert [f[5] for f in fits] == ["fit", "fit_transform", "cross_val_score", "fit"]
    assert jupyter_mlops.lineage.slice(fits[0][7]).seq.tolist()[-1] == 3  # the run's last fit
    assert autolog.last_fit(ip.user_ns["model"])["inputs"] == fits[3][2]


def test_a_users_own_loops_and_a_mixins_fit_transform_are_the_users(ip, store):
    _run(ip, "from sklearn.decomposition import PCA\n"
             "from sklearn.neural_network import MLPClassifier\n"  # available_if methods:
             "Z = make_pipeline(StandardScaler(), PCA(2)).fit_transform(X)\n"
             "mlp = MLPClassifier(max_iter=5).partial_fit(X, y, classes=[0, 1])")
    assert [(f[1].rsplit(".", 1)[-1], f[5]) for f in _fits(store)] == [
        ("Pipeline", "fit_transform"), ("MLPClassifier", "partial_fit")]
    _run(ip, "for c in (0.1, 1, 10):\n    LogisticRegression(C=c).fit(X, y)\n"
             "scaled = StandardScaler().fit_transform(X)\n"
             "from joblib import Parallel, delayed\n"
             "models = Parallel(n_jobs=2, backend='threading')(\n"
             "    delayed(LogisticRegression(C=c).fit)(X, y) for c in (2, 3))")
    fits = _fits(store)[2:]
    cs = [json.loads(f[6]).get("C") for f in fits]
    assert cs[:4] == [0.1, 1, 10, None] and sorted(cs[4:]) == [2, 3]  # two threads: any order
    assert [f[5] for f in fits] == ["fit", "fit", "fit", "fit_transform", "fit", "fit"]
    assert len({f[4] for f in fits}) == 6  # each fitted model stored (content-addressed)


def test_xgboost_and_lightgbm_estimators(ip, store):
    _run(ip, "from xgboost import XGBClassifier\nfrom lightgbm import LGBMRegressor\n"
             "xgb = XGBClassifier(n_estimators=5, max_depth=2).fit(X, y)\n"
             "lgbm = LGBMRegressor(n_estimators=5, verbose=-1).fit(X, X.b)")
    fits = _fits(store)
    assert [f[1] for f in fits] == ["xgboost.sklearn.XGBClassifier",
                                    "lightgbm.sklearn.LGBMRegressor"]
    assert [json.loads(f[6])["n_estimators"] for f in fits] == [5, 5]
    assert all(f[4] for f in fits) and all(len(f[2]) == 2 for f in fits)


def test_register_links_the_training_data_and_autolog_is_reversible(ip, store):
    _run(ip, "model = LogisticRegression().fit(X, y)\nv = mlops.register(model, 'clf')")
    queries.runs(store)
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        edges = con.execute("SELECT src_id FROM lineage_edges WHERE relation = 'trained_on' "
                            "AND dst_id = 'clf:1'").fetchall()
    assert sorted(e[0] for e in edges) == sorted(
        [fingerprint(ip.user_ns["X"]), fingerprint(ip.user_ns["y"])])
    _run(ip, "from sklearn.model_selection import cross_val_score\n"
             "from sklearn.decomposition import PCA\n"
             "class Projection(PCA):  # created while autolog is on\n"
             "    def fit_transform(self, X, y=None):\n"
             "        return super().fit_transform(X, y)")
    jupyter_mlops.autolog(False)
    _run(ip, "other = LogisticRegression().fit(X, y)\n"
             "scores = cross_val_score(LogisticRegression(), X, y, cv=3)\n"
             "projected = Projection(2).set_output(transform='pandas').fit_transform(X)")
    assert len(_fits(store)) == 1  # not recorded, and not switched back on by the next cell
    assert type(ip.user_ns["projected"]).__name__ == "DataFrame"  # set_output's wrapper kept
    jupyter_mlops.autolog(True)
    _run(ip, "scores = cross_val_score(LogisticRegression(), X, y, cv=3)")
    assert [f[5] for f in _fits(store)] == ["fit", "cross_val_score"]  # the name imported before


def test_classes_defined_later_are_wrapped_and_fit_behaviour_is_unchanged(ip, store):
    _run(ip, """
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
mine = Mine().fit(X)""")
    assert ip.user_ns["mine"].fitted_ is True
    result = ip.run_cell("Broken().fit(X)", store_history=True)
    assert isinstance(result.error_in_exec, ValueError)  # the user's error, untouched
    assert [f[1].rsplit(".", 1)[-1] for f in _fits(store)] == ["Mine"]


def test_a_one_cell_notebook_is_recorded_and_a_failure_shows_nothing(store, kernel_factory):
    k = kernel_factory()
    assert k.run("%load_ext jupyter_mlops\nimport sys\nprint('sklearn' in sys.modules)"
                 )["stdout"] == "False\n"
    for source in (ONE_CELL, UNSTORABLE):
        reply = k.run(source)
        assert reply["status"] == "ok" and reply["stdout"] == "", reply
    fits = _fits(store)
    assert [(f[0], f[1].rsplit(".", 1)[-1]) for f in fits] == [(1, "LogisticRegression"),
                                                             (2, "Streaming")]
    assert fits[0][4] is not None and fits[1][4] is None
    [logged] = _logged(store)
    assert logged["where"] == "autolog: storing the fitted model"
    assert "generator" in logged["error"] and "Traceback" in logged["traceback"]
    doctor = cli("doctor")
    assert "capture failures: 1" in doctor.stdout and "storing the fitted model" in doctor.stdout


def test_a_job_records_its_one_cell_fit_and_prints_nothing(store, tmp_path):
    first = ("import numpy as np\nfrom xgboost import XGBClassifier  # imports scikit-learn\n"
             "X = np.random.default_rng(0).normal(size=(60, 3))\n"
             "model = XGBClassifier(n_estimators=3).fit(X, (X[:, 0] > 0).astype(int))")
    nb = write_notebook(tmp_path / "train.ipynb", first, UNSTORABLE, parameters=None)
    done = cli("run", str(nb))
    assert done.returncode == 0, done.stderr
    job = queries.jobs(store).iloc[0]
    executed = nbformat.read(job.output, as_version=4)
    assert [c.outputs for c in executed.cells] == [[], []]
    assert [f[1].rsplit(".", 1)[-1] for f in _fits(store)] == ["XGBClassifier", "Streaming"]
    assert [e["where"] for e in _logged(store)] == ["autolog: storing the fitted model"]
