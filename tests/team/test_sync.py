"""Shipping and pulling between two stores through a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from jupyter_mlops import events as ev
from jupyter_mlops.exceptions import StoreError, TeamUnavailable
from jupyter_mlops.store import Store, consumers, db, team
from jupyter_mlops.store.queries import runs
from jupyter_mlops.store.spool import SpoolWriter
from jupyter_mlops.store.team import SHIPPER, URL_ENV, redact, save_url
from jupyter_mlops.store.team.status import init, status
from jupyter_mlops.store.team.sync import TeamLink

from .postgres import Postgres
from .scenario import machine


def write_run(store: Store, run_id: str, metrics: int = 3) -> list[str]:
    """One run's events through a real spool writer; their ids."""
    w = SpoolWriter(store)
    events = [ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": "team",
                                        "kind": "interactive"})]
    events += [ev.Event(ev.METRICS, {"run_id": run_id, "step": i, "metrics": {"auc": i / 10}})
               for i in range(metrics)]
    events.append(ev.Event(ev.RUN_ENDED, {"run_id": run_id, "status": "finished"}))
    w.write(events)
    w.close()
    return [e.id for e in events]


def event_ids(store: Store) -> list[str]:
    with db.connect(store, write=False) as con:
        return [i for (i,) in db.run(con, "SELECT id FROM event_log")]


def team_ids(url: str) -> list[str]:
    with psycopg.connect(url) as con:
        return [i for (i,) in con.execute("SELECT event_id FROM mlops.events ORDER BY seq")]


def test_each_machine_sees_the_other_runs_once(tmp_path: Path, team_url: str) -> None:
    init(Store.open(tmp_path / "a"), team_url)
    a, b = machine(tmp_path, "a", team_url), machine(tmp_path, "b", team_url)
    ids_a = write_run(a, "a" * 32)
    ids_b = write_run(b, "b" * 32, metrics=5)
    with TeamLink(a) as la, TeamLink(b) as lb:
        assert la.sync().shipped == len(ids_a)
        assert lb.sync().shipped == len(ids_b)
        la.sync()
        for link in (la, lb):  # a second round changes nothing
            assert link.sync().shipped == 0
    for store in (a, b):
        found = event_ids(store)
        assert sorted(found) == sorted(ids_a + ids_b)  # every event, once
        listed = runs(store).set_index("run_id")
        assert listed.loc["a" * 32, "status"] == "finished"
        assert listed.loc["b" * 32, "experiment"] == "team"
    assert sorted(team_ids(team_url)) == sorted(ids_a + ids_b)


def test_reshipping_everything_adds_nothing(tmp_path: Path, team_url: str) -> None:
    """Offsets lost (a shipper killed after its commit): the batch's plain COPY fails on a
    duplicate id, and the batch goes again with ON CONFLICT: the old events dropped, the
    new ones in it shipped."""
    init(Store.open(tmp_path / "a"), team_url)
    a = machine(tmp_path, "a", team_url)
    ids = write_run(a, "c" * 32, metrics=50)
    with TeamLink(a) as link:
        link.sync()
        (a.root / "consumers" / f"{SHIPPER}.json").write_text("{}")
        assert link.sync().shipped == 0
        (a.root / "consumers" / f"{SHIPPER}.json").write_text("{}")
        more = write_run(a, "e" * 32, metrics=5)
        assert link.sync().shipped == len(more)
    assert sorted(team_ids(team_url)) == sorted(ids + more)


def test_the_archive_is_shipped_when_a_store_joins(tmp_path: Path, team_url: str) -> None:
    from jupyter_mlops.store.ingest import ingest

    alone = Store.open(tmp_path / "alone")
    alone.ensure()
    ids = write_run(alone, "d" * 32)
    assert ingest(alone).archived == 1  # its writer closed: the file is in archive/
    init(alone, team_url)
    with TeamLink(alone) as link:
        assert link.sync().shipped == len(ids)


def test_a_join_cut_short_ships_the_archive_at_the_next_round(tmp_path: Path, team_url: str,
                                                             postgres: Postgres) -> None:
    """PostgreSQL goes away in the middle of a store's first round (after it registered as a
    consumer, before its archive went): the next round still ships the archive."""
    from jupyter_mlops.store.ingest import ingest

    alone = Store.open(tmp_path / "alone")
    alone.ensure()
    ids = write_run(alone, "f" * 32)
    assert ingest(alone).archived == 1
    init(alone, team_url)
    with TeamLink(alone) as link:
        assert link.con is not None  # connected: the round itself meets the outage
        postgres.stop()
        try:
            with pytest.raises(TeamUnavailable):
                link.sync()
        finally:
            postgres.start()
    assert SHIPPER in consumers.registered(alone)
    with TeamLink(alone) as link:
        assert link.sync().shipped == len(ids)
        assert link.sync().shipped == 0  # once shipped, not again
    assert sorted(team_ids(team_url)) == sorted(ids)


def test_a_url_with_a_password_is_never_stored(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s")
    with pytest.raises(StoreError, match=r"PGPASSWORD or ~/\.pgpass"):
        save_url(store, "postgresql://u:secret@h/db")
    with pytest.raises(StoreError, match="PGPASSWORD"):
        save_url(store, "postgresql://u@h/db?password=secret")
    assert not (tmp_path / "s" / "team.toml").exists()
    assert redact("postgresql://u:secret@h:5/db") == "postgresql://u:***@h:5/db"
    with pytest.raises(StoreError, match="postgresql://"):
        save_url(store, "mysql://u@h/db")


def test_the_environment_wins_and_may_hold_a_password(tmp_path: Path, team_url: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    store = machine(tmp_path, "s", "postgresql://nobody@127.0.0.1:1/none")
    monkeypatch.setenv(URL_ENV, team_url.replace("mlops@", "mlops:pw@"))
    assert team.team_url(store) == team_url.replace("mlops@", "mlops:pw@")
    init(store, None)  # trust auth ignores the password; the URL in the env is used
    found = status(store)
    assert found["reachable"] and found["url"].count("***") == 1


def test_a_store_before_init_is_told_to_init(tmp_path: Path, team_url: str) -> None:
    store = machine(tmp_path, "s", team_url)
    with pytest.raises(StoreError, match="team init"):
        TeamLink(store).sync()


def test_offline_the_machine_works_and_ships_when_back(tmp_path: Path, team_url: str,
                                                       postgres: Postgres) -> None:
    init(Store.open(tmp_path / "a"), team_url)
    a, b = machine(tmp_path, "a", team_url), machine(tmp_path, "b", team_url)
    with TeamLink(a) as la, TeamLink(b) as lb:
        la.sync()
        postgres.stop()
        try:
            ids = write_run(a, "e" * 32)
            with pytest.raises(TeamUnavailable, match="team store"):
                la.sync()
            assert "e" * 32 in set(runs(a)["run_id"])  # the local record goes on
            assert status(a)["reachable"] is False
        finally:
            postgres.start()
        assert la.sync().shipped == len(ids)
        lb.sync()
    assert sorted(event_ids(b)) == sorted(ids)


def test_a_run_that_died_here_is_seen_died_on_the_other_machines(tmp_path: Path,
                                                                  team_url: str) -> None:
    """Its writer (of another host: only this machine has its spool file) left no run_ended.
    The machine that finds it dead announces it, so the others close it too, at its last
    event; without that they would show it running for ever (they cannot judge it)."""
    init(Store.open(tmp_path / "a"), team_url)
    a, b = machine(tmp_path, "a", team_url), machine(tmp_path, "b", team_url)
    run_id = "d" * 32
    started = ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": "team",
                                        "kind": "interactive"}, ts=1_700_000_000.0)
    metrics = ev.Event(ev.METRICS, {"run_id": run_id, "metrics": {"auc": 0.5}},
                       ts=1_700_000_060.0)
    foreign = "elsewhere.example-4242.99-1700000000000000000"  # sealed: nobody locks it
    (a.spool_dir / f"{foreign}-000001.jsonl").write_bytes(started.to_line() + metrics.to_line())
    with TeamLink(a) as la, TeamLink(b) as lb:
        la.sync()  # ingests (the run dies here), then ships
        la.sync()  # the announcement, ingested here, ships
        lb.sync()
    for store in (a, b):
        row = runs(store).set_index("run_id").loc[run_id]
        assert row["status"] == "died", store.root
        assert row["ended"].timestamp() == pytest.approx(1_700_000_060.0), store.root
    with TeamLink(a) as la:  # already closed: announced once
        la.sync()
    with db.connect(a, write=False) as con:
        assert db.scalar(con, "SELECT count(*) FROM event_log WHERE type = 'run_ended'") == 1
