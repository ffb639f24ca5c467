"""Label-free performance: our CBPE against the realized metrics of 10 chunks whose accuracy a
covariate shift lowers step by step (error and time), and NannyML's CBPE on the very same
scores when `make bench-nannyml` installed it."""

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

from jupyter_mlops.monitoring.cbpe import calibrate, estimate, realized
from tests.bench import Result
from tests.bench.performance_data import (
    CHUNK,
    CHUNKS,
    METRICS,
    REFERENCE,
    TRAIN,
    make,
    shifts,
)
from tests.conftest import ROOT

NANNYML_PYTHON = ROOT / ".venv-nannyml" / "bin" / "python"


def _scores() -> dict[str, np.ndarray]:
    """The model's scores and the labels: reference, then the chunks one after another."""
    model = HistGradientBoostingClassifier(max_iter=100, random_state=0).fit(
        *make(TRAIN, shift=0, seed=0))
    x_ref, y_ref = make(REFERENCE, shift=0, seed=1)
    chunks = [make(CHUNK, shift=s, seed=10 + i) for i, s in enumerate(shifts())]
    return {"reference_scores": model.predict_proba(x_ref)[:, 1], "reference_labels": y_ref,
            "analysis_scores": model.predict_proba(np.vstack([c[0] for c in chunks]))[:, 1],
            "analysis_labels": np.concatenate([c[1] for c in chunks])}


def _ours(data: dict[str, np.ndarray]) -> dict[str, list[float]]:
    """Fit on the reference, estimate every chunk: what NannyML's fit + estimate do."""
    calibration = calibrate(data["reference_scores"], data["reference_labels"])
    found: dict[str, list[float]] = {f"{m}{s}": [] for m in METRICS
                                     for s in ("", "_low", "_high")}
    for i in range(CHUNKS):
        scores = data["analysis_scores"][i * CHUNK:(i + 1) * CHUNK]
        for e in estimate(scores, calibration.apply(scores)):
            found[e.metric].append(e.estimated)
            found[f"{e.metric}_low"].append(e.ci_low)
            found[f"{e.metric}_high"].append(e.ci_high)
    return found


def _realized(data: dict[str, np.ndarray]) -> dict[str, list[float]]:
    rows = [realized(data["analysis_scores"][i * CHUNK:(i + 1) * CHUNK],
                     data["analysis_labels"][i * CHUNK:(i + 1) * CHUNK]) for i in range(CHUNKS)]
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
    data = _scores()
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
    theirs = _nannyml(data)
    if theirs:
        covered_theirs = _covered(theirs, truth)
        their_error = _error(theirs, truth)
        their_mean = float(np.mean(list(their_error.values())))
        return [
            Result("performance: CBPE error vs realized, mean over 10 chunks x 3 metrics",
                   mean_error, "", "<= NannyML's", mean_error <= their_mean,
                   f"NannyML CBPE {their_mean:.4f} ("
                   + ", ".join(f"{m} {v:.4f}" for m, v in their_error.items())
                   + f", its bands held {covered_theirs} of 30); ours: {shown}, our 95% "
                   f"intervals held {covered} of 30",
                   f"{mean_error / their_mean:.2f}x NannyML's error"),
            Result("performance: fit on 20k reference + estimate 10 chunks of 5k (CPU)", cpu,
                   "ms", ">= 10x faster than NannyML", theirs["cpu"] * 1000 >= 10 * cpu,
                   f"NannyML CBPE fit + estimate {theirs['cpu'] * 1000:.0f} ms CPU",
                   f"{theirs['cpu'] * 1000 / cpu:.0f}x faster than NannyML"),
        ]
    return [
        Result("performance: CBPE error vs realized, mean over 10 chunks x 3 metrics",
               mean_error, "", "<= 0.01", mean_error <= 0.01,
               f"ours: {shown}; our 95% intervals held {covered} of 30 "
               f"(NannyML: `make bench-nannyml`)", f"{mean_error / 0.01:.2f}x the target"),
        Result("performance: fit on 20k reference + estimate 10 chunks of 5k (CPU)", cpu, "ms",
               "<= 50 ms", cpu <= 50, "NannyML: `make bench-nannyml`",
               f"{cpu / 50:.2f}x the target"),
    ]
