"""The drift verdicts: exactness, sketch tolerance, calibration, power, bad input."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from jupyter_mlops.monitoring.detect import Options, drift, score
from jupyter_mlops.monitoring.profiles import Profile, build_profile

CATS = list("abcdefghij")


def frame(rng, n, *, mean=0.0, scale=1.0, cat_p=None, numeric=4, categorical=1):
    data = {f"x{i}": rng.normal(mean, scale, n) for i in range(numeric)}
    for j in range(categorical):
        data[f"c{j}"] = rng.choice(CATS, n, p=cat_p)
    return pd.DataFrame(data)


def test_report_rows_equal_scipy():
    rng = np.random.default_rng(1)
    ref, cur = frame(rng, 3000, numeric=1), frame(rng, 2000, mean=0.3, numeric=1)
    rows = drift(ref, cur, save=False).to_frame().set_index("column")
    ks = stats.ks_2samp(ref.x0, cur.x0)
    assert rows.loc["x0", "statistic"] == pytest.approx(ks.statistic, abs=1e-12)
    assert rows.loc["x0", "p_value"] == pytest.approx(ks.pvalue, abs=1e-9)
    assert rows.loc["x0", "effect"] == pytest.approx(
        stats.wasserstein_distance(ref.x0, cur.x0) / ref.x0.std(ddof=0), abs=1e-9)
    table = pd.crosstab(np.r_[np.zeros(3000), np.ones(2000)], np.r_[ref.c0, cur.c0])
    chi = stats.chi2_contingency(table, correction=False)
    assert rows.loc["c0", "statistic"] == pytest.approx(chi.statistic, abs=1e-9)
    assert rows.loc["c0", "p_value"] == pytest.approx(chi.pvalue, abs=1e-9)


@pytest.mark.parametrize("dist", ["normal", "lognormal"])
def test_stored_sketch_stays_within_1e_3_of_exact(dist):
    rng = np.random.default_rng(2)
    draw = (lambda n, s=0: rng.normal(s, 1, n)) if dist == "normal" else (
        lambda n, s=0: rng.lognormal(s, 1, n))
    ref = pd.DataFrame({"v": draw(200_000)})
    cur = pd.DataFrame({"v": draw(10_000, 0.05)})
    exact = build_profile(ref)
    sketch = Profile.from_dict(exact.to_dict())  # what the store keeps
    assert not sketch.columns["v"].exact and sketch.columns["v"].values.size < 2049 + 512
    a = score(exact, cur, Options()).to_frame().iloc[0]
    b = score(sketch, cur, Options()).to_frame().iloc[0]
    assert abs(a.statistic - b.statistic) <= 1e-3
    assert abs(a.effect - b.effect) <= 1e-3
    assert (a.psi, a.js) == pytest.approx((b.psi, b.js), abs=1e-12)  # same bins: exact


@pytest.mark.parametrize("batch, repeats", [(50, 150), (200, 150), (1000, 100), (100_000, 12)])
def test_null_false_alarm_rate_at_most_6_percent(batch, repeats):
    rng = np.random.default_rng(batch)
    reference = build_profile(frame(rng, 200_000, numeric=8, categorical=2))
    alarms = tests = 0
    for _ in range(repeats):
        rows = score(reference, frame(rng, batch, numeric=8, categorical=2), Options())
        alarms += len(rows.drifted_columns)
        tests += len(rows.compared)
    assert alarms / tests <= 0.06, f"{alarms} false alarms in {tests} column tests"


def test_power_at_10k_rows():
    rng = np.random.default_rng(3)
    reference = build_profile(frame(rng, 200_000, numeric=2))
    shifted = frame(rng, 10_000, numeric=2, cat_p=[0.2] + [0.8 / 9] * 9)
    shifted["x0"] += 0.2  # 0.2 std in mean
    shifted["x1"] *= 1.3  # scale
    report = score(reference, shifted, Options())
    assert set(report.drifted_columns) == {"x0", "x1", "c0"}


def test_effect_measures_are_parameters():
    rng = np.random.default_rng(8)
    ref, cur = frame(rng, 5000), frame(rng, 5000, mean=0.5, cat_p=[0.3] + [0.7 / 9] * 9)
    base = drift(ref, cur, save=False).to_frame().set_index("column")
    psi = drift(ref, cur, numeric_effect="psi", categorical_effect="tvd",
                save=False).to_frame().set_index("column")
    assert psi.loc["x0", "effect_name"] == "psi"
    assert psi.loc["x0", "effect"] == base.loc["x0", "psi"]
    assert psi.loc["c0", "effect"] == pytest.approx(base.loc["c0", "tvd"])
    assert base.loc["c0", "tvd"] == pytest.approx(0.2, abs=0.03)
    with pytest.raises(ValueError, match="numeric_effect must be one of"):
        drift(ref, cur, numeric_effect="energy", save=False)


def test_large_samples_do_not_flag_negligible_shifts():
    rng = np.random.default_rng(4)
    ref = frame(rng, 200_000, numeric=1, categorical=0)
    cur = frame(rng, 200_000, mean=0.03, numeric=1, categorical=0)
    row = drift(ref, cur, save=False).to_frame().iloc[0]
    assert row.p_adjusted < 1e-6 and not row.drifted  # significant, but negligible


def test_bad_input_gets_clear_errors_or_skipped_rows():
    rng = np.random.default_rng(5)
    ref = pd.DataFrame({"a": rng.normal(size=500), "empty": np.nan, "const": 1.0,
                        "mixed": [1, "x"] * 250, "only_ref": 1.0,
                        "when": pd.date_range("2024", periods=500)})
    cur = pd.DataFrame({"a": rng.normal(size=300), "empty": np.nan, "const": 1.0,
                        "mixed": [2, "y"] * 150, "only_cur": 2.0,
                        "when": pd.date_range("2025", periods=300)})
    rows = drift(ref, cur, save=False).to_frame().set_index("column")
    assert rows.loc["empty", "skipped"] == "reference: all values are missing"
    assert rows.loc["mixed", "skipped"].startswith("reference: mixed types in one column")
    assert rows.loc["only_ref", "skipped"] == "only in reference"
    assert rows.loc["only_cur", "skipped"] == "only in current"
    assert "derive numeric features" in rows.loc["when", "skipped"]
    assert rows.loc["const", "kind"] == "categorical" and not rows.loc["const", "drifted"]
    assert rows.loc["a", "kind"] == "numeric"
    with pytest.raises(ValueError, match="current has no rows"):
        drift(ref, cur.iloc[:0], save=False)
    with pytest.raises(TypeError, match="reference must be a pandas DataFrame"):
        drift([1, 2, 3], cur, save=False)
    with pytest.raises(ValueError, match="share no column"):
        drift(pd.DataFrame({"p": [1.0] * 50}), pd.DataFrame({"q": [1.0] * 50}), save=False)
    with pytest.raises(ValueError, match="correction must be"):
        drift(ref, cur, correction="bonferroni", save=False)
    changed = cur.assign(a=cur.a.astype(str))
    row = drift(ref, changed, save=False).to_frame().set_index("column").loc["a"]
    assert row.skipped.startswith("numeric in reference")


def test_missing_share_is_its_own_signal():
    rng = np.random.default_rng(6)
    ref = pd.DataFrame({"v": rng.normal(size=5000)})
    cur = pd.DataFrame({"v": rng.normal(size=5000)})
    cur.loc[:1000, "v"] = np.nan
    row = drift(ref, cur, save=False).to_frame().iloc[0]
    assert row.missing_drifted and not row.drifted
    assert row.missing_current == pytest.approx(1001 / 5000)


def test_evidently_compatible_rules():
    rng = np.random.default_rng(7)
    small = drift(frame(rng, 800), frame(rng, 800, mean=0.3), evidently_compatible=True,
                  save=False).to_frame().set_index("column")
    assert small.loc["x0", "method"] == "ks" and small.loc["c0", "method"] == "chisquare"
    big = drift(frame(rng, 5000), frame(rng, 5000, mean=0.3), evidently_compatible=True,
                save=False).to_frame().set_index("column")
    assert big.loc["x0", "method"] == "wasserstein" and big.loc["x0", "drifted"]
    assert big.loc["c0", "method"] == "jensenshannon"
    assert big.p_adjusted.equals(big.p_value)  # no correction, as Evidently


def test_dataset_fingerprints_are_computed_only_when_asked():
    from jupyter_mlops.capture.fingerprint import fingerprint

    rng = np.random.default_rng(9)
    ref, cur = frame(rng, 500), frame(rng, 400)
    report = drift(ref, cur, save=False)
    assert callable(report.current_source) and callable(report.reference_source)
    assert (report.reference, report.current) == (fingerprint(ref), fingerprint(cur))
    assert report.current_source == fingerprint(cur)  # computed once, then kept
    gone = drift(frame(rng, 300), frame(rng, 300), save=False)
    assert gone.current is None  # the batch was a temporary: nothing left to hash
