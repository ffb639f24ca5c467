"""Label-free performance: our CBPE against the realized metrics of 10 chunks whose accuracy a
covariate shift lowers step by step (error and time), and NannyML's CBPE on the very same
scores when `make bench-nannyml` installed it; a binary and a four-class case."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from jupyter_mlops.monitoring.cbpe_multiclass import estimate_any, fit, realized_any
from tests.bench import Result
from tests.bench.performance_data import (
    CHUNK,
    CHUNKS,
    CLASSES,
    METRICS,
    REFERENCE,
    TRAIN,
    make,
    make_multiclass,
    shifts,
)
from tests.conftest import ROOT

NANNYML_PYTHON = ROOT / ".venv-nannyml" / "bin" / "python"


def _scores(multiclass: bool) -> dict[str, np.ndarray]:
    """The model's probabilities (n, classes) and the labels (class indices): reference,
    then the chunks one after another."""
    draw = make_multiclass if multiclass else make
    model = HistGradientBoostingClassifier(max_iter=100, random_state=0).fit(
        *draw(TRAIN, shift=0, seed=0))
    x_ref, y_ref = draw(REFERENCE, shift=0, seed=1)
    chunks = [draw(CHUNK, shift=s, seed=10 + i) for i, s in enumerate(shifts())]
    return {"reference_scores": model.predict_proba(x_ref),
            "reference_labels": y_ref.astype(int),
            "analysis_scores": model.predict_proba(np.vstack([c[0] for c in chunks])),
            "analysis_labels": np.concatenate([c[1] for c in chunks]).astype(int)}


def _ours(data: dict[str, np.ndarray]) -> dict[str, list[float]]:
    """Fit on the reference, estimate every chunk: what NannyML's fit + estimate do."""
    classes = [str(k) for k in range(data["reference_scores"].shape[1])]
    calibration = fit(data["reference_scores"], data["reference_labels"], classes)
    found: dict[str, list[float]] = {f"{m}{s}": [] for m in METRICS
                                     for s in ("", "_low", "_high")}
    for i in range(CHUNKS):
        scores = data["analysis_scores"][i * CHUNK:(i + 1) * CHUNK]
        for e in estimate_any(scores, calibration, 0.5, confidence=0.95):
            found[e.metric].append(e.estimated)
            found[f"{e.metric}_low"].append(e.ci_low)
            found[f"{e.metric}_high"].append(e.ci_high)
    return found


def _realized(data: dict[str, np.ndarray]) -> dict[str, list[float]]:
    rows = [realized_any(data["analysis_scores"][i * CHUNK:(i + 1) * CHUNK],
                         data["analysis_labels"][i * CHUNK:(i + 1) * CHUNK], 0.5)
            for i in range(CHUNKS)]
    return {m: [r[m] for r in rows] for m in METRICS}


def _nannyml(data: dict[str, np.ndarray]) -> dict | None:
    if not NANNYML_PYTHON.exists():
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scores.npz"
        np.savez(path, **data)
        done = subprocess.run([str(NANNYML_PYTHON), str(Path(__file__).with_name(
            "performance_data.py")), str(path)], capture_output=True, text=True, timeout=900,
            env={**os.environ, "NML_DISABLE_USAGE_LOGGING": "1"})
    return json.loads(done.stdout.splitlines()[-1]) if done.returncode == 0 else None


def _error(found: dict, truth: dict[str, list[float]]) -> dict[str, float]:
    """Mean absolute error over the chunks, per metric."""
    return {m: float(np.mean(np.abs(np.subtract(found[m], truth[m])))) for m in METRICS}


def _covered(found: dict, truth: dict[str, list[float]]) -> int:
    return sum(lo <= t <= hi for m in METRICS for lo, hi, t in
               zip(found[f"{m}_low"], found[f"{m}_high"], truth[m], strict=True))


def run() -> list[Result]:
    return _case(multiclass=False) + _case(multiclass=True)


def _case(multiclass: bool) -> list[Result]:
    data = _scores(multiclass)
    kind, short = (f"multiclass ({CLASSES} classes) CBPE", "multiclass: ") if multiclass \
        else ("CBPE", "")
    truth = _realized(data)
    assert truth["accuracy"][0] - truth["accuracy"][-1] > 0.08, truth  # the shift bites
    _ours(data)  # warm up
    cpus = []
    for _ in range(5):
        t = time.process_time()
        ours = _ours(data)
        cpus.append(time.process_time() - t)
    cpu = statistics.median(cpus) * 1000
    error = _error(ours, truth)
    mean_error = float(np.mean(list(error.values())))
    shown = ", ".join(f"{m} {v:.4f}" for m, v in error.items())
    covered = _covered(ours, truth)
    title = f"performance: {kind} error vs realized, mean over 10 chunks x 3 metrics"
    timed = f"performance: {short}fit on 20k reference + estimate 10 chunks of 5k (CPU)"
    theirs = _nannyml(data)
    if theirs:
        covered_theirs = _covered(theirs, truth)
        their_error = _error(theirs, truth)
        their_mean = float(np.mean(list(their_error.values())))
        return [
            Result(title, mean_error, "", "<= NannyML's", mean_error <= their_mean,
                   f"NannyML CBPE {their_mean:.4f} ("
                   + ", ".join(f"{m} {v:.4f}" for m, v in their_error.items())
                   + f", its bands held {covered_theirs} of 30); ours: {shown}, our 95% "
                   f"intervals held {covered} of 30",
                   f"{mean_error / their_mean:.2f}x NannyML's error"),
            Result(timed, cpu, "ms", ">= 10x faster than NannyML",
                   theirs["cpu"] * 1000 >= 10 * cpu,
                   f"NannyML CBPE fit + estimate {theirs['cpu'] * 1000:.0f} ms CPU",
                   f"{theirs['cpu'] * 1000 / cpu:.0f}x faster than NannyML"),
        ]
    budget = 200 if multiclass else 50
    return [
        Result(title, mean_error, "", "<= 0.01", mean_error <= 0.01,
               f"ours: {shown}; our 95% intervals held {covered} of 30 "
               f"(NannyML: `make bench-nannyml`)", f"{mean_error / 0.01:.2f}x the target"),
        Result(timed, cpu, "ms", f"<= {budget} ms", cpu <= budget,
               "NannyML: `make bench-nannyml`", f"{cpu / budget:.2f}x the target"),
    ]
