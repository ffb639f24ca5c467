"""Issue 14 item 5: versions are positive 63-bit integers checked at the edge; references
(``name@alias``, ``name:3``) have one parser. Never a DuckDB exception."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import jupyter_mlops as mlops
from jupyter_mlops.exceptions import BadReference
from jupyter_mlops.registry import Ref, model_ref, parse_version, resolve

NOT_VERSIONS = ["9" * 45, "9" * 400, "²", "³2", "x", "", "0", "-1", "+3", " 3", "3.0",
                "9223372036854775808", "٣"]  # the last: an Arabic-Indic digit


@pytest.fixture
def churn(tracked):
    X = np.random.default_rng(0).normal(size=(50, 2))
    mlops.register(LogisticRegression().fit(X, X[:, 0] > 0), "churn", metrics={"auc": 0.9})
    return tracked


@pytest.mark.parametrize("number", NOT_VERSIONS)
def test_every_non_version_gets_the_same_error_everywhere(churn, number):
    ref = f"churn:{number}"
    says = rf"in {re.escape(repr(ref)[:60])}.*is not valid: versions are whole numbers from 1 to " \
           rf"9223372036854775807, as in churn:3"
    with pytest.raises(BadReference, match=says):
        mlops.load_model(ref)
    with pytest.raises(BadReference, match=says):
        mlops.lineage.ancestors(ref)
    with pytest.raises(BadReference, match=says):
        resolve(churn, ref)


@pytest.mark.parametrize("version", [10**50, 10**5000, 2**63, 0, -3, True, 2.0, "x", None],
                         ids=["1e50", "1e5000", "2**63", "0", "-3", "True", "2.0", "x", "None"])
def test_promote_and_tuples_refuse_what_is_not_a_version(churn, version):
    with pytest.raises(BadReference, match="is not valid: versions are whole numbers"):
        mlops.promote("churn", version)
    with pytest.raises(BadReference, match="is not valid: versions are whole numbers"):
        resolve(churn, ("churn", version))


def test_the_one_parser(churn):
    assert model_ref("churn@champion") == Ref("churn", alias="champion")
    assert model_ref("churn:03") == Ref("churn", version=3)
    assert model_ref("0123456789abcdef") is None  # a run id
    with pytest.raises(BadReference, match="is not a model reference"):
        model_ref("../x:3")
    with pytest.raises(BadReference, match="is not a model reference"):
        model_ref("churn@")
    assert parse_version(np.int64(2)) == 2
    assert mlops.promote("churn", np.int64(1)).aliases == ["champion"]
    assert mlops.load_model("churn:1") is not None and mlops.load_model("churn@champion")
