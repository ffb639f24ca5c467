"""Drift: a full report on 200k × 25 against a plain scipy loop; scoring a 10k batch
against a stored profile; Evidently beside it when `make bench-evidently` installed it."""

from __future__ import annotations

import json
import statistics
import subprocess
import time
import tracemalloc
from pathlib import Path

from scipy import stats

from jupyter_mlops.monitoring.detect import Options, drift, score
from jupyter_mlops.monitoring.profiles import Profile, build_profile
from tests.bench import Result
from tests.bench.drift_data import NUMERIC, make
from tests.conftest import ROOT

EVIDENTLY_PYTHON = ROOT / ".venv-evidently" / "bin" / "python"


def _scipy_loop(ref, cur) -> float:
    t = time.process_time()
    for i in range(NUMERIC):
        a, b = ref[f"num{i}"].to_numpy(), cur[f"num{i}"].to_numpy()
        stats.ks_2samp(a, b)
        stats.wasserstein_distance(a, b)
    return time.process_time() - t


def _evidently() -> dict | None:
    if not EVIDENTLY_PYTHON.exists():
        return None
    done = subprocess.run([str(EVIDENTLY_PYTHON), str(Path(__file__).with_name("drift_data.py"))],
                          capture_output=True, text=True, timeout=900)
    return json.loads(done.stdout.splitlines()[-1]) if done.returncode == 0 else None


def run() -> list[Result]:
    ref, cur = make(shifted=False, seed=1), make(shifted=True, seed=2)
    drift(ref.head(2000), cur.head(2000), save=False)  # warm up imports
    cpus = []
    for _ in range(3):
        t = time.process_time()
        report = drift(ref, cur, save=False)
        cpus.append(time.process_time() - t)
    cpu = statistics.median(cpus)
    tracemalloc.start()  # a separate run: tracing slows allocation down
    drift(ref, cur, save=False)
    peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    frames_mb = (ref.memory_usage(deep=True).sum() + cur.memory_usage(deep=True).sum()) / 2**20
    loop = _scipy_loop(ref, cur)
    expected = sorted([f"num{i}" for i in range(5)] + ["cat0"])
    assert sorted(report.drifted_columns) == expected, report.drifted_columns

    stored = Profile.from_dict(json.loads(json.dumps(build_profile(ref).to_dict())))
    batch = cur.sample(10_000, random_state=0)
    times = []
    for _ in range(15):
        t = time.perf_counter()
        score(stored, batch, Options())
        times.append(time.perf_counter() - t)
    scoring = statistics.median(times) * 1000

    evidently = _evidently()
    if evidently:
        same = sorted(evidently["drifted"]) == expected
        theirs = (f"Evidently DataDriftPreset {evidently['cpu']:.1f} s CPU, "
                  f"{evidently['peak_mb']:.0f} MB peak; flagged {len(evidently['drifted'])} "
                  f"columns{' (the same)' if same else ': ' + ', '.join(evidently['drifted'])}")
        ratio = f"{evidently['cpu'] / cpu:.0f}x faster than Evidently, {loop / cpu:.2f}x the loop"
    else:
        theirs = f"scipy ks_2samp + wasserstein_distance loop, 20 columns: {loop:.2f} s CPU"
        ratio = f"{loop / cpu:.2f}x the scipy loop's CPU (Evidently: `make bench-evidently`)"
    return [
        Result("drift: full report 200k x 25 (CPU, median of 3)", cpu, "s", "<= 1 s", cpu <= 1,
               theirs, ratio),
        Result("drift: peak extra memory of that report", peak_mb, "MB", "<= 200 MB",
               peak_mb <= 200, f"the two input frames: {frames_mb:.0f} MB",
               f"{peak_mb / frames_mb:.2f}x the inputs (tracemalloc)"),
        Result("drift: score a 10k batch against a stored profile (median)", scoring, "ms",
               "<= 50 ms", scoring <= 50, "profile of 200k rows, 25 columns, sketched",
               f"{scoring / 50:.2f}x the target"),
    ]
