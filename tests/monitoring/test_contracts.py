"""Data contracts: derived from a profile, edited as YAML, checked against bad batches
(always a verdict, never a traceback), stored as events and alerted on."""

import numpy as np
import pandas as pd
import pytest

import jupyter_mlops as mlops
from jupyter_mlops.alerts import rules
from jupyter_mlops.exceptions import StoreError
from jupyter_mlops.monitoring import contracts
from jupyter_mlops.monitoring.profiles import build_profile
from jupyter_mlops.store import queries


def training(n=500, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"age": rng.integers(18, 90, n).astype(float),
                         "income": rng.lognormal(10, 1, n),
                         "plan": rng.choice(["basic", "plus", "pro"], n),
                         "id": [f"u{i}" for i in range(n)]})


def derived():
    return contracts.derive(build_profile(training(), fingerprint=False), name="churn-input")


def test_derived_rules_and_a_clean_batch():
    c = derived()
    assert c.columns["age"] == {"nullable": False, "dtype": "numeric", "min": 18.0,
                                "max": float(training()["age"].max())}
    assert c.columns["plan"]["categories"] == ["basic", "plus", "pro"]
    assert c.columns["id"]["unique"] is True
    verdict = contracts.check(c, training(100, seed=0))
    assert verdict.ok and "kept by all 100 rows" in str(verdict)


def test_yaml_round_trip_and_edits():
    c = derived()
    c.columns["age"]["max"] = 120
    again = contracts.Contract.from_yaml(c.to_yaml())
    assert again.to_dict() == c.to_dict()
    with pytest.raises(ValueError, match=r"column 'age': unknown rule.s. maximum; rules are"):
        contracts.Contract.from_yaml("columns:\n  age: {maximum: 3}\n")
    with pytest.raises(ValueError, match="newer than this jupyter-mlops reads"):
        contracts.Contract.from_dict({"version": 99, "columns": {}})
    with pytest.raises(ValueError, match="a mapping with a 'columns' mapping"):
        contracts.Contract.from_yaml("- just a list")


def bad_batches():
    good = training(50, seed=1)
    typed = good.assign(age=good["age"].astype(str))
    newcat = good.assign(plan=["enterprise"] * 50)
    nulls = good.assign(income=np.nan)
    ranged = good.assign(age=good["age"] + 200)
    dupes = good.assign(id="u1")
    return {
        "missing column": (good.drop(columns="plan"), ("plan", "present")),
        "new categories": (newcat, ("plan", "categories")),
        "wrong dtype": (typed, ("age", "dtype")),
        "empty": (good.iloc[:0], (None, "rows")),
        "all missing": (nulls, ("income", "all_missing")),
        "out of range": (ranged, ("age", "max")),
        "repeated ids": (dupes, ("id", "unique")),
    }


@pytest.mark.parametrize("case", list(bad_batches()))
def test_bad_batches_get_a_verdict(case):
    batch, (column, rule) = bad_batches()[case]
    verdict = contracts.check(derived(), batch)
    assert not verdict.ok
    assert (column, rule) in [(v.column, v.rule) for v in verdict.violations], verdict
    assert "violation" in str(verdict) and rule in verdict._repr_html_()


def test_not_a_table_is_one_clear_error():
    with pytest.raises(TypeError, match=r"the batch must be a pandas DataFrame, not list"):
        contracts.check(derived(), [1, 2])
    with pytest.raises(TypeError, match=r"check\(\) takes a Contract"):
        contracts.check({"columns": {}}, training())


def test_saved_with_a_model_checked_stored_and_alerted(store, tracker):
    mlops.profile(training(), name="churn:1")
    verdict = contracts.check_batch("churn:1", training(40, seed=2).drop(columns="plan"))
    assert [(v.column, v.rule) for v in verdict.violations] == [("plan", "present")]
    assert contracts.load("churn:1").columns["plan"]["categories"] == ["basic", "plus", "pro"]
    edited = contracts.load("churn:1")
    edited.columns["age"]["max"] = 200
    contracts.save(edited, model="churn:1")
    assert contracts.load("churn:1").columns["age"]["max"] == 200
    assert mlops.check_contract("churn:1", training(40, seed=3)).ok
    checks = queries.contract_checks(store)
    assert list(checks["ok"]) == [True, False]
    assert checks.loc[1, "details"][0]["rule"] == "present"
    sources = queries.alert_outbox(store, since=0, recent_since=0)["sources"]
    violated = [s for s in sources if s["kind"] == "contract_violated"]
    assert len(violated) == 1 and violated[0]["model"] == "churn:1"
    title, text = rules._title_text(violated[0])
    assert title == "contract churn:1 violated for churn:1: 1 rule" and text == "plan: present"
    with pytest.raises(StoreError, match=r"no contract or profile for 'nope:1'"):
        contracts.check_batch("nope:1", training())
