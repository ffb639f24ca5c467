import json
import shutil

import duckdb
import pytest

from jupyter_mlops import events as ev
from jupyter_mlops.exceptions import StoreError
from jupyter_mlops.store import queries
from jupyter_mlops.store.ingest import ingest, pending, read_state, rebuild
from jupyter_mlops.store.schema import MIGRATIONS
from jupyter_mlops.store.spool import SpoolWriter, spool_files, writer_alive
from tests.conftest import ROOT, run_python


def _run_events(run_id="a" * 32, n_metrics=3):
    yield ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": "exp", "kind": "interactive"})
    for i in range(n_metrics):
        yield ev.Event(ev.METRICS, {"run_id": run_id, "metrics": {"loss": 1.0 / (i + 1)},
                                    "step": i})
    yield ev.Event(ev.PARAMS, {"run_id": run_id, "params": {"alpha": 0.5, "name": "x"}})


def _count(store, sql):
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def test_ingest_applies_events_once_and_records_offsets(store):
    w = SpoolWriter(store)
    w.write(_run_events())
    assert pending(store)
    first = ingest(store)
    assert first.events == 5 and first.duplicates == 0
    assert not pending(store)
    again = ingest(store)
    assert again.events == 0
    assert _count(store, "SELECT count(*) FROM metrics") == 3
    state = read_state(store)
    assert state["offsets"][w.path.name] == w.path.stat().st_size


def test_replayed_bytes_are_deduplicated_by_event_id(store):
    w = SpoolWriter(store)
    w.write(_run_events())
    ingest(store)
    copy = store.spool_dir / "copy-1-2-00000.jsonl"  # the same events in another file
    shutil.copy(w.path, copy)
    result = ingest(store)
    assert result.events == 0 and result.duplicates == 5
    assert _count(store, "SELECT count(*) FROM metrics") == 3
    assert _count(store, "SELECT count(*) FROM runs") == 1


def test_corrupt_line_is_quarantined_and_the_rest_ingested(store, caplog):
    w = SpoolWriter(store)
    w.write(_run_events())
    with open(w.path, "ab") as f:
        f.write(b"\x00\xff\xfe binary junk\n")
    w.append(ev.Event(ev.METRICS, {"run_id": "a" * 32, "metrics": {"after": 1.0}}))
    result = ingest(store)
    assert result.events == 6
    assert len(result.warnings) == 1
    assert "corrupt spool line" in result.warnings[0] and w.path.name in result.warnings[0]
    kept = list(store.quarantine_dir.iterdir())
    assert len(kept) == 1
    assert b"binary junk" in __import__("base64").b64decode(json.loads(kept[0].read_text())[
        "bytes_base64"])
    assert _count(store, "SELECT count(*) FROM metrics WHERE key = 'after'") == 1


def test_torn_tail_waits_while_the_writer_lives(store):
    w = SpoolWriter(store)
    w.write(_run_events())
    with open(w.path, "ab") as f:  # a writer caught mid-line
        f.write(b'{"id": "zz", "ty')
    assert ingest(store).events == 5
    with open(w.path, "ab") as f:
        f.write(b'pe": "metrics"}\n')  # not a valid event once finished: quarantined, not lost
    result = ingest(store)
    assert result.events == 0 and len(result.warnings) == 1


def test_sealed_files_are_archived_and_dead_runs_closed(store):
    done = run_python(  # a process that starts a run and ends without ending it
        "from jupyter_mlops.store import Store\n"
        "from jupyter_mlops.store.spool import SpoolWriter\n"
        "from tests.store.test_ingest import _run_events\n"
        f"SpoolWriter(Store.open({str(store.root)!r})).write(_run_events())", cwd=ROOT)
    assert done.returncode == 0, done.stderr
    [path] = spool_files(store)
    result = ingest(store)
    assert result.archived == 1 and result.runs_closed == 1
    assert spool_files(store) == []
    assert next(store.archive_dir.iterdir()).name == path.name
    assert queries.runs(store)["status"].tolist() == ["died"]


def test_a_live_writer_that_sealed_its_file_keeps_its_run_open(store):
    w = SpoolWriter(store)
    w.write(_run_events())
    w.close()  # sealed, but this process, its writer, still runs
    result = ingest(store)
    assert result.archived == 1 and result.runs_closed == 0
    assert queries.runs(store)["status"].tolist() == ["running"]


def test_a_run_ended_normally_is_not_marked_died(store):
    w = SpoolWriter(store)
    w.write(_run_events())
    w.append(ev.Event(ev.RUN_ENDED, {"run_id": "a" * 32, "status": "finished"}))
    w.close()
    result = ingest(store)
    assert result.runs_closed == 0
    assert queries.runs(store)["status"].tolist() == ["finished"]


def test_rebuild_restores_a_deleted_database(store):
    w = SpoolWriter(store, segment_bytes=300)
    w.write(_run_events(n_metrics=20))
    w.close()
    ingest(store)
    before = queries.runs(store)
    assert list(store.archive_dir.iterdir())
    store.db_path.unlink()
    after = queries.runs(store)  # the next reader notices and rebuilds from the archive
    assert after.drop(columns=["cells"]).equals(before.drop(columns=["cells"]))
    assert _count(store, "SELECT count(*) FROM metrics") == 20


def test_explicit_rebuild_keeps_the_old_file_aside(store):
    SpoolWriter(store).write(_run_events())
    ingest(store)
    result = rebuild(store)
    assert result.events == 5
    assert len(list(store.root.glob("mlops.duckdb.replaced-*"))) == 1
    assert _count(store, "SELECT count(*) FROM params") == 2


def test_schema_version_is_recorded_and_a_newer_one_refused(store):
    SpoolWriter(store).write(_run_events())
    ingest(store)
    assert _count(store, "SELECT max(version) FROM schema_version") == len(MIGRATIONS)
    with duckdb.connect(str(store.db_path)) as con:
        con.execute("INSERT INTO schema_version VALUES (999, now())")
    SpoolWriter(store).write(_run_events("b" * 32))
    with pytest.raises(StoreError, match="newer than this jupyter-mlops"):
        ingest(store)


def test_unknown_event_types_are_kept_not_applied(store):
    w = SpoolWriter(store)
    w.append(ev.Event("from_the_future", {"x": 1}))
    assert ingest(store).events == 1
    assert _count(store, "SELECT count(*) FROM event_log WHERE type = 'from_the_future'") == 1


def test_run_read_model_follows_events_across_batches_and_files(store):
    run = "d" * 32
    SpoolWriter(store).append(ev.Event(ev.PARAMS, {"run_id": run, "params": {"a": 1}}))
    ingest(store)  # params before their run exists (another writer's file)
    w = SpoolWriter(store)
    w.write([ev.Event(ev.RUN_STARTED, {"run_id": run, "experiment": "e", "kind": "job"}),
             ev.Event(ev.CELL, {"run_id": run, "seq": 1, "source": "x"})])
    ingest(store)
    w.write([ev.Event(ev.PARAMS, {"run_id": run, "params": {"a": 2, "b": "x"}}),
             ev.Event(ev.METRICS, {"run_id": run, "metrics": {"m": 0.5}}),
             ev.Event(ev.CELL, {"run_id": run, "seq": 2, "source": "y"})])
    row = queries.runs(store).iloc[0]
    assert (row["params.a"], row["params.b"], row["metrics.m"], row["cells"]) == (2, "x", 0.5, 2)


def test_cells_store_statements_and_capture_time_and_old_cells_still_ingest(store):
    run_id = "c" * 32
    statements = [{"line": 1, "reads": ["a"], "writes": ["b"], "kills": ["b"]}]
    old = {"run_id": run_id, "seq": 1, "source": "a = 1", "reads": [], "writes": ["a"]}
    w = SpoolWriter(store)
    w.write([ev.Event(ev.CELL, old),
             ev.Event(ev.CELL, {**old, "seq": 2, "source": "b = a", "reads": ["a"],
                                "writes": ["b"], "statements": statements,
                                "capture_ms": 0.25})])
    ingest(store)
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        rows = con.execute("SELECT seq, statements, capture_ms FROM cells ORDER BY seq").fetchall()
    assert rows[0] == (1, None, None)
    assert rows[1][0] == 2 and json.loads(rows[1][1]) == statements and rows[1][2] == 0.25


def test_a_writer_of_another_host_is_judged_only_by_its_segments_here(store):
    """A team store brings runs written on other machines: no segment of theirs is here, so
    nothing here can say they died (each machine closes its own). With segments here (a
    shared folder) they are judged by their locks, as before."""
    import socket

    foreign = "elsewhere.example-4242.99-1700000000000000000"
    assert writer_alive(store, foreign)
    (store.spool_dir / f"{foreign}-000001.jsonl").write_text("")  # sealed: nobody locks it
    assert not writer_alive(store, foreign)
    store.archive_dir.mkdir(parents=True, exist_ok=True)  # read and archived: it wrote here
    (store.spool_dir / f"{foreign}-000001.jsonl").rename(
        store.archive_dir / f"{foreign}-000001.jsonl")
    assert not writer_alive(store, foreign)  # as a rebuild judges it
    assert not writer_alive(store, f"{socket.gethostname()}-999999999.1-1")  # no such pid
