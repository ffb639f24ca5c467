"""``artifacts``: what a run keeps (files, figures, tables, cell outputs), listed or fetched."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..store import Store
from .common import json_option, pass_store, print_frame


@click.command(context_settings={"ignore_unknown_options": False})
@click.argument("words", nargs=-1, required=True, metavar="RUN | get RUN NAME")
@click.option("-o", "--output", type=click.Path(), default=None,
              help="`get`: where to write (default: the name's last part here; '-': stdout).")
@json_option()
@pass_store
def artifacts(store: Store, words: tuple[str, ...], output: str | None, as_json: bool) -> None:
    """A run's artifacts (`artifacts RUN`), or one of them written to a file or folder
    (`artifacts get RUN NAME [-o PATH]`)."""
    from ..store import queries

    if words[0] != "get":
        if len(words) != 1:
            raise click.UsageError("give one run id: `jupyter mlops artifacts RUN`, or "
                                   "`jupyter mlops artifacts get RUN NAME -o PATH`")
        print_frame(queries.artifacts(store, words[0]), as_json)
        return
    if len(words) != 3:
        raise click.UsageError("usage: jupyter mlops artifacts get RUN NAME [-o PATH]")
    from .. import blobs
    from ..tracking import files

    if output == "-":
        found = queries.artifact(store, words[1], words[2])
        if found["kind"] == "dir":
            raise click.UsageError(f"{words[2]!r} is a folder: give -o FOLDER")
        for piece in blobs.chunks(store, found["sha256"]):
            sys.stdout.buffer.write(piece)
        return
    path = files.export(store, words[1], words[2], Path(output) if output else None)
    click.echo(str(path))


COMMANDS = [artifacts]
