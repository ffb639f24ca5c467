"""``lineage``: where a model, run, cell or dataset came from, or what depends on it."""

from __future__ import annotations

import json
from typing import Any

import click

from .common import print_frame


def _dot(graph: dict[str, Any]) -> str:
    """A lineage graph in Graphviz's dot language."""
    lines = ["digraph lineage {", "  rankdir=LR;"]
    lines += [f'  "{n["kind"]}:{n["id"]}" [label="{n["kind"]}\\n{n["id"][:16]}"];'
              for n in graph["nodes"]]
    lines += [f'  "{":".join(e["source"])}" -> "{":".join(e["target"])}" '
              f'[label="{e["relation"]}"];' for e in graph["edges"]]
    return "\n".join([*lines, "}"])


@click.command()
@click.argument("ref")
@click.option("--down", is_flag=True, help="Descendants instead of ancestors.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "dot"]), default="table",
              show_default=True)
def lineage(ref: str, down: bool, fmt: str) -> None:
    """What REF (name@alias, name:3, a run id, a cell RUN/SEQ) came from, or with --down what
    depends on it; a run shows what was recorded in it first."""
    from .. import lineage as graph_of

    if fmt == "table":
        walk = graph_of.descendants if down else graph_of.ancestors
        print_frame(walk(ref), False)
    elif fmt == "json":
        click.echo(json.dumps(graph_of.graph(ref), indent=2))
    else:
        click.echo(_dot(graph_of.graph(ref)))


COMMANDS = [lineage]
