"""Autolog of XGBoost's and LightGBM's own training APIs through a real IPython shell, a real
kernel and a real store: one record per train or cv, metric histories as each library names
them, the booster loadable without trust, and the user's call behaving as without autolog."""

import json
import re

import duckdb
import pytest

import jupyter_mlops
from jupyter_mlops.capture import autolog
from jupyter_mlops.capture.fingerprint import fingerprint
from jupyter_mlops.store import queries
from tests.capture.test_autolog import _fits, _logged, _run

# Per library: data (train 200 rows, validation 100), params, and a train with validation sets.
LIBRARIES = {
    "xgboost": {
        "setup": "import xgboost as xgb\n"
                 "d = xgb.DMatrix(X[:200], label=y[:200])\n"
                 "v = xgb.DMatrix(X[200:], label=y[200:])\n"
                 "P = {'objective': 'binary:logistic', 'eval_metric': ['logloss', 'auc'],\n"
                 "     'max_depth': 2, 'eta': 0.3}",
        "plain": "b = xgb.train(P, d, 10)",
        "evals": "seen = {}\n"
                 "b = xgb.train(P, d, 10, evals=[(d, 'train'), (v, 'valid')], "
                 "evals_result=seen, verbose_eval=False)",
        "keys": ["train-auc", "train-logloss", "valid-auc", "valid-logloss"],
        "first_step": 0,
        "early": "b = xgb.train({**P, 'eta': 1.0}, d, 200, evals=[(v, 'valid')],\n"
                 "              early_stopping_rounds=2, verbose_eval=False)",
        "callback": "class Watch(xgb.callback.TrainingCallback):\n"
                    "    def __init__(self):\n        self.seen = []\n"
                    "    def after_iteration(self, model, epoch, evals_log):\n"
                    "        self.seen.append((epoch, evals_log['valid']['auc'][-1]))\n"
                    "        return epoch == 4  # the user's own stop\n"
                    "w = Watch()\n"
                    "b = xgb.train(P, d, 50, evals=[(v, 'valid')], callbacks=[w],\n"
                    "              verbose_eval=False)\nwatched = w.seen",
        "cv": "res = xgb.cv(P, d, 6, nfold=3, seed=1)",
        # built while autolog was off: its data, now in C++, is out of reach
        "unreachable": "mlops.autolog(False)\nfar = xgb.DMatrix(X, label=y)\n"
                       "mlops.autolog(True)\nb = xgb.train(P, far, 3)",
        "sklearn": "from xgboost import XGBClassifier\n"
                   "m = XGBClassifier(n_estimators=5).fit(X[:200], y[:200], "
                   "eval_set=[(X[200:], y[200:])], verbose=False)",
        "rounds": "b.num_boosted_rounds()",
        "predict": "b.predict(v)",
        "invalid": ["xgb.train(P, X.values, 5)", "xgb.train(P, d, 5, evals=[v])",
                    "xgb.train(P, d, 5, evals=[(X, 'x')])", "xgb.train(P, d, 5, bogus=1)",
                    "xgb.train({'objective': 'nope'}, d, 5)"],
    },
    "lightgbm": {
        "setup": "import lightgbm as lgb\n"
                 "d = lgb.Dataset(X[:200], label=y[:200])\n"
                 "v = lgb.Dataset(X[200:], label=y[200:], reference=d)\n"
                 "P = {'objective': 'binary', 'metric': ['binary_logloss', 'auc'],\n"
                 "     'num_leaves': 4, 'verbose': -1}",
        "plain": "b = lgb.train(P, d, 10)",
        "evals": "seen = {}\n"
                 "b = lgb.train(P, d, 10, valid_sets=[d, v], valid_names=['train', 'valid'],\n"
                 "              callbacks=[lgb.record_evaluation(seen)])",
        "keys": ["train.auc", "train.binary_logloss", "valid.auc", "valid.binary_logloss"],
        "first_step": 1,
        "early": "b = lgb.train({**P, 'learning_rate': 1.0}, d, 200, valid_sets=[v],\n"
                 "              callbacks=[lgb.early_stopping(2, verbose=False)])",
        "callback": "watched = []\n"
                    "def first(env):\n"
                    "    watched.append((env.iteration, env.evaluation_result_list[0][2]))\n"
                    "def second(env):\n"
                    "    watched.append(('second', env.iteration))\n"
                    "    if env.iteration == 4:\n"
                    "        raise lgb.callback.EarlyStopException(4, env.evaluation_result_list)\n"
                    "b = lgb.train(P, d, 50, valid_sets=[v], callbacks=[first, second])\n"
                    "watched.append([first.order, second.order])",
        "cv": "res = lgb.cv(P, lgb.Dataset(X[:200], label=y[:200]), 6, nfold=3, seed=1)",
        # constructed before: LightGBM freed its raw data (it keeps the label)
        "unreachable": "far = lgb.Dataset(X, label=y, params={'verbose': -1}).construct()\n"
                       "b = lgb.train(P, far, 3)",
        "sklearn": "from lightgbm import LGBMClassifier\n"
                   "m = LGBMClassifier(n_estimators=5, verbose=-1).fit(\n"
                   "    X[:200], y[:200], eval_X=X[200:], eval_y=y[200:])",
        "rounds": "b.current_iteration()",
        "predict": "b.predict(X[200:])",
        "invalid": ["lgb.train(P, X, 5)", "lgb.train(P, d, 5, valid_sets=[X])",
                    "lgb.train(P, d, 5, bogus=1)", "lgb.train({'objective': 'nope'}, d, 5)"],
    },
}
libraries = pytest.mark.parametrize("library", list(LIBRARIES))


def _metrics(store):
    queries.runs(store)  # ingest
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        return con.execute("SELECT key, step, value FROM metrics ORDER BY key, step").fetchall()


def _ran(ip, library, *snippets):
    """The library's snippets, run after its setup cell (which is cell 2)."""
    lib = LIBRARIES[library]
    for source in ("setup", *snippets):
        _run(ip, lib[source])
    return lib


def _with_and_without_autolog(ip, source, names):
    """``names`` after running ``source`` with autolog, then the same without it."""
    found = []
    for enabled in (True, False):
        jupyter_mlops.autolog(enabled)
        _run(ip, source)
        found.append({n: ip.ev(n) for n in names})
    jupyter_mlops.autolog(True)
    return found


@libraries
def test_a_plain_train_is_one_record_with_the_booster_and_its_training_data(ip, store, library):
    _ran(ip, library, "plain")
    [(seq, estimator, inputs, summary, artifact, method, params, _)] = _fits(store)
    assert (estimator, method, seq) == (f"{library}.Booster", "train", 3)
    X, y = ip.user_ns["X"], ip.user_ns["y"]
    assert inputs == [fingerprint(X[:200]), fingerprint(y[:200])]
    assert json.loads(params)["num_boost_round"] == 10
    assert json.loads(params)["objective"] == ip.user_ns["P"]["objective"]
    assert json.loads(summary) == {"iterations": 10}
    assert artifact is not None and _metrics(store) == []  # no validation sets: no history
    assert _logged(store) == []


@libraries
def test_validation_results_become_metric_histories_named_as_the_library_names_them(
        ip, store, library):
    lib = _ran(ip, library, "evals")
    metrics = _metrics(store)
    assert sorted({k for k, _, _ in metrics}) == lib["keys"]
    seen = ip.user_ns["seen"]  # the user's own record, filled as without autolog
    sep = "-" if library == "xgboost" else "."
    for key in lib["keys"]:
        data, metric = key.split(sep, 1)
        steps = [(s, value) for k, s, value in metrics if k == key]
        first = lib["first_step"]
        assert steps == [(first + i, pytest.approx(x)) for i, x in enumerate(seen[data][metric])]
    [fit] = _fits(store)
    X, y = ip.user_ns["X"], ip.user_ns["y"]  # the validation set is an input, named
    assert fit[2] == [fingerprint(X[:200]), fingerprint(y[:200]),
                      fingerprint(X[200:]), fingerprint(y[200:])]
    _run(ip, "v1 = mlops.register(b, 'booster')")
    queries.runs(store)
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        trained_on = con.execute("SELECT data FROM model_versions").fetchone()[0]
    assert trained_on == [fingerprint(X[:200]), fingerprint(y[:200])]  # not the validation set
    assert jupyter_mlops.lineage.slice("booster:1").seq.tolist() == [1, 2, 3]  # data, train


@libraries
def test_early_stopping_and_user_callbacks_work_as_without_autolog(ip, store, library):
    lib = _ran(ip, library)
    on, off = _with_and_without_autolog(ip, lib["early"], ["b.best_iteration", lib["rounds"],
                                                          f"list({lib['predict']})"])
    assert on == off and on["b.best_iteration"] < 50  # it stopped early
    [fit] = _fits(store)
    assert json.loads(fit[3])["best_iteration"] == on["b.best_iteration"]
    # every iteration run is in the history: LightGBM keeps the trees up to the best one
    ran = on[lib["rounds"]] - 1 if library == "xgboost" else on["b.best_iteration"] + 2
    assert max(s for _, s, _ in _metrics(store)) == ran
    on, off = _with_and_without_autolog(ip, lib["callback"], ["watched", lib["rounds"]])
    assert on == off and on[lib["rounds"]] == 5  # the user's callback stopped it, as before
    assert len(_fits(store)) == 2 and _logged(store) == []


@libraries
def test_data_out_of_reach_is_listed_with_its_shape(ip, store, library):
    _ran(ip, library, "unreachable")
    [fit] = _fits(store)
    y = ip.user_ns["y"]
    # LightGBM holds the label as float32 once constructed: that is what it trains on
    assert fit[2] == ([] if library == "xgboost" else [fingerprint(y.to_numpy("float32"))])
    kind = {"xgboost": "DMatrix", "lightgbm": "Dataset"}[library]
    assert json.loads(fit[3])["unfingerprinted"] == [
        {"role": "X", "kind": kind, "shape": [300, 4]}]
    assert _logged(store) == []


@libraries
def test_cv_is_one_record_with_the_per_iteration_results(ip, store, library):
    _ran(ip, library, "cv")
    [(_, estimator, inputs, summary, artifact, method, params, _)] = _fits(store)
    assert (estimator, method, artifact) == (f"{library}.Booster", "cv", None)
    assert json.loads(params)["nfold"] == 3
    result = ip.user_ns["res"]
    history = json.loads(summary)["history"]
    # 2 metrics, mean and std, of the test folds (XGBoost: and of the training folds)
    assert set(history) == set(result.keys()) and len(history) == len(result.keys())
    assert len(history) == {"xgboost": 8, "lightgbm": 4}[library]
    for key, values in history.items():
        assert values == pytest.approx(list(result[key]))
    X, y = ip.user_ns["X"], ip.user_ns["y"]
    assert inputs == [fingerprint(X[:200]), fingerprint(y[:200])]
    assert _metrics(store) == []


@libraries
def test_the_scikit_learn_wrapper_is_one_fit_not_two(ip, store, library):
    lib = _ran(ip, library, "sklearn")
    fits = _fits(store)
    assert [(f[1].rsplit(".", 1)[-1], f[5]) for f in fits] == [
        (lib["sklearn"].split("import ")[1].split("\n")[0], "fit")]
    assert _metrics(store) == []


@libraries
def test_a_registered_booster_loads_without_trust_and_predicts_the_same(ip, store, library):
    lib = _ran(ip, library, "early")
    _run(ip, f"version = mlops.register(b, 'boosted')\n"
             f"loaded = mlops.load_model('boosted:1')\n"
             f"same = list({lib['predict']}) == list({lib['predict'].replace('b.', 'loaded.')})")
    assert ip.user_ns["same"] is True
    assert ip.user_ns["version"].format == f"{library}-{'ubj' if library == 'xgboost' else 'text'}"
    assert type(ip.user_ns["loaded"]) is type(ip.user_ns["b"])
    assert autolog.last_fit(ip.user_ns["b"])["inputs"] == _fits(store)[0][2][:2]  # X, y


def _stable(message: str) -> str:
    """XGBoost prefixes its errors with the wall-clock time and appends native addresses."""
    message = re.sub(r"^\[\d\d:\d\d:\d\d\] ", "", message)
    return message.split("Stack trace:")[0]


@libraries
def test_an_invalid_call_raises_the_librarys_own_error_unchanged(ip, store, library):
    lib = _ran(ip, library)
    for source in lib["invalid"]:
        errors = []
        for enabled in (True, False):
            jupyter_mlops.autolog(enabled)
            error = ip.run_cell(source, store_history=True).error_in_exec
            errors.append((type(error), _stable(str(error))))
        jupyter_mlops.autolog(True)
        assert errors[0] == errors[1] and errors[0][0] is not type(None), source
    assert _fits(store) == [] and _logged(store) == []


def test_a_kernel_records_native_trains_in_the_importing_cell_and_prints_nothing(
        store, kernel_factory):
    k = kernel_factory()
    k.run("import lightgbm as lgb")  # imported before the extension loads
    k.run("%load_ext jupyter_mlops")
    reply = k.run("import numpy as np, xgboost as xgb\n"
                  "X = np.random.default_rng(0).normal(size=(300, 4))\n"
                  "y = (X[:, 0] > 0).astype(int)\n"
                  "d = xgb.DMatrix(X, label=y)\n"
                  "b = xgb.train({'objective': 'binary:logistic'}, d, 5, evals=[(d, 'train')],\n"
                  "              verbose_eval=False)\n"
                  "l = lgb.train({'objective': 'binary', 'verbose': -1},\n"
                  "              lgb.Dataset(X, label=y), 5)")
    assert reply["status"] == "ok" and reply["stdout"] == "" and not reply.get("stderr"), reply
    fits = _fits(store)
    assert [(f[0], f[1], f[5]) for f in fits] == [(1, "xgboost.Booster", "train"),
                                                 (1, "lightgbm.Booster", "train")]
    assert {k for k, _, _ in _metrics(store)} == {"train-logloss"}
    assert _logged(store) == []
