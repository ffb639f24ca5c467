import os

import pytest

from jupyter_mlops import events as ev
from jupyter_mlops.store import spool
from jupyter_mlops.store.spool import (
    SpoolWriter,
    is_sealed,
    read_complete,
    spool_files,
)


def _event(i: int) -> ev.Event:
    return ev.Event(ev.METRICS, {"run_id": "r", "metrics": {"m": i}})


def test_writer_appends_lines_to_its_own_locked_file(store):
    w = SpoolWriter(store)
    w.write([_event(1), _event(2)])
    files = spool_files(store)
    assert files == [w.path]
    assert w.path.read_bytes().count(b"\n") == 2
    assert not is_sealed(w.path), "a live writer's file must not look sealed"
    w.close()
    assert is_sealed(w.path)


def test_segments_rotate_and_old_ones_are_sealed(store):
    w = SpoolWriter(store, segment_bytes=400)
    for i in range(10):
        w.append(_event(i))
    files = spool_files(store)
    assert len(files) > 1
    assert [is_sealed(f) for f in files] == [True] * (len(files) - 1) + [False]
    assert sum(f.read_bytes().count(b"\n") for f in files) == 10
    w.close()


def test_a_forked_child_writes_its_own_file(store):
    w = SpoolWriter(store)
    w.append(_event(0))
    pid = os.fork()
    if pid == 0:  # child
        w.append(_event(1))
        os._exit(0)
    os.waitpid(pid, 0)
    w.append(_event(2))
    files = spool_files(store)
    assert len(files) == 2
    assert sorted(f.read_bytes().count(b"\n") for f in files) == [1, 2]


@pytest.mark.parametrize("sealed", [False, True], ids=["read", "mapped"])
def test_read_complete_leaves_a_torn_last_line(store, tmp_path, monkeypatch, sealed):
    monkeypatch.setattr(spool, "MAP_BYTES", 1)
    path = tmp_path / "x.jsonl"

    def read(path, offset):
        data = read_complete(path, offset, sealed=sealed)
        assert isinstance(data, memoryview) == (sealed and offset < path.stat().st_size)
        return data

    path.write_bytes(b'{"a":1}\n{"b":2}\n{"c":')
    assert read(path, 0) == b'{"a":1}\n{"b":2}\n'
    assert read(path, 8) == b'{"b":2}\n'
    assert read(path, 16) == b""
    assert read(path, 22) == b""  # at the end
    path.write_bytes(b"")
    assert read(path, 0) == b""


def test_unwritable_store_is_one_clear_error(tmp_path):
    from jupyter_mlops.exceptions import StoreError
    from jupyter_mlops.store import Store

    blocker = tmp_path / "file"
    blocker.write_text("")
    w = SpoolWriter(Store(blocker / "store"))
    try:
        w.append(_event(0))
    except StoreError as e:
        assert "JUPYTER_MLOPS_HOME" in str(e) and str(blocker) in str(e)
    else:
        raise AssertionError("expected StoreError")


def test_a_write_after_close_never_replaces_the_sealed_file(store):
    w = SpoolWriter(store)
    w.append(_event(1))
    first = w.path
    w.close()
    w.append(_event(2))  # e.g. a background thread finishing after exit began
    assert w.path != first
    assert first.read_bytes().count(b"\n") == 1
    assert sorted(f.read_bytes().count(b"\n") for f in spool_files(store)) == [1, 1]
    assert not list(store.spool_dir.glob(".*"))  # no hidden leftovers
