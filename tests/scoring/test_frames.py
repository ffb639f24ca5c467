"""The chunk conversion ``score`` predicts on: float columns copied from Arrow into one reused
buffer give the DataFrame ``to_pandas`` gives (nulls as NaN, the model's column order), other
types go through pandas as the model saw them, and a Parquet input is read column-pruned in
chunks sized by its width."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from jupyter_mlops import signatures
from jupyter_mlops.scoring.files import chunk_rows_for, open_input
from jupyter_mlops.scoring.frames import Frames


def test_float_columns_equal_to_pandas_and_reuse_one_buffer():
    first = pa.record_batch({"b": [1.5, None, 3.0], "a": [0.25, 2.0, -1.0]})
    second = pa.record_batch({"b": [7.0, 8.0], "a": [None, 9.5]})
    frames = Frames(["a", "b"], None)  # the model's order, not the file's
    got = frames(first)
    pd.testing.assert_frame_equal(got, first.to_pandas()[["a", "b"]])
    assert np.isnan(got.loc[1, "b"])
    kept = got.to_numpy()
    again = frames(second)
    pd.testing.assert_frame_equal(again, second.to_pandas()[["a", "b"]])
    assert np.shares_memory(kept, again.to_numpy())  # no fresh 100 MB per chunk
    table = pa.Table.from_batches([second, first])  # a chunk read as quarter-size parts
    pd.testing.assert_frame_equal(frames(table), table.to_pandas()[["a", "b"]])


def test_a_part_is_made_in_the_calling_threads_own_buffer():
    batch = pa.record_batch({"a": np.arange(6.0), "b": -np.arange(6.0)})
    frames = Frames(["a", "b"], None)
    here = frames.part(batch, 1, 4)
    with ThreadPoolExecutor(1) as pool:
        there = pool.submit(frames.part, batch, 4, 6).result()
    pd.testing.assert_frame_equal(here, batch.to_pandas().iloc[1:4].reset_index(drop=True))
    pd.testing.assert_frame_equal(there, batch.to_pandas().iloc[4:6].reset_index(drop=True))
    assert not np.shares_memory(here.to_numpy(), there.to_numpy())  # two threads, two buffers


def test_other_types_go_through_pandas_as_the_model_saw_them():
    seen = pd.DataFrame({"x": [0.5, 1.5], "n": [1.0, 2.0], "plan": pd.Categorical(["a", "b"])})
    signature = signatures.infer(seen)
    batch = pa.record_batch({"x": [0.1, 0.2], "n": [3, 4], "plan": ["b", "a"]})
    got = Frames(["x", "n", "plan"], signature)(batch)
    assert got["n"].dtype == np.float64  # an integer column where floats were seen
    assert isinstance(got["plan"].dtype, pd.CategoricalDtype)  # text as the category it was
    assert got["x"].tolist() == [0.1, 0.2]


def test_parquet_read_column_pruned_in_chunks_sized_by_width(tmp_path):
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"a": np.arange(10.0), "b": np.arange(10.0),
                             "note": [str(i) for i in range(10)]}), path)
    source = open_input(path)
    assert source.schema.names == ["a", "b", "note"] and source.rows == 10
    chunks = list(source.read(["a"], 8))  # the first a quarter: the model starts sooner
    assert [c.num_rows for c in chunks] == [2, 8]
    assert {tuple(c.schema.names) for c in chunks} == {("a",)}
    assert pa.concat_tables(chunks).column("a").to_pylist() == list(np.arange(10.0))
    assert chunk_rows_for(25) > 400_000  # ~96 MB of 25 float columns
    assert chunk_rows_for(100_000) == 10_000 and chunk_rows_for(1) == 1_000_000
