"""``jupyter mlops team init|status|sync`` as a user runs them, and the roles docs/team.md
sets up: a member reads everyone's events and adds its own, changes no one's."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from jupyter_mlops.store import Store
from tests.conftest import cli

from .test_sync import event_ids, write_run


def test_init_status_sync(tmp_path: Path, team_url: str) -> None:
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    refused = cli("--store", a, "team", "init", team_url.replace("mlops@", "mlops:pw@"))
    assert refused.returncode == 2 and "PGPASSWORD" in refused.stderr
    for store in (a, b):
        done = cli("--store", store, "team", "init", team_url)
        assert done.returncode == 0, done.stderr
        assert "schema version 1" in done.stdout
    ids = write_run(Store.open(a), "f" * 32)
    shown = json.loads(cli("--store", a, "team", "status", "--json").stdout)
    assert shown["reachable"] and shown["unshipped_bytes"] > 0 and shown["team_seq"] == 0
    assert "shipped 5 events" in cli("--store", a, "team", "sync").stdout
    assert cli("--store", b, "team", "sync").returncode == 0
    assert sorted(event_ids(Store.open(b))) == sorted(ids)
    shown = json.loads(cli("--store", b, "team", "status", "--json").stdout)
    assert shown["applied_seq"] == shown["team_seq"] == 5
    alone = cli("--store", str(tmp_path / "c"), "team", "status")
    assert alone.returncode == 2 and "team init URL" in alone.stderr
    assert cli("--store", a, "team", "leave").returncode == 0
    assert not (Path(a) / "team.toml").exists()
    assert not (Path(a) / "consumers" / "team.json").exists()  # the spool is ingest's alone


MEMBER = """
CREATE ROLE {name} LOGIN;
GRANT USAGE ON SCHEMA mlops TO {name};
GRANT SELECT ON mlops.events, mlops.schema_version TO {name};
GRANT INSERT (event_id, file, body) ON mlops.events TO {name};
"""


def test_a_member_adds_and_reads_but_changes_nothing(tmp_path: Path, team_url: str) -> None:
    """The GRANTs of docs/team.md, checked against PostgreSQL itself."""
    store = Store.open(tmp_path / "a")
    assert cli("--store", str(store.root), "team", "init", team_url).returncode == 0
    with psycopg.connect(team_url, autocommit=True) as admin:
        admin.execute("DROP ROLE IF EXISTS alice")
        admin.execute(MEMBER.format(name="alice"))
    member_url = team_url.replace("mlops@", "alice@")
    write_run(store, "a" * 32)
    synced = cli("--store", str(store.root), "team", "sync",
                 env={"JUPYTER_MLOPS_TEAM_URL": member_url})
    assert synced.returncode == 0, synced.stderr
    with psycopg.connect(member_url, autocommit=True) as con:
        assert con.execute("SELECT count(*), min(shipped_by) FROM mlops.events"
                           ).fetchone() == (5, "alice")
        for sql in ("DELETE FROM mlops.events", "UPDATE mlops.events SET body = '{}'",
                    "INSERT INTO mlops.events (event_id, file, body, shipped_by) "
                    "VALUES ('x', 'f', '{}', 'bob')", "TRUNCATE mlops.events"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(sql)
