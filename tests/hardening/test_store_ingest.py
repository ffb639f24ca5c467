"""Issue 14 items 3 and 14: ingest on a full disk, and reading a store with nothing in it."""

from __future__ import annotations

import logging

import pytest

from jupyter_mlops import events as ev
from jupyter_mlops.exceptions import StoreError
from jupyter_mlops.store import Store, db, queries
from jupyter_mlops.store.ingest import ingest, read_state
from jupyter_mlops.store.spool import SpoolWriter
from tests.conftest import cli


def _run(run_id: str, n: int) -> list[ev.Event]:
    return [ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": "e", "kind": "interactive"}),
            *(ev.Event(ev.METRICS, {"run_id": run_id, "metrics": {"i": i}}) for i in range(n))]


def _metric_ids(store: Store) -> list[str]:
    with db.connect(store, write=False) as con:
        return [r[0] for r in db.run(con, "SELECT event_id FROM metrics")]


def test_ingest_on_a_full_disk_is_one_line_and_loses_nothing(small_disk, full_store, caplog):
    w = SpoolWriter(full_store)
    first, second = _run("a" * 32, 100), _run("b" * 32, 100)
    w.write(first)
    ingest(full_store)
    w.write(second)  # acknowledged, not yet ingested
    small_disk.fill()
    with pytest.raises(StoreError, match=r"^the disk holding the store is full: ") as failed:
        ingest(full_store)
    assert "\n" not in str(failed.value)
    # Readers answer from the last ingested state, with one warning line.
    with caplog.at_level(logging.WARNING, logger="jupyter_mlops"):
        assert queries.runs(full_store)["run_id"].tolist() == ["a" * 32]
    assert [r.getMessage() for r in caplog.records] == [
        f"jupyter-mlops: showing the last ingested state: {failed.value}"]
    done = cli("runs", "--json")
    assert done.returncode == 0 and "a" * 32 in done.stdout, done.stderr
    assert done.stderr.count("\n") == 1 and "the disk holding the store is full" in done.stderr
    done = cli("ingest")
    assert done.returncode == 2
    assert done.stderr.startswith("jupyter-mlops: error: the disk holding the store is full: ")
    assert done.stderr.count("\n") == 1, done.stderr
    small_disk.free()
    ingest(full_store)
    ids = _metric_ids(full_store)
    assert sorted(ids) == sorted(e.id for e in first + second if e.type == ev.METRICS)
    assert set(queries.runs(full_store)["run_id"]) == {"a" * 32, "b" * 32}


def test_a_commit_whose_state_was_not_written_still_changes_the_generation(store):
    w = SpoolWriter(store)
    w.write(_run("a" * 32, 3))
    before = ingest(store).generation
    w.write(_run("b" * 32, 3))
    store.recent_runs_path.unlink()
    store.recent_runs_path.mkdir()  # the projection cannot be written after the commit
    with pytest.raises(StoreError, match="ingest could not update the store"):
        ingest(store)
    store.recent_runs_path.rmdir()
    assert ingest(store).generation > before  # caches keyed by generation see the new run
    assert read_state(store)["generation"] > before
    assert len(queries.runs(store)) == 2
    assert not list(store.root.glob("*.tmp*"))


def test_a_store_that_does_not_exist_yet_reads_as_empty(tmp_path):
    store = Store.open(tmp_path / "nothing-yet")
    assert queries.runs(store).empty
    assert queries.experiments(store).empty
    with pytest.raises(StoreError, match="unknown run id"):
        queries.run(store, "abcdef12")
    assert not store.root.exists()  # reading created nothing
    done = cli("runs", env={"JUPYTER_MLOPS_HOME": str(store.root)})
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "(nothing recorded yet)", "")


def test_the_first_read_of_a_server_style_store_ingests_the_first_events(tmp_path):
    """A reader that never ingests (the server's) still ingests a store with no database."""
    store = Store.open(tmp_path / "store", ingest_on_read=False)
    SpoolWriter(store).write(_run("a" * 32, 1))  # a kernel's first events
    assert queries.runs(store)["run_id"].tolist() == ["a" * 32]
