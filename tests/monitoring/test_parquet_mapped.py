"""Parquet's numeric columns read by pyarrow for a profile's pass: the same numbers as DuckDB's
``::DOUBLE`` of the same files, whatever their types."""

import os
import subprocess
import sys

import duckdb
import numpy as np

from jupyter_mlops.monitoring import parquet_mapped
from jupyter_mlops.store.queries import profile_scan as scan
from tests.conftest import ROOT


def typed_file(path):
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT range::INTEGER AS i32,
                                 CASE WHEN range % 7 = 0 THEN NULL ELSE range * 3 END AS i64,
                                 (range / 8)::DECIMAL(12, 3) AS dec,
                                 range::FLOAT / 3 AS f32,
                                 CASE WHEN range % 5 = 0 THEN 'NaN'::DOUBLE ELSE range END AS f64
                          FROM range(5000)) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1024)""")
    return con


def test_every_numeric_type_reads_as_duckdb_casts_it(tmp_path):
    path = tmp_path / "typed.parquet"
    con = typed_file(path)
    columns = ["i32", "i64", "dec", "f32", "f64"]
    ours = [np.concatenate(c) for c in zip(*parquet_mapped.batches([str(path)], columns, 1500),
                                           strict=True)]
    theirs = [np.concatenate(c) for c in zip(*scan.batches(con.read_parquet(str(path)),
                                                           columns, 1500), strict=True)]
    for name, a, b in zip(columns, ours, theirs, strict=True):
        assert a.dtype == np.float64, name
        np.testing.assert_array_equal(a, b, err_msg=name)  # NaN where missing, in both
    assert np.isnan(ours[1][::7]).all()


_PEAK = """
import resource, sys
from jupyter_mlops.monitoring import parquet_mapped
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rows = sum(len(b[0]) for b in parquet_mapped.batches([sys.argv[1]], ["a", "b", "c", "d"], 1 << 18))
print(rows, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


def test_the_mapped_file_does_not_stay_resident(tmp_path):
    """A file is read through a memory map: the pages already read are let go, so the peak
    resident memory is about a batch, not the file (256 MB here)."""
    path = tmp_path / "big.parquet"
    duckdb.connect().execute(
        f"COPY (SELECT random() AS a, random() AS b, random() AS c, random() AS d "
        f"FROM range(8000000)) TO '{path}' (FORMAT parquet, COMPRESSION uncompressed)")
    assert path.stat().st_size > 250e6
    done = subprocess.run([sys.executable, "-c", _PEAK, str(path)], capture_output=True,
                          text=True, check=True, cwd=ROOT, env={**os.environ,
                                                                "PYTHONPATH": str(ROOT)})
    rows, grew_mb = map(int, done.stdout.split())
    assert rows == 8_000_000
    assert grew_mb < 150, f"peak RSS grew by {grew_mb} MB reading a 256 MB file"
