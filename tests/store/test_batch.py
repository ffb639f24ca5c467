"""Spool bytes become Arrow lines without a copy, and the largest inserts are split in parts:
nothing may be lost, doubled or misplaced by either."""

import base64
import json

import duckdb
import pytest

from jupyter_mlops import events as ev
from jupyter_mlops.store import apply, batch, spool
from jupyter_mlops.store.ingest import ingest
from jupyter_mlops.store.spool import SpoolWriter


def test_each_line_keeps_its_offset_and_its_newline(monkeypatch):
    monkeypatch.setattr(batch, "_STEP", 16)  # line ends found across many steps
    data = b"short\n" + b"x" * 40 + b"\n\n" + b"a\nb\nc\n" + "caf\u00e9\n".encode()
    queued = batch.Batch()
    batch.queue(data, "f-1-00000.jsonl", 100, queued)
    (chunk,) = queued.chunks
    assert queued.lines == 7 and chunk.lines.to_pylist()[1:3] == ["x" * 40 + "\n", "\n"]
    assert "".join(chunk.lines.to_pylist()).encode() == data
    for n in range(1, queued.lines + 1):  # each line is where its bytes are in the file
        assert data[chunk.position(n) - 100:].startswith(chunk.raw(n) + b"\n")
    lines, files = queued.tables()
    assert lines.column("idx").to_pylist() == list(range(1, 8))
    assert files.to_pylist() == [{"chunk": 0, "file": "f-1-00000.jsonl"}]


def test_a_line_that_is_not_utf8_is_corrupt_and_the_others_keep_their_offsets():
    data = b"good\n\xff\xfe bad\nafter\n"
    queued = batch.Batch()
    batch.queue(data, "f-1-00000.jsonl", 7, queued)
    (chunk,) = queued.chunks
    assert chunk.lines.to_pylist() == ["good\n", "after\n"] and queued.lines == 2
    assert queued.corrupt == [("f-1-00000.jsonl", 12, b"\xff\xfe bad")]
    assert chunk.position(2) == 7 + data.index(b"after")


@pytest.mark.parametrize(("parallel_lines", "sealed"), [(1, False), (10**9, False), (1, True)],
                         ids=["in parts", "in one part", "sealed: mapped"])
def test_a_batch_in_parts_applies_every_event_once_and_quarantines_exactly(
        store, monkeypatch, parallel_lines, sealed):
    monkeypatch.setattr(apply, "PARALLEL_LINES", parallel_lines)
    w = SpoolWriter(store)
    runs = [f"{r:032x}" for r in range(40)]
    for i, run_id in enumerate(runs):
        w.write([ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": "pieces"}),
                 ev.Event(ev.PARAMS, {"run_id": run_id, "params": {f"p{k}": k for k in range(5)}}),
                 ev.Event(ev.METRICS, {"run_id": run_id, "metrics": {"m": i, "n": -i}})])
        if i in (10, 30):  # junk deep inside the file
            with open(w.path, "ab") as f:
                f.write(b"not json %d\n" % i if i == 10 else b"\xff\xfe not utf-8\n")
    raw = w.path.read_bytes()
    if sealed:  # a sealed file is read through a map (spool.read_complete)
        monkeypatch.setattr(spool, "MAP_BYTES", 1)
        w.close()
    result = ingest(store)
    assert result.events == 120 and result.duplicates == 0
    assert result.archived == sealed
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        assert con.execute("SELECT count(*), count(DISTINCT run_id || key) FROM params"
                           ).fetchone() == (200, 200)
        assert con.execute("SELECT count(*), sum(value) FILTER (key = 'm') FROM metrics"
                           ).fetchone() == (80, sum(range(40)))
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 40
    kept = [json.loads(p.read_text()) for p in store.quarantine_dir.iterdir()]
    assert len(kept) == 2
    for q in kept:  # the recorded offset is where the line is in the file
        line = base64.b64decode(q["bytes_base64"])
        assert raw[q["offset"]:q["offset"] + len(line) + 1] == line + b"\n"
