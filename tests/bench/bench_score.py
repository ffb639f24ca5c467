"""Batch scoring (issue 20): ``mlops.score`` of a Parquet file of N rows x 25 columns against
the same model's own ``predict`` on the same data already in memory, and the scoring
process's peak RSS. Each side runs in a fresh process (its ``ru_maxrss`` is its own).

N is 2,000,000 by default (the machine is shared); ``JUPYTER_MLOPS_BENCH_SCORE_ROWS=10000000``
runs the issue's full size. The figure's name says which size was measured.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.bench import Result

ROWS = int(os.environ.get("JUPYTER_MLOPS_BENCH_SCORE_ROWS", "2000000"))
COLUMNS = 25

SETUP = """
import sys, numpy as np, pyarrow as pa, pyarrow.parquet as pq
import jupyter_mlops as mlops
from sklearn.ensemble import HistGradientBoostingClassifier
rows, path = int(sys.argv[1]), sys.argv[2]
names = [f"f{i:02d}" for i in range(25)]
rng = np.random.default_rng(0)
writer = None
for start in range(0, rows, 500_000):
    n = min(500_000, rows - start)
    X = rng.normal(size=(n, 25))
    table = pa.table({c: X[:, i] for i, c in enumerate(names)})
    writer = writer or pq.ParquetWriter(path, table.schema)
    writer.write_table(table, row_group_size=250_000)
    if start == 0:
        import pandas as pd
        train = pd.DataFrame(X[:50_000], columns=names)
        y = (train.f00 + train.f01 * train.f02 + rng.normal(size=50_000) > 0).astype(int)
        model = HistGradientBoostingClassifier(max_iter=100, random_state=0).fit(train, y)
        mlops.register(model, "bench", metrics={}, input_example=train.head(100))
writer.close()
"""

MEMORY = """
import json, resource, sys, time, pyarrow.parquet as pq
import jupyter_mlops as mlops
model = mlops.load_model("bench:1")
frame = pq.read_table(sys.argv[1]).to_pandas()
t = time.perf_counter()
model.predict(frame)
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

# The libraries are imported before the clock starts, as the in-memory side's are (by its
# untimed load_model); their import is timed apart and shown beside the figure.
SCORE = """
import json, resource, sys, time
t = time.perf_counter()
import jupyter_mlops as mlops
import jupyter_mlops.scoring, skops.io, sklearn.ensemble
imports = time.perf_counter() - t
t = time.perf_counter()
done = mlops.score("bench:1", sys.argv[1], sys.argv[2])
seconds = time.perf_counter() - t
assert done.rows == int(sys.argv[3])
print(json.dumps({"seconds": seconds, "imports": imports,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _python(code: str, *args: str, env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, check=False)
    if done.returncode:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout.splitlines()[-1]) if done.stdout.strip() else {}


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "JUPYTER_MLOPS_HOME": str(Path(tmp) / "store")}
        data, out = str(Path(tmp) / "batch.parquet"), str(Path(tmp) / "scored.parquet")
        _python(SETUP, str(ROWS), data, env=env)
        memory = _python(MEMORY, data, env=env)
        scored = _python(SCORE, data, out, str(ROWS), env=env)
    ratio = scored["seconds"] / memory["seconds"]
    size = f"{ROWS / 1e6:g}M rows x {COLUMNS} columns"
    return [
        Result(f"score: Parquet {size}, time vs predict in memory", ratio, "x",
               "≤ 1.2x", ratio <= 1.2,
               f"predict in memory {memory['seconds']:.1f} s (peak {memory['peak_mb']:.0f} MB)",
               f"score {scored['seconds']:.1f} s (+ {scored['imports']:.1f} s of imports)"),
        Result(f"score: Parquet {size}, peak RSS", scored["peak_mb"], "MB", "≤ 1024 MB",
               scored["peak_mb"] <= 1024, f"in memory {memory['peak_mb']:.0f} MB",
               f"{scored['peak_mb'] / memory['peak_mb']:.2f}x"),
    ]
