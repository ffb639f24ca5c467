"""Profiles at scale: 20M rows × 25 columns of Parquet profiled out of core (peak RSS and
rows/s, beside DuckDB's own count-and-average scan of the same files; both timed from their
libraries imported, as bench_score times its sides), and the KS
difference between a merged profile and the single pass against its documented bound.

``JUPYTER_MLOPS_BENCH_PROFILE_ROWS`` sets a smaller size on a loaded machine; the files
are generated once into ``JUPYTER_MLOPS_BENCH_CACHE`` (default: the temp folder).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from jupyter_mlops.monitoring import statistics as st
from jupyter_mlops.monitoring.profile_merge import merge
from jupyter_mlops.monitoring.profiles import Profile, build_profile
from tests.bench import Result
from tests.bench.drift_data import CATEGORICAL, NUMERIC, make
from tests.conftest import ROOT

ROWS = int(os.environ.get("JUPYTER_MLOPS_BENCH_PROFILE_ROWS", 20_000_000))
FILES = 8

_MEASURE = """
import json, resource, sys, time
mode, folder = sys.argv[1], sys.argv[2]
t = time.perf_counter()
import duckdb
if mode == "profile":
    import pyarrow.parquet
    from jupyter_mlops.monitoring.profile_scale import profile_parquet
imports = time.perf_counter() - t
t = time.perf_counter()
if mode == "profile":
    rows = profile_parquet(folder).rows
else:
    con = duckdb.connect(config={"memory_limit": "512MB"})
    columns = [f"num{i}" for i in range(NUMERIC)]
    rows = con.execute("SELECT count(*), " + ", ".join(f"avg({c})" for c in columns)
                       + f" FROM read_parquet('{folder}/*.parquet')").fetchall()[0][0]
print(json.dumps({"seconds": time.perf_counter() - t, "rows": rows, "imports": imports,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
""".replace("NUMERIC", str(NUMERIC))


def data(rows: int = ROWS) -> Path:
    """The seeded files (normal numerics, 10-category text columns), made once by DuckDB
    (so making them needs no memory either)."""
    import duckdb

    cache = Path(os.environ.get("JUPYTER_MLOPS_BENCH_CACHE", tempfile.gettempdir()))
    folder = cache / f"mlops-bench-profile-{rows}"
    if (folder / "done").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    numeric = ", ".join(f"sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) * {1 + i % 3}"
                        f" + {i} AS num{i}" for i in range(NUMERIC))
    text = ", ".join(f"'k' || floor(random() * 10)::INTEGER AS cat{j}"
                     for j in range(CATEGORICAL))
    con = duckdb.connect(config={"memory_limit": "512MB"})
    con.execute("SELECT setseed(0.5)")
    per = -(-rows // FILES)
    for f in range(FILES):
        count = min(per, rows - f * per)
        con.execute(f"COPY (SELECT {numeric}, {text} FROM range({count})) "
                    f"TO '{folder / f'part-{f}.parquet'}' (FORMAT parquet)")
    con.close()
    (folder / "done").touch()
    return folder


def _measure(mode: str, folder: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", _MEASURE, mode, str(folder)], cwd=ROOT,
                          capture_output=True, text=True, timeout=3600, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    return dict(json.loads(done.stdout[done.stdout.rindex("{"):]))  # after any progress bar


def _merged_ks() -> tuple[float, float]:
    """Largest |KS(merged) - KS(single pass)| over the numeric columns, and the bound."""
    ref, cur = make(1_000_000, shifted=False, seed=1), make(20_000, shifted=True, seed=2)
    single = build_profile(ref, fingerprint=False)
    parts = [Profile.from_dict(build_profile(ref.iloc[i:i + 125_000], fingerprint=False)
                               .to_dict()) for i in range(0, len(ref), 125_000)]
    merged = merge(parts)
    worst, bound = 0.0, 0.0
    for i in range(NUMERIC):
        name = f"num{i}"
        values = np.sort(cur[name].to_numpy(float))
        exact, _ = st.ks_wasserstein(single.columns[name].values, values)
        column = merged.columns[name]
        found, _ = st.sketch_ks_wasserstein(column.levels, column.values, values)
        worst, bound = max(worst, abs(found - exact)), max(bound, column.error)
    return worst, bound


def run() -> list[Result]:
    folder = data()
    scan = _measure("scan", folder)
    found = _measure("profile", folder)
    assert found["rows"] == scan["rows"] == ROWS
    rate = ROWS / found["seconds"]
    size = f"{ROWS / 1e6:g}M rows × {NUMERIC + CATEGORICAL} columns"
    worst, bound = _merged_ks()
    return [
        Result(f"profile {size} of Parquet: rows/s", rate, "rows/s", "≥ 5M rows/s",
               rate >= 5e6, f"DuckDB count+avg scan {ROWS / scan['seconds']:,.0f} rows/s",
               f"{found['seconds'] / scan['seconds']:.1f}× the scan's time (+ "
               f"{found['imports']:.1f} s of imports, the scan's {scan['imports']:.1f} s)"),
        Result(f"profile {size} of Parquet: peak RSS", found["peak_mb"], "MB", "≤ 1024 MB",
               found["peak_mb"] <= 1024, f"the scan {scan['peak_mb']:.0f} MB",
               f"{found['peak_mb'] / scan['peak_mb']:.1f}×"),
        Result("merged (8 partitions) vs single-pass profile: max KS difference", worst, "",
               f"≤ the merged sketch's bound {bound:.2e}", worst <= bound,
               f"bound {bound:.2e}", f"{worst / bound:.2f} of the bound"),
    ]
