"""``pack``, ``merge``: a run's or a model's lineage carried to another store as one file."""

from __future__ import annotations

import click

from ..store import Store
from .common import pass_store


@click.command()
@click.argument("ref")
@click.option("--to", "to", required=True, type=click.Path(dir_okay=False),
              help="The bundle file to write, e.g. churn.mlops.")
@pass_store
def pack(store: Store, ref: str, to: str) -> None:
    """Pack REF (a run id, NAME:VERSION or NAME@ALIAS) with its lineage (runs, cells, data,
    model versions, alias moves) and the artifacts it references into one file."""
    from ..bundles import pack as pack_bundle

    done = pack_bundle(ref, to, store=store)
    click.echo(f"packed {ref}: {done.events} events of {done.runs} run(s), "
               f"{done.model_versions} model version(s), {done.blobs} artifact(s) into "
               f"{done.path} ({done.size:,} bytes)")


@click.command()
@click.argument("bundle", type=click.Path(dir_okay=False))
@pass_store
def merge(store: Store, bundle: str) -> None:
    """Merge a BUNDLE made by `pack` into this store (verified first; twice changes nothing)."""
    from ..bundles import merge as merge_bundle

    done = merge_bundle(bundle, store=store)
    click.echo(f"merged {bundle}: {done.new} new event(s) of {done.events}, "
               f"{done.blobs} artifact(s) verified")


COMMANDS = [pack, merge]
