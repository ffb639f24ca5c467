"""Two people registering one model at once, on two machines: one numbering of its versions;
and a machine away from the team still registers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from jupyter_mlops.store import Store
from jupyter_mlops.store.team.status import init

from .scenario import machine

ROOT = Path(__file__).resolve().parents[2]


def _registrars(*runs: tuple[Store, int]) -> list[list[int]]:
    started = [subprocess.Popen([sys.executable, "-m", "tests.team.registrar", str(s.root),
                                 "churn", str(n)], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for s, n in runs]
    numbers = []
    for p in started:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
        numbers.append([int(v) for v in out.strip().split(",")])
    return numbers


def test_concurrent_registrars_number_versions_once(tmp_path: Path, team_url: str) -> None:
    init(Store.open(tmp_path / "a"), team_url)
    a, b = machine(tmp_path, "a", team_url), machine(tmp_path, "b", team_url)
    on_a, on_b = _registrars((a, 3), (b, 3))
    assert sorted(on_a + on_b) == [1, 2, 3, 4, 5, 6], (on_a, on_b)  # no number twice


def test_a_machine_away_from_the_team_still_registers(tmp_path: Path) -> None:
    away = machine(tmp_path, "a", "postgresql://nobody@127.0.0.1:1/none")
    [numbers] = _registrars((away, 2))
    assert numbers == [1, 2]  # numbered from this machine's versions, shipped later
