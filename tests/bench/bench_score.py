"""Batch scoring (issue 20): ``mlops.score`` of a Parquet file of N rows x 25 columns against
the same model's own ``predict`` on the same data already in memory, and the scoring
process's peak RSS. Each side runs in a fresh process (its ``ru_maxrss`` is its own).

N is the issue's 10,000,000 by default; ``JUPYTER_MLOPS_BENCH_SCORE_ROWS`` sets a smaller size
on a loaded machine (the figure's name says which size was measured). The file is generated
once into ``JUPYTER_MLOPS_BENCH_CACHE`` (default: the temp folder), as bench_profile's are.
Both sides run ``JUPYTER_MLOPS_BENCH_SCORE_PAIRS`` times (2) alternately; each one's fastest
run is the figure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.bench import Result
from tests.conftest import ROOT

ROWS = int(os.environ.get("JUPYTER_MLOPS_BENCH_SCORE_ROWS", "10000000"))
#: Pairs of runs, in-memory then score, each side's fastest kept: the other tenants' load
#: swings one run of the in-memory side from 20 s to 55 s at 10M rows.
PAIRS = int(os.environ.get("JUPYTER_MLOPS_BENCH_SCORE_PAIRS", "2"))
COLUMNS = 25

MAKE = """
import os, sys, numpy as np, pyarrow as pa, pyarrow.parquet as pq
rows, path = int(sys.argv[1]), sys.argv[2]
names = [f"f{i:02d}" for i in range(25)]
rng = np.random.default_rng(0)
with pq.ParquetWriter(path + ".partial", pa.schema([(c, pa.float64()) for c in names])) as w:
    for start in range(0, rows, 500_000):
        X = rng.normal(size=(min(500_000, rows - start), 25))
        w.write_table(pa.table({c: X[:, i] for i, c in enumerate(names)}),
                      row_group_size=250_000)
os.replace(path + ".partial", path)
"""

# The model is fitted on the file's first 50,000 rows, the same whatever the store.
REGISTER = """
import sys, numpy as np, pyarrow.parquet as pq
import jupyter_mlops as mlops
from sklearn.ensemble import HistGradientBoostingClassifier
train = next(pq.ParquetFile(sys.argv[1]).iter_batches(batch_size=50_000)).to_pandas()
noise = np.random.default_rng(1).normal(size=len(train))
y = (train.f00 + train.f01 * train.f02 + noise > 0).astype(int)
model = HistGradientBoostingClassifier(max_iter=100, random_state=0).fit(train, y)
mlops.register(model, "bench", metrics={}, input_example=train.head(100))
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


def data(rows: int = ROWS) -> Path:
    """The seeded file (normal floats, row groups of 250,000), made once."""
    cache = Path(os.environ.get("JUPYTER_MLOPS_BENCH_CACHE", tempfile.gettempdir()))
    path = cache / f"mlops-bench-score-{rows}.parquet"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        _python(MAKE, str(rows), str(path), env=dict(os.environ))
    return path


def _python(code: str, *args: str, env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, timeout=3600,
                          check=False)
    if done.returncode:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout.splitlines()[-1]) if done.stdout.strip() else {}


def run() -> list[Result]:
    batch = str(data())
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "JUPYTER_MLOPS_HOME": str(Path(tmp) / "store")}
        out = str(Path(tmp) / "scored.parquet")
        _python(REGISTER, batch, env=env)
        runs = [(_python(MEMORY, batch, env=env), _python(SCORE, batch, out, str(ROWS), env=env))
                for _ in range(PAIRS)]
    memory = min((m for m, _ in runs), key=lambda m: m["seconds"])
    scored = min((s for _, s in runs), key=lambda s: s["seconds"])
    peak = max(s["peak_mb"] for _, s in runs)
    ratio = scored["seconds"] / memory["seconds"]
    size = f"{ROWS / 1e6:g}M rows x {COLUMNS} columns"

    def times(side: int) -> str:
        return ", ".join(f"{pair[side]['seconds']:.1f}" for pair in runs)

    return [
        Result(f"score: Parquet {size}, time vs predict in memory", ratio, "x",
               "≤ 1.2x", ratio <= 1.2,
               f"predict in memory {memory['seconds']:.1f} s (runs {times(0)} s; peak "
               f"{memory['peak_mb']:.0f} MB)",
               f"score {scored['seconds']:.1f} s (runs {times(1)} s; + "
               f"{scored['imports']:.1f} s of imports)"),
        Result(f"score: Parquet {size}, peak RSS", peak, "MB", "≤ 1024 MB",
               peak <= 1024, f"in memory {memory['peak_mb']:.0f} MB",
               f"{peak / memory['peak_mb']:.2f}x"),
    ]
