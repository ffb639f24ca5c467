"""An input's fingerprint is its bytes: the same file is one lineage node wherever it lies,
and one value changed inside is another (a Parquet footer alone would not tell: its sizes
and min/max stay the same)."""

import shutil

import numpy as np
import pandas as pd

from jupyter_mlops.scoring.files import file_fingerprint


def frame(value: float) -> pd.DataFrame:
    x = np.arange(10_000.0)
    x[1234] = value
    return pd.DataFrame({"x": x, "k": np.arange(10_000) % 7})


def test_a_copy_is_the_same_input_and_one_changed_value_another(tmp_path):
    for suffix, write in ((".parquet", pd.DataFrame.to_parquet),
                          (".csv", pd.DataFrame.to_csv)):
        first, copy, changed = (tmp_path / f"{n}{suffix}" for n in ("a", "b", "c"))
        write(frame(0.5), first)
        shutil.copy(first, copy)
        write(frame(0.25), changed)
        assert file_fingerprint(first) == file_fingerprint(copy), suffix
        assert file_fingerprint(first) != file_fingerprint(changed), suffix
