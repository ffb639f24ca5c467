"""``ingest``, ``rebuild``, ``doctor``: keeping the store itself in shape."""

from __future__ import annotations

import click

from ..store import Store
from .common import pass_store, warn


@click.command()
@pass_store
def ingest(store: Store) -> None:
    """Apply pending spool events to the database now."""
    from ..store.ingest import ingest as run_ingest

    result = run_ingest(store)
    warn(result.warnings)
    click.echo(f"ingested {result.events} events ({result.duplicates} duplicates skipped) "
               f"from {result.files} files in {result.seconds:.2f} s; archived {result.archived} "
               f"spool files; closed {result.runs_closed} runs whose kernel had died")


@click.command()
@pass_store
def rebuild(store: Store) -> None:
    """Recreate the database from the archived and pending events (the old file is kept)."""
    from ..store.ingest import rebuild as run_rebuild

    result = run_rebuild(store)
    warn(result.warnings)
    click.echo(f"rebuilt {store.db_path} from {result.events} events "
               f"in {result.seconds:.2f} s")


@click.command()
@pass_store
def doctor(store: Store) -> None:
    """Where the store is and how it is: size, pending events, schema, lock holders, and
    the last failures inside capture (which never show in a cell)."""
    from ..capture.incidents import summary
    from ..store.doctor import diagnose

    for key, value in {**diagnose(store), **summary(store.root)}.items():
        click.echo(f"{key:>16}: {value}")


COMMANDS = [ingest, rebuild, doctor]
