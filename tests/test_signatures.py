"""Signatures: inferred from an input example or autolog's record of the fit, and checked on
pandas frames and Arrow batches alike, naming the offending columns."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn.linear_model import LogisticRegression

import jupyter_mlops as mlops
from jupyter_mlops import registry, signatures
from jupyter_mlops.exceptions import SignatureMismatch, SignatureWarning

EXAMPLE = pd.DataFrame({"age": [31.0, 45.5], "visits": [3, 7],
                        "plan": pd.Categorical(["basic", "pro"]), "city": ["Oslo", "Rome"]})


def test_inferred_kinds_and_categories():
    sig = signatures.infer(EXAMPLE)
    assert [(c["name"], c["kind"], c["categories"]) for c in sig["columns"]] == [
        ("age", "float", None), ("visits", "integer", None),
        ("plan", "category", ["basic", "pro"]), ("city", "string", ["Oslo", "Rome"])]


@pytest.mark.parametrize("data, error", [
    (EXAMPLE.drop(columns=["visits"]), r"missing column\(s\) visits"),
    (EXAMPLE.assign(age=["old", "young"]), r"wrong dtype: age is string \((object|str)\), "
                                            r"expected float64"),
    (EXAMPLE.assign(visits=[1.5, 2.0]), r"visits is float \(float64\), expected int64"),
])
def test_errors_name_the_columns(data, error):
    verdict = signatures.check(signatures.infer(EXAMPLE), data)
    assert len(verdict.errors) == 1
    assert re.search(error, verdict.errors[0]), verdict.errors


def test_tolerated_differences_are_warnings_unless_strict():
    sig = signatures.infer(EXAMPLE)
    data = EXAMPLE.assign(age=[1, 2], city=["Oslo", "Lima"], extra=0)  # int where float: fine
    verdict = signatures.check(sig, data)
    assert verdict.errors == []
    assert verdict.warnings == [
        "extra column(s) extra not in the model's signature are ignored",
        "unseen categories: city: Lima (the model never saw them when registered)"]
    assert len(signatures.check(sig, data, strict=True).errors) == 2


def test_arrow_batches_are_checked_like_frames():
    sig = signatures.infer(EXAMPLE)
    batch = pa.record_batch({"age": pa.array([None, None], pa.null()),
                             "visits": pa.array([1, 2]),
                             "plan": pa.array(["team", "pro"]).dictionary_encode(),
                             "city": pa.array(["Oslo", None])})
    verdict = signatures.check_schema(sig, dict(zip(batch.schema.names, batch.schema.types,
                                                    strict=True)))
    assert verdict.errors == []  # an all-null column has no dtype to judge
    signatures.check_values(sig, batch, verdict)
    signatures.finish(verdict)
    assert verdict.warnings == [
        "column age is all null in a batch",
        "unseen categories: plan: team (the model never saw them when registered)"]



def test_register_records_it_and_load_model_checks_data(store, tracker, monkeypatch):
    X = pd.DataFrame({"a": np.arange(20.0), "b": np.arange(20) % 3})
    model = LogisticRegression().fit(X, X.a > 9)
    monkeypatch.setattr(registry, "last_fit", lambda m: None)  # no autolog record here
    by_model = mlops.register(model, "m")
    assert [c["name"] for c in by_model.signature["columns"]] == ["a", "b"]  # names only
    mlops.register(model, "m", input_example=X)
    with pytest.raises(SignatureMismatch, match=r"the data does not fit m:2: missing "
                                                r"column\(s\) b"):
        mlops.load_model("m:2", data=X[["a"]])
    with pytest.warns(SignatureWarning, match=r"m:2: extra column\(s\) c"):
        assert mlops.load_model("m:2", data=X.assign(c=1)) is not None
    assert mlops.load_model("m:1", data=X.assign(b=X.b.astype(str))) is not None  # no dtypes


def test_autolog_fit_gives_the_signature(kernel_factory):
    kernel = kernel_factory()
    kernel.record([
        ("fit", "import pandas as pd, numpy as np\nimport jupyter_mlops as mlops\n"
                "from sklearn.linear_model import LogisticRegression\n"
                "X = pd.DataFrame({'a': np.arange(20.0), 'n': np.arange(20)})\n"
                "m = LogisticRegression().fit(X, X.a > 9)\nv = mlops.register(m, 'auto')")],
        timeout=120)
    out = kernel.run("print([(c['name'], c['kind']) for c in v.signature['columns']], "
                     "v.signature['source'])", timeout=120)
    assert "[('a', 'float'), ('n', 'integer')] fit" in out["stdout"]
