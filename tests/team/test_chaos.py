"""Four machines × 8 writers; shippers and pullers killed (-9) at random; PostgreSQL
restarted mid-run, then away for a while. After: every machine has every event exactly once."""

from __future__ import annotations

from pathlib import Path

from .postgres import Postgres
from .scenario import EVENTS, MACHINES, WRITERS, scenario


def test_nothing_lost_nothing_duplicated(tmp_path: Path, team_url: str,
                                         postgres: Postgres) -> None:
    out = scenario(tmp_path, team_url, postgres)
    assert out.kills >= 3 and min(out.writing) > 0  # PostgreSQL went away while events came
    assert out.shipped_meanwhile > 0  # the killed shippers did ship
    assert out.written == MACHINES * WRITERS * (EVENTS + 2)
    assert out.team == (out.written, out.written)  # in PostgreSQL: each event once
    assert out.lost == out.duplicated == [0] * MACHINES
    assert out.finished == [MACHINES * WRITERS] * MACHINES
