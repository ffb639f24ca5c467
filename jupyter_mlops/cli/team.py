"""``team init|status|sync``: this store as one machine of a team store on PostgreSQL."""

from __future__ import annotations

import json

import click

from ..store import Store
from .common import pass_store


@click.group()
def team() -> None:
    """The team store: every machine's events in PostgreSQL (docs/team.md)."""


@team.command("init")
@click.argument("url", required=False)
@pass_store
def team_init(store: Store, url: str | None) -> None:
    """Join the team store at URL (postgresql://USER@HOST:PORT/DB?sslmode=…): create or
    migrate its schema and remember URL in <store>/team.toml. The password goes in
    PGPASSWORD or ~/.pgpass, never in the URL. Without URL: migrate the configured one."""
    from ..store.team.status import init

    version = init(store, url)
    click.echo(f"team store ready (schema version {version}); `jupyter mlops team sync` "
               f"ships and pulls now, the server does it every second")


@team.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@pass_store
def team_status(store: Store, as_json: bool) -> None:
    """Where the team store is, whether it answers, and how far this machine is."""
    from ..store.team.status import status

    found = status(store)
    if as_json:
        click.echo(json.dumps(found))
        return
    for key, value in found.items():
        if value is not None:
            click.echo(f"{key}: {value}")


@team.command("sync")
@pass_store
def team_sync(store: Store) -> None:
    """Ship this machine's new events to the team store and apply the team's new ones."""
    from ..store.team.sync import sync

    result = sync(store)
    click.echo(f"shipped {result.shipped} events; applied {result.pulled} to this machine's "
               f"database (up to team seq {result.cursor})")


@team.command("leave")
@pass_store
def team_leave(store: Store) -> None:
    """Stop shipping and pulling: forget team.toml and the shipper's hold on the spool
    (what was pulled stays; PostgreSQL keeps what was shipped)."""
    from ..store.team.status import leave

    leave(store)
    click.echo("this store is on its own again")


COMMANDS = [team]
