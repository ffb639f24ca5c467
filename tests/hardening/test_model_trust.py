"""Issue 14 item 1: a model file from a shared store runs no code unless loaded with
``trusted=True``; the models autolog stores load without it."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    RandomForestClassifier,
    StackingClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, RandomizedSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

import jupyter_mlops as mlops
from jupyter_mlops import blobs, model_files
from jupyter_mlops import events as ev
from jupyter_mlops.exceptions import StoreError
from jupyter_mlops.tracking.decisions import record_now

X = pd.DataFrame({"a": np.linspace(-1, 1, 60), "b": np.cos(np.arange(60)),
                  "c": ["x", "y", "z"] * 20})
Y = (X.a > 0).astype(int)
NUM = X[["a", "b"]]


def hostile(module: str, name: str, *args: str) -> bytes:
    """A skops file of a real model whose ``tol`` is built by calling ``module.name(*args)``
    (skops' ConstructorFromReduceNode), as someone with write access to a store could make."""
    data = sio.dumps(LogisticRegression().fit(NUM, Y))
    source = zipfile.ZipFile(io.BytesIO(data))
    schema = json.loads(source.read("schema.json"))
    schema["content"]["content"]["tol"] = {
        "__class__": name, "__module__": module, "__loader__": "ConstructorFromReduceNode",
        "__id__": 1, "content": {
            "__class__": "tuple", "__module__": "builtins", "__loader__": "TupleNode",
            "__id__": 2, "content": [
                {"__class__": "str", "__module__": "builtins", "__loader__": "JsonNode",
                 "content": json.dumps(a), "is_json": True, "__id__": 3 + i}
                for i, a in enumerate(args)]}}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for member in source.namelist():
            target.writestr(member, json.dumps(schema) if member == "schema.json"
                            else source.read(member))
    return out.getvalue()


def payloads(marker: Path) -> list[tuple[str, str, str]]:
    write = f"open({str(marker)!r}, 'w').write('ran')"
    return [("builtins", "eval", write), ("builtins", "exec", write),
            ("builtins", "getattr", "os"), ("builtins", "__import__", "this"),
            ("os", "system", f"touch {marker}"), ("posix", "system", f"touch {marker}")]


def test_a_file_that_calls_code_is_refused_and_its_payload_not_run(tmp_path):
    marker = tmp_path / "ran"
    for module, name, arg in payloads(marker):
        with pytest.raises(StoreError, match=rf"{module}\.{name}\).*trusted=True"):
            model_files.load_model_bytes(hostile(module, name, arg), "skops")
        assert not marker.exists(), f"{module}.{name} ran"
    assert "this" not in sys.modules  # __import__('this') prints the Zen: it did not run
    # The file is really hostile: trusted, its payload runs.
    model_files.load_model_bytes(hostile("builtins", "eval", payloads(marker)[0][2]), "skops",
                               trusted=True)
    assert marker.read_text() == "ran"


def test_load_model_refuses_a_hostile_version_written_into_the_store(tracked, tmp_path):
    """What a co-worker with write access to a shared store can do: add an artifact and
    a version event naming it (hashes match; the artifact is what they wrote)."""
    marker = tmp_path / "ran"
    sha = blobs.put(tracked, hostile("builtins", "eval", payloads(marker)[0][2]))
    record_now(tracked, ev.Event(ev.MODEL_VERSION, {
        "run_id": None, "name": "churn", "version": 1, "artifact": sha, "format": "skops",
        "flavor": "sklearn.linear_model.LogisticRegression", "metrics": {}, "params": {},
        "data": [], "size": 0, "fit": None}))
    with pytest.raises(StoreError, match=r"\(builtins\.eval\); load it with trusted=True"):
        mlops.load_model("churn:1")
    assert not marker.exists()


def models() -> dict[str, Any]:
    """What autolog registers: pipelines, column transformers, searches, boosters."""
    found = {
        "pipeline": make_pipeline(StandardScaler(), LogisticRegression()).fit(NUM, Y),
        "column transformer": Pipeline([
            ("prep", ColumnTransformer([("num", StandardScaler(), ["a", "b"]),
                                        ("cat", OneHotEncoder(handle_unknown="ignore"),
                                         ["c"])])),
            ("forest", RandomForestClassifier(n_estimators=3))]).fit(X, Y),
        "grid search": GridSearchCV(LogisticRegression(), {"C": [0.1, 1]}, cv=KFold(3),
                                    scoring=["roc_auc", "accuracy"],
                                    refit="accuracy").fit(NUM, Y),
        "random search": RandomizedSearchCV(DecisionTreeClassifier(), {"max_depth": [2, 3]},
                                            n_iter=2, cv=3).fit(NUM, Y),
        "hist boosting": HistGradientBoostingClassifier(max_iter=3).fit(NUM, Y),
        "neighbors": KNeighborsClassifier(metric="manhattan").fit(NUM, Y),
        "mlp": MLPClassifier(max_iter=5).fit(NUM, Y),
        "calibrated": CalibratedClassifierCV(LogisticRegression(), cv=3).fit(NUM, Y),
        "stacking": StackingClassifier([("lr", LogisticRegression()),
                                        ("tree", DecisionTreeClassifier())]).fit(NUM, Y),
    }
    for module, cls in (("xgboost", "XGBClassifier"), ("lightgbm", "LGBMClassifier")):
        try:
            library = __import__(module)
        except ImportError:
            continue
        found[module] = make_pipeline(StandardScaler(), getattr(library, cls)(
            n_estimators=3, **({"verbose": -1} if module == "lightgbm" else {}))).fit(NUM, Y)
    return found


@pytest.mark.filterwarnings("ignore")
def test_the_models_autolog_stores_load_without_trusted():
    for what, model in models().items():
        data, fmt = model_files.dump_model(model)
        assert fmt == "skops", what
        loaded = model_files.load_model_bytes(data, fmt)
        frame = X if what == "column transformer" else NUM
        assert np.array_equal(loaded.predict(frame), model.predict(frame)), what
