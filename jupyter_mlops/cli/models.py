"""``models``, ``promote``: the model registry."""

from __future__ import annotations

import click

from ..exceptions import StoreError
from ..store import Store
from .common import json_option, pass_store, print_frame


@click.command()
@click.option("--history", "history_of", metavar="NAME", help="The alias history of NAME.")
@json_option()
@pass_store
def models(store: Store, history_of: str | None, as_json: bool) -> None:
    """Registered model versions with their metrics and aliases."""
    from ..store import queries

    if history_of:
        print_frame(queries.alias_history(store, history_of), as_json)
    else:
        print_frame(queries.models(store), as_json)


def _gate(items: tuple[str, ...]) -> dict[str, str]:
    """``--gate METRIC=CONDITION`` options as the registry's ``gate`` mapping."""
    gate = {}
    for item in items:
        key, sep, condition = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: write METRIC=CONDITION, e.g. 'auc=>= 0.85'")
        gate[key.strip()] = condition
    return gate


@click.command()
@click.argument("name")
@click.argument("version", type=int)
@click.argument("alias", default="champion")
@click.option("--gate", "gates", multiple=True, metavar="METRIC=CONDITION",
              help="e.g. --gate 'auc=>= 0.85' or --gate 'auc=> champion + 0.01'.")
@click.pass_context
def promote(ctx: click.Context, name: str, version: int, alias: str,
            gates: tuple[str, ...]) -> None:
    """Point NAME@ALIAS at VERSION, if every gate holds (exit 1 with the reason if not)."""
    from ..exceptions import GateRefused
    from ..registry import promote as run_promote

    try:
        done = run_promote(name, version, alias, gate=_gate(gates))
    except GateRefused as e:
        click.echo(f"jupyter-mlops: {e}", err=True)
        ctx.exit(1)
    except ValueError as e:
        raise StoreError(str(e)) from None
    click.echo(f"{name}@{alias} -> version {done.version}")


COMMANDS = [models, promote]
