"""A shared artifact root: two stores (two machines) on one root, in separate processes; a
model registered on one loads on the other, fetched lazily into its cache and verified."""

import shutil

import pytest

from jupyter_mlops import artifact_root, blobs
from jupyter_mlops.exceptions import StoreError
from jupyter_mlops.store import Store
from tests.conftest import run_python

REGISTER = """
import jupyter_mlops as mlops
from sklearn.linear_model import LogisticRegression
m = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
print(mlops.register(m, "churn", metrics={"auc": 0.8}).version)
"""
LOAD = """
import jupyter_mlops as mlops
print(mlops.load_model("churn:1").predict([[0.0], [3.0]]).tolist())
"""


def _env(store_root, url):
    return {"JUPYTER_MLOPS_HOME": str(store_root), artifact_root.URL_ENV: url}


def _ship(a, b):
    """What a team store or a bundle does: the events of ``a`` reach ``b``'s spool."""
    b.spool_dir.mkdir(parents=True, exist_ok=True)
    for folder in (a.archive_dir, a.spool_dir):
        for f in folder.glob("*.jsonl"):
            shutil.copy(f, b.spool_dir / f.name)


def _blobs(store):
    return [p for p in (store.root / "artifacts").rglob("*") if p.is_file()]


@pytest.fixture
def two_stores(tmp_path):
    a, b = (Store.open(tmp_path / n) for n in ("a", "b"))
    root = tmp_path / "shared"
    done = run_python(REGISTER, env=_env(a.root, root.as_uri()))  # file:///…
    assert done.returncode == 0, done.stderr
    _ship(a, b)
    return a, b, root


def test_a_model_registered_on_one_store_loads_on_the_other(two_stores):
    a, b, root = two_stores
    (shared,) = [p for p in root.rglob("*") if p.is_file()]
    assert [p.name for p in _blobs(a)] == [shared.name]  # written to both, never a temp file
    unset = run_python(LOAD, env={"JUPYTER_MLOPS_HOME": str(b.root)})
    assert unset.returncode != 0 and "artifact root it was written to" in unset.stderr
    done = run_python(LOAD, env=_env(b.root, str(root)))  # a plain path names it too
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[0, 1]"
    assert [p.name for p in _blobs(b)] == [shared.name]  # cached: the next load is local
    shared.unlink()
    assert run_python(LOAD, env=_env(b.root, str(root))).returncode == 0


def test_a_corrupt_shared_blob_is_refused_and_not_cached(two_stores):
    _, b, root = two_stores
    (shared,) = [p for p in root.rglob("*") if p.is_file()]
    shared.write_bytes(shared.read_bytes()[:-1] + b"!")
    done = run_python(LOAD, env=_env(b.root, str(root)))
    assert done.returncode != 0
    assert f"artifact {shared.name[:12]} in the artifact root" in done.stderr
    assert "does not match its sha256" in done.stderr
    assert _blobs(b) == []


def test_a_digest_in_the_root_is_not_written_again(tmp_path):
    store = Store.open(tmp_path / "s")
    store.root.mkdir()
    (store.root / artifact_root.URL_FILE).write_text(f"{tmp_path / 'root'}\n")
    sha = blobs.put(store, b"model bytes")
    (shared,) = [p for p in (tmp_path / "root").rglob("*") if p.is_file()]
    shared.write_bytes(b"tampered")  # a second put must not replace (nor "repair") it
    (store.root / "artifacts" / sha[:2] / sha).unlink()
    assert blobs.put(store, b"model bytes") == sha
    assert shared.read_bytes() == b"tampered"


def test_a_missing_backend_is_named(tmp_path, monkeypatch):
    pytest.importorskip("fsspec")
    if _importable("s3fs"):
        pytest.skip("s3fs is installed here: nothing is missing")
    monkeypatch.setenv(artifact_root.URL_ENV, "s3://team-bucket/mlops")
    with pytest.raises(StoreError, match=r"s3://team-bucket/mlops needs the fsspec backend "
                                         r"for s3://.*Install s3fs"):
        blobs.put(Store.open(tmp_path / "s"), b"x")


def _importable(name):
    import importlib.util

    return importlib.util.find_spec(name) is not None
