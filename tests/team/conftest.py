"""A real PostgreSQL per test session (tests/team/postgres.py), and one fresh database
per test so tests never see each other's events."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from .postgres import Postgres, find_bin

_names = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    pytest.importorskip("psycopg", reason="the team store needs psycopg (the team extra)")
    bin_dir = find_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (initdb not on PATH nor in "
                    "/usr/lib/postgresql/*/bin): apt-get install postgresql")
    pg = Postgres(bin_dir)
    pg.start()
    yield pg
    pg.destroy()


@pytest.fixture
def team_url(postgres: Postgres) -> str:
    """The URL of an empty database of its own on the session's PostgreSQL."""
    import psycopg

    name = f"team{next(_names)}"
    with psycopg.connect(postgres.url, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    return postgres.url.rsplit("/", 1)[0] + f"/{name}"
