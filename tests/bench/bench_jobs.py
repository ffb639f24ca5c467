"""Jobs: `jupyter mlops run` against plain `papermill` on the same small notebook, and 20
queued jobs through the local executor with concurrency 2 against 10 × one job."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jupyter_mlops.jobs.executors import LocalExecutor
from jupyter_mlops.jobs.runner import prepare
from jupyter_mlops.store import Store
from tests.bench import Result
from tests.jobs.conftest import write_notebook

BIN = Path(sys.executable).parent
ROUNDS = 7


def _timed(args: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(args, check=True, env=env, capture_output=True)
    return time.perf_counter() - t


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        nb = write_notebook(folder / "small.ipynb", "import math\ny = math.sqrt(alpha) * n",
                            "print(y)")
        env = {**os.environ, "JUPYTER_MLOPS_HOME": str(folder / "store")}
        ours_cmd = [str(BIN / "jupyter-mlops"), "run", str(nb), "-p", "alpha", "0.5"]
        plain_cmd = [str(BIN / "papermill"), str(nb), str(folder / "out.ipynb"), "-p",
                     "alpha", "0.5", "--no-progress-bar"]
        _timed(ours_cmd, env), _timed(plain_cmd, env)  # warm the page cache
        ours, plain = [], []
        for _ in range(ROUNDS):  # interleaved, so drift in machine load hits both
            ours.append(_timed(ours_cmd, env))
            plain.append(_timed(plain_cmd, env))
        ours_s, plain_s = statistics.median(ours), statistics.median(plain)

        store = Store.open(folder / "store")
        one = []
        for _ in range(3):
            executor = LocalExecutor(1)
            t = time.perf_counter()
            executor.submit(prepare(nb, {"alpha": 1}, store=store)).result()
            one.append(time.perf_counter() - t)
            executor.shutdown()
        one_s = statistics.median(one)
        executor = LocalExecutor(2)
        t = time.perf_counter()
        futures = [executor.submit(prepare(nb, {"alpha": i}, store=store)) for i in range(20)]
        statuses = {f.result().status for f in futures}
        queued_s = time.perf_counter() - t
        executor.shutdown()
        assert statuses == {"succeeded"}, statuses
    ratio = ours_s / plain_s
    return [
        Result("jobs: `jupyter mlops run` small notebook, wall (median of 7)", ours_s, "s",
               "<= 1.15x papermill", ratio <= 1.15,
               f"plain papermill CLI {plain_s:.2f} s", f"{ratio:.2f}x papermill"),
        Result("jobs: 20 queued jobs, local executor, concurrency 2", queued_s, "s",
               "<= 1.2 x 10 x one job", queued_s <= 1.2 * 10 * one_s,
               f"one job through the executor {one_s:.2f} s (10 x = {10 * one_s:.1f} s)",
               f"{queued_s / (10 * one_s):.2f}x ten jobs in sequence"),
    ]
