"""Retention on real stores filled by real events: policies, protection, tombstones applied
by ingest, rebuild and compaction reaching the same state, and a gc killed mid-way."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import pytest

import jupyter_mlops as mlops
from jupyter_mlops import blobs
from jupyter_mlops import events as ev
from jupyter_mlops.exceptions import RunProtected
from jupyter_mlops.retention import delete_run, gc, parse_age
from jupyter_mlops.store import Store, db, queries
from jupyter_mlops.store.compact import compact
from jupyter_mlops.store.ingest import FAULT_ENV, ingest, rebuild
from jupyter_mlops.store.queries.retention import Policy, deletions
from jupyter_mlops.store.spool import SpoolWriter
from tests.conftest import run_python

DAY = 86400.0
#: Tables whose rows say what the store holds (event_log aside: compaction drops events).
TABLES = ["runs", "cells", "params", "metrics", "fits", "jobs", "lineage_edges", "artifacts",
          "artifact_files",
          "model_versions", "aliases", "run_deletions", "freed_files"]


def rid(n: int) -> str:
    return f"{n:032x}"


def fill(store: Store, now: float) -> dict[str, str]:
    """Runs 1-6 in experiments a and b, of several ages and statuses, each with a fit whose
    model is a blob; run 2 made model version m:1 (its blob shared with run 3's fit); run 6
    is still running. Returns the blob of each run."""
    w = SpoolWriter(store)
    made = {}
    specs = [(1, "a", 40, "died"), (2, "a", 35, "died"), (3, "a", 30, "finished"),
             (4, "a", 1, "finished"), (5, "b", 50, "failed"), (6, "b", 45, None)]
    shared = blobs.put(store, b"model of run 2")
    for n, experiment, age_days, status in specs:
        at = now - age_days * DAY
        blob = shared if n == 3 else blobs.put(store, f"model of run {n}".encode())
        made[rid(n)] = blob
        w.write([
            ev.Event(ev.RUN_STARTED, {"run_id": rid(n), "experiment": experiment,
                                      "kind": "interactive"}, ts=at),
            ev.Event(ev.CELL, {"run_id": rid(n), "seq": 1, "source": "x = 1", "status": "ok",
                               "duration_ms": 1.0, "reads": [], "writes": ["x"]}, ts=at + 1),
            ev.Event(ev.PARAMS, {"run_id": rid(n), "seq": 1, "params": {"n": n}}, ts=at + 1),
            ev.Event(ev.METRICS, {"run_id": rid(n), "seq": 1, "metrics": {"auc": n / 10}},
                     ts=at + 1),
            ev.Event(ev.FIT, {"run_id": rid(n), "seq": 1, "method": "fit", "estimator": "E",
                              "artifact": blob, "format": "skops", "inputs": []}, ts=at + 2)])
        if status:
            w.append(ev.Event(ev.RUN_ENDED, {"run_id": rid(n), "status": status}, ts=at + 3))
    # logged artifacts: run 1 a figure, run 5 a folder with a file run 4 logged too
    figure, own, shared_file = (blobs.put(store, data) for data in (
        b"<svg/>", b"only in run 5's folder", b"in run 5's folder and run 4's"))
    made.update(figure=figure, own=own, shared_file=shared_file)
    w.write([ev.Event(ev.ARTIFACT, {"run_id": rid(1), "seq": 1, "name": "fig.svg",
                                    "kind": "figure", "sha256": figure, "size": 6}),
             ev.Event(ev.ARTIFACT, {"run_id": rid(5), "seq": 1, "name": "out", "kind": "dir",
                                    "sha256": "f" * 64, "size": 50, "files": [
                                        {"path": "a.txt", "sha256": own, "size": 22},
                                        {"path": "b.txt", "sha256": shared_file,
                                         "size": 28}]}),
             ev.Event(ev.ARTIFACT, {"run_id": rid(4), "seq": 1, "name": "b.txt",
                                    "kind": "file", "sha256": shared_file, "size": 28})])
    w.write([ev.Event(ev.MODEL_VERSION, {"run_id": rid(2), "name": "m", "version": 1,
                                         "artifact": shared, "format": "skops"}),
             ev.Event(ev.ALIAS_SET, {"run_id": rid(4), "name": "m", "alias": "champion",
                                     "version": 1, "set_by": "me"})])
    w.close()
    ingest(store)
    # run 6's writer is this (live) process: it stays running, as a kernel's run does
    return made


def snapshot(store: Store) -> dict[str, Any]:
    with db.connect(store, write=False) as con:
        return {t: sorted(map(repr, db.run(con, f"SELECT * FROM {t}"))) for t in TABLES}


def run_ids(store: Store) -> set[str]:
    return set(queries.runs(store, limit=100)["run_id"])


@pytest.fixture
def filled(store: Store) -> tuple[Store, dict[str, str]]:
    return store, fill(store, time.time())


def test_a_dry_run_changes_nothing_and_policies_combine(filled):
    store, made = filled
    before = snapshot(store)
    found = gc(store, Policy(failed=True)).plan
    assert set(found.runs["run_id"]) == {rid(1), rid(5)}  # 2 died too, but made m:1
    assert found.kept == {"a model version references it": 1}
    assert set(found.blobs) == {f"{made[k][:2]}/{made[k]}"
                                for k in (rid(1), rid(5), "figure", "own")}
    assert found.bytes == len(b"model of run 1") * 2 + len(b"<svg/>") + 22
    assert snapshot(store) == before
    assert all(blobs.path_of(store, b).exists() for b in made.values())
    # keep the newest 2 of each experiment AND ended over 32 days ago: runs 1 and 2 of a
    # (2 protected), none of b (6 is running, 5 is among b's newest two)
    found = gc(store, Policy(keep_last=2, older_than_s=32 * DAY)).plan
    assert set(found.runs["run_id"]) == {rid(1)}
    assert gc(store, Policy(keep_last=0)).plan.kept == {
        "a model version references it": 1, "running": 1}
    assert gc(store, Policy()).plan.runs.empty  # no policy: no run


def test_gc_deletes_by_events_then_frees_only_unshared_blobs(filled):
    store, made = filled
    outcome = gc(store, Policy(keep_last=1), apply=True, by="tester")
    gone = {rid(1), rid(2), rid(3), rid(5)} - {rid(2)}  # 2 made a version
    assert set(outcome.plan.runs["run_id"]) == gone
    assert run_ids(store) == {rid(2), rid(4), rid(6)}
    assert not blobs.path_of(store, made[rid(1)]).exists()
    assert blobs.path_of(store, made[rid(2)]).exists()  # run 3's, but m:1's too
    assert not blobs.path_of(store, made["own"]).exists()
    assert blobs.path_of(store, made["shared_file"]).exists()  # run 4 kept it
    assert outcome.removed_bytes == outcome.plan.bytes > 0
    with db.connect(store, write=False) as con:
        audit = deletions(con)
        assert set(audit["run_id"]) == gone and set(audit["deleted_by"]) == {"tester"}
        assert set(audit["reason"]) == {"gc"}
        assert db.scalar(con, "SELECT count(*) FROM cells WHERE run_id IN (?, ?, ?)",
                         sorted(gone)) == 0
        assert db.scalar(con, "SELECT count(*) FROM fits") == 3
        # the version, the alias and their lineage stay
        assert db.scalar(con, "SELECT count(*) FROM lineage_edges "
                              "WHERE dst_kind IN ('model_version', 'alias')") == 2
    assert queries.models(store)["run_id"].tolist() == [rid(2)]
    # the documented views read the same tables: no filter of their own needed
    assert set(mlops.sql("SELECT run_id FROM runs_wide", store=store)["run_id"]) == {
        rid(2), rid(4), rid(6)}
    assert not set(mlops.sql("SELECT run_id FROM metric_history", store=store)["run_id"]) & gone


def test_rebuild_and_compaction_after_gc_give_the_same_state(filled):
    store, _ = filled
    gc(store, Policy(failed=True), apply=True)
    after_gc = snapshot(store)
    rebuild(store)
    assert snapshot(store) == after_gc
    archived = sum(p.stat().st_size for p in store.archive_dir.iterdir())
    dry = compact(store, apply=False)
    # runs 1 and 5: started, cell, params, metrics, fit, artifact, ended
    assert dry.events == 2 * 7
    done = compact(store, apply=True)
    assert (done.events, done.files) == (dry.events, dry.files)
    assert sum(p.stat().st_size for p in store.archive_dir.iterdir()) == (
        archived - (done.bytes_before - done.bytes_after))
    rebuild(store)
    assert snapshot(store) == after_gc


def test_a_tombstone_applied_before_the_runs_events_still_deletes_it(store):
    """A rebuild may apply a long-lived server's tombstone before the events of a run a later
    kernel wrote (files are read by writer start, in batches)."""
    w = SpoolWriter(store)
    w.append(ev.Event(ev.RUN_DELETED, {"run_id": rid(9), "by": "x", "reason": "test"}))
    w.close()
    ingest(store)
    w = SpoolWriter(store)
    w.write([ev.Event(ev.RUN_STARTED, {"run_id": rid(9), "experiment": "a"}),
             ev.Event(ev.METRICS, {"run_id": rid(9), "metrics": {"auc": 1.0}})])
    w.close()
    ingest(store)
    assert run_ids(store) == set()
    with db.connect(store, write=False) as con:
        assert db.scalar(con, "SELECT count(*) FROM metrics") == 0


def test_delete_run_refuses_protected_runs_with_the_reason(filled):
    store, made = filled
    with pytest.raises(RunProtected, match=r"made model version\(s\) m:1"):
        delete_run(rid(2), store=store)
    with pytest.raises(RunProtected, match="is running"):
        delete_run(rid(6), store=store)
    assert delete_run(rid(4), store=store, reason="a typo run") == rid(4)
    assert rid(4) not in run_ids(store)
    assert not blobs.path_of(store, made[rid(4)]).exists()
    with db.connect(store, write=False) as con:
        assert db.run(con, "SELECT reason FROM run_deletions") == [("a typo run",)]


def test_orphans_wait_for_their_grace(filled):
    store, _ = filled
    young = blobs.put(store, b"just written, its event not ingested yet")
    old = blobs.put(store, b"written by a kernel that died before its event")
    os.utime(blobs.path_of(store, old), (time.time() - 2 * DAY,) * 2)
    found = gc(store, Policy(), apply=True).plan
    assert list(found.orphans) == [f"{old[:2]}/{old}"]
    assert blobs.path_of(store, young).exists()
    assert not blobs.path_of(store, old).exists()


def test_gc_killed_between_tombstones_and_removal_is_finished_by_the_next(filled):
    store, made = filled
    code = ("from jupyter_mlops.retention import gc\nfrom jupyter_mlops.store import Store\n"
            "from jupyter_mlops.store.queries.retention import Policy\n"
            f"gc(Store.open({str(store.root)!r}), Policy(failed=True), apply=True)")
    done = run_python(code, env={FAULT_ENV: "gc_after_tombstones"})
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert run_ids(store) == {rid(n) for n in (2, 3, 4, 6)}  # the tombstones are committed
    assert blobs.path_of(store, made[rid(1)]).exists()  # the files are not removed yet
    pending = gc(store, Policy()).plan.unfinished
    assert set(pending) == {f"{made[k][:2]}/{made[k]}"
                            for k in (rid(1), rid(5), "figure", "own")}
    gc(store, Policy(), apply=True)
    assert not blobs.path_of(store, made[rid(1)]).exists()
    assert not gc(store, Policy()).plan.unfinished


@pytest.mark.parametrize(("text", "seconds"), [("30d", 30 * DAY), ("12h", 43200),
                                               ("2w", 14 * DAY), ("1.5m", 90)])
def test_ages(text, seconds):
    assert parse_age(text) == seconds


def test_a_bad_age_says_how_to_write_one():
    with pytest.raises(ValueError, match=r"write e\.g\. 30d"):
        parse_age("thirty days")
