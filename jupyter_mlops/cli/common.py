"""What every command module of the CLI shares: the group that turns store errors into one
line, the store from the click context, and how frames and warnings are printed."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..exceptions import StoreError
from ..store import Store

F = TypeVar("F", bound=Callable[..., Any])

#: ``@pass_store`` hands a command the :class:`Store` that ``--store`` opened (``ctx.obj``).
pass_store = click.make_pass_decorator(Store)


class Group(click.Group):
    """Turns every StoreError into one line on stderr and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StoreError as e:
            click.echo(f"jupyter-mlops: error: {e}", err=True)
            sys.exit(2)


def print_frame(frame: Any, as_json: bool) -> None:
    """A DataFrame as JSON records, or as a table wide enough to read in a terminal."""
    if as_json:
        click.echo(frame.to_json(orient="records", date_format="iso", default_handler=str))
    elif frame.empty:
        click.echo("(nothing recorded yet)")
    else:
        import pandas as pd

        with pd.option_context("display.max_columns", None, "display.width", 200,
                               "display.max_colwidth", 60):
            click.echo(frame.to_string(index=False))


def warn(warnings: list[str]) -> None:
    """Warnings go to stderr, one a line, so that stdout stays the command's answer."""
    for warning in warnings:
        click.echo(f"jupyter-mlops: warning: {warning}", err=True)


def json_option(help: str = "JSON records instead of a table.") -> Callable[[F], F]:
    """The ``--json`` flag most listing commands take."""
    return click.option("--json", "as_json", is_flag=True, help=help)
