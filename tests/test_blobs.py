import os
import time

import pytest

from jupyter_mlops import blobs
from jupyter_mlops.exceptions import StoreError


def test_put_is_content_addressed_and_verified_on_get(store):
    sha = blobs.put(store, b"model bytes")
    assert blobs.put(store, b"model bytes") == sha  # stored once
    assert blobs.get(store, sha) == b"model bytes"
    blobs.path_of(store, sha).write_bytes(b"tampered")
    with pytest.raises(StoreError, match="was modified after it was stored"):
        blobs.get(store, sha)
    with pytest.raises(StoreError, match="is missing"):
        blobs.get(store, "0" * 64)


def test_storing_content_again_refreshes_its_time(store, tmp_path):
    """gc spares blobs younger than its grace period: a blob logged again (its event not
    ingested yet) must count as young, whether stored from bytes or from a file."""
    sha = blobs.put(store, b"weights")
    path, old = blobs.path_of(store, sha), time.time() - 3 * 86400
    os.utime(path, (old, old))
    assert blobs.put(store, b"weights") == sha
    assert path.stat().st_mtime > old + 86400
    os.utime(path, (old, old))
    source = tmp_path / "weights.bin"
    source.write_bytes(b"weights")
    assert blobs.put_file(store, source) == (sha, 7)
    assert path.stat().st_mtime > old + 86400
