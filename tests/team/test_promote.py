"""Two people promoting one model at once, on two machines: one alias chain."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg

from jupyter_mlops import events as ev
from jupyter_mlops.store import Store, db
from jupyter_mlops.store.spool import SpoolWriter
from jupyter_mlops.store.team.status import init
from jupyter_mlops.store.team.sync import TeamLink

from .scenario import machine

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = 6


def test_concurrent_promoters_leave_one_chain(tmp_path: Path, team_url: str) -> None:
    init(Store.open(tmp_path / "a"), team_url)
    a, b = machine(tmp_path, "a", team_url), machine(tmp_path, "b", team_url)
    w = SpoolWriter(a)
    w.write([ev.Event(ev.MODEL_VERSION, {"name": "churn", "version": v, "artifact": "0" * 64,
                                         "format": "pickle", "flavor": "x", "metrics": {}})
             for v in range(1, VERSIONS + 1)])
    w.close()
    with TeamLink(a) as la, TeamLink(b) as lb:
        la.sync()
        lb.sync()
    odd = ",".join(str(v) for v in range(1, VERSIONS + 1, 2))
    even = ",".join(str(v) for v in range(2, VERSIONS + 1, 2))
    promoters = [subprocess.Popen([sys.executable, "-m", "tests.team.promoter", str(s.root),
                                   "churn", versions], cwd=ROOT, stderr=subprocess.PIPE,
                                  text=True)
                 for s, versions in ((a, odd), (b, even))]
    for p in promoters:
        _, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
    with psycopg.connect(team_url) as con:
        moves = [(int(version), None if previous is None else int(previous)) for
                 version, previous in con.execute(
                     "SELECT body::json->'payload'->>'version', "
                     "body::json->'payload'->>'previous' FROM mlops.events "
                     "WHERE body::json->>'type' = 'alias_set' ORDER BY seq")]
    assert sorted(v for v, _ in moves) == list(range(1, VERSIONS + 1))
    # each move names the one before it as the alias's previous version: no fork
    assert [p for _, p in moves] == [None] + [v for v, _ in moves[:-1]]
    with TeamLink(a) as la, TeamLink(b) as lb:
        la.sync()
        lb.sync()
    for store in (a, b):
        with db.connect(store, write=False) as con:
            assert db.scalar(con, "SELECT version FROM current_aliases WHERE name = 'churn' AND "
                                  "alias = 'champion'") == moves[-1][0]


def test_no_promotion_without_postgresql(tmp_path: Path) -> None:
    """Uncoordinated moves would fork the chain: refused, nothing recorded."""
    import pytest

    from jupyter_mlops.exceptions import TeamUnavailable
    from jupyter_mlops.registry import promote

    store = machine(tmp_path, "a", "postgresql://nobody@127.0.0.1:1/none")
    w = SpoolWriter(store)
    w.write([ev.Event(ev.MODEL_VERSION, {"name": "churn", "version": 1, "artifact": "0" * 64,
                                         "format": "pickle", "flavor": "x", "metrics": {}})])
    w.close()
    with pytest.raises(TeamUnavailable, match="cannot reach the team store"):
        promote("churn", 1, store=store)
    with db.connect(store, write=False) as con:
        assert db.scalar(con, "SELECT count(*) FROM aliases") == 0
