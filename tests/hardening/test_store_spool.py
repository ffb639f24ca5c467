"""Issue 14 items 2 and 11: the spool on a full disk, and strays in the spool folder."""

from __future__ import annotations

import logging

import pytest

from jupyter_mlops import events as ev
from jupyter_mlops.store import Store, queries
from jupyter_mlops.store.doctor import diagnose
from jupyter_mlops.store.ingest import ingest
from jupyter_mlops.store.spool import SpoolWriter, spool_files
from tests.conftest import cli


def _metric(i: int) -> ev.Event:
    return ev.Event(ev.METRICS, {"run_id": "r" * 32, "metrics": {"i": i}})


def _applied(store: Store) -> list[str]:
    from jupyter_mlops.store import db

    with db.connect(store, write=False) as con:
        return [r[0] for r in db.run(con, "SELECT event_id FROM metrics")]


def test_every_event_acknowledged_after_a_full_disk_lands(small_disk, full_store):
    w = SpoolWriter(full_store)
    acked = []
    for i in range(50):
        event = _metric(i)
        w.append(event)
        acked.append(event.id)
    small_disk.fill()
    failed = 0
    for i in range(50, 400):  # fills the last page, then fails (a short write among them)
        event = _metric(i)
        try:
            w.append(event)
            acked.append(event.id)
        except OSError:
            failed += 1
    assert failed, "the disk never filled"
    assert w.path.read_bytes().endswith(b"\n"), "a failed append left a fragment"
    small_disk.free()
    for i in range(400, 450):
        event = _metric(i)
        w.append(event)
        acked.append(event.id)
    result = ingest(full_store)
    assert result.warnings == []  # nothing quarantined
    assert sorted(_applied(full_store)) == sorted(acked)


def test_a_multi_event_write_cut_short_keeps_its_whole_lines(small_disk, full_store):
    w = SpoolWriter(full_store)
    w.append(_metric(0))
    small_disk.fill()
    with pytest.raises(OSError):
        w.write([_metric(i) for i in range(1, 200)])
    assert w.path.read_bytes().endswith(b"\n")
    small_disk.free()
    last = _metric(999)
    w.append(last)
    assert ingest(full_store).warnings == []
    assert last.id in _applied(full_store)


def test_a_directory_named_like_a_segment_is_skipped_with_one_warning(store, caplog):
    w = SpoolWriter(store)
    w.append(ev.Event(ev.RUN_STARTED, {"run_id": "r" * 32, "experiment": "e",
                                       "kind": "interactive"}))
    stray = store.spool_dir / "x.jsonl"
    stray.mkdir()
    (store.spool_dir / "link.jsonl").symlink_to(w.path)
    with caplog.at_level(logging.WARNING, logger="jupyter_mlops"):
        assert spool_files(store) == [w.path]
        ingest(store)
        assert len(queries.runs(store)) == 1
        assert diagnose(store)["spool files"].startswith("1 ")
    warned = [r.getMessage() for r in caplog.records if "not a regular file" in r.getMessage()]
    assert len(warned) == 2 and str(stray) in warned[0]  # one per stray, however often listed
    done = cli("runs")
    assert done.returncode == 0 and "e" in done.stdout, done.stderr
    w.close()
    ingest(store)  # archiving leaves the strays where they are
    assert stray.is_dir()
