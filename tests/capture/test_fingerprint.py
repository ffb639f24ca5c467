import numpy as np
import pandas as pd
import pytest

from jupyter_mlops.capture.fingerprint import CHUNK_BYTES, describe, fingerprint
from tests.conftest import run_python


def test_same_data_same_fingerprint_whatever_the_layout():
    a = np.arange(24, dtype="float64").reshape(4, 6)
    assert fingerprint(a) == fingerprint(np.asfortranarray(a)) == fingerprint(a.copy())
    assert fingerprint(a[:, ::2]) == fingerprint(np.ascontiguousarray(a[:, ::2]))
    df = pd.DataFrame(a, columns=list("abcdef"))
    f_ordered = pd.DataFrame(np.asfortranarray(a), columns=list("abcdef"))
    assert fingerprint(df) == fingerprint(f_ordered)


def test_any_change_changes_the_fingerprint():
    df = pd.DataFrame({"a": np.arange(1000), "b": np.linspace(0, 1, 1000), "s": ["x"] * 1000})
    base = fingerprint(df)
    variants = [df.assign(b=df.b.where(df.index != 500, 0.123)), df.rename(columns={"a": "A"}),
                df.astype({"a": "int32"}), df.iloc[::-1], df.set_axis(df.index + 1),
                df.assign(s=df.s.where(df.index != 3, "y")), df.iloc[:-1]]
    fps = [fingerprint(v) for v in variants]
    assert base not in fps
    assert len(set(fps)) == len(fps)
    a = np.zeros(10)
    assert fingerprint(a) != fingerprint(a.reshape(2, 5)) != fingerprint(a.astype("float32"))


def test_non_contiguous_arrays_are_hashed_in_chunks_identically():
    rows = CHUNK_BYTES // (8 * 4) + 100  # more than one chunk of a 4-column float array
    big = np.random.default_rng(0).random((rows, 8))[:, :4]
    assert not big.flags.c_contiguous
    assert fingerprint(big) == fingerprint(np.ascontiguousarray(big))


def test_extension_and_object_columns():
    df = pd.DataFrame({
        "cat": pd.Categorical(["a", "b", "a"]), "int": pd.array([1, None, 3], dtype="Int64"),
        "when": pd.date_range("2024-01-01", periods=3, tz="UTC"), "obj": [{"k": 1}, None, 2.5],
    }, index=pd.MultiIndex.from_tuples([(1, "x"), (2, "y"), (3, "z")]))
    d = describe(df)
    assert d["kind"] == "DataFrame" and d["shape"] == [3, 4]
    assert d["schema"]["cat"] == "category"
    changed = df.copy()
    changed.loc[(2, "y"), "int"] = 7
    assert fingerprint(changed) != d["fingerprint"]


def test_describe_ignores_what_is_not_data():
    assert describe([1, 2]) is None and describe("df") is None
    with pytest.raises(TypeError, match="cannot fingerprint a list"):
        fingerprint([1, 2])


def test_fingerprints_agree_across_processes():
    code = ("import numpy as np, pandas as pd\n"
            "from jupyter_mlops.capture.fingerprint import fingerprint\n"
            "rng = np.random.default_rng(7)\n"
            "df = pd.DataFrame({'x': rng.random(5000), 's': [str(i) for i in range(5000)]})\n"
            "print(fingerprint(df), fingerprint(rng.random((30, 3))))")
    outs = {run_python(code, env={"PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(outs) == 1 and len(outs.pop().split()) == 2
