"""``runs``, ``show``, ``cells``: what was recorded, run by run."""

from __future__ import annotations

import json

import click

from ..store import Store
from .common import json_option, pass_store, print_frame


@click.command()
@click.option("-e", "--experiment", help="Only runs of this experiment.")
@click.option("--status", help="Only runs with this status (running, finished, died, …).")
@click.option("-n", "--limit", default=20, show_default=True, help="How many runs.")
@json_option()
@pass_store
def runs(store: Store, experiment: str | None, status: str | None, limit: int,
         as_json: bool) -> None:
    """Recent runs with their params and metrics, newest first."""
    from ..store import queries

    frame = queries.runs(store, experiment=experiment, status=status, limit=limit)
    if not as_json and not frame.empty:
        frame = frame.drop(columns=["env_id", "parent_run", "git_dirty"])
        frame["run_id"] = frame["run_id"].str[:12]
    print_frame(frame, as_json)


@click.command()
@click.argument("run_id")
@json_option("JSON instead of text.")
@pass_store
def show(store: Store, run_id: str, as_json: bool) -> None:
    """One run: params, metrics, environment, git, and its cells."""
    from ..store import queries

    info = queries.run(store, run_id)
    cells = queries.cells(store, info["run_id"])
    if as_json:
        info["cells"] = json.loads(cells.drop(columns=["source"]).to_json(
            orient="records", date_format="iso"))
        click.echo(json.dumps(info, default=str, indent=2))
        return
    env = info.pop("environment") or {}
    params, metrics = info.pop("params"), info.pop("metrics")
    for key, value in info.items():
        click.echo(f"{key:>14}: {value}")
    if env:
        click.echo(f"{'python':>14}: {env['python']} on {env['platform']}")
        click.echo(f"{'packages':>14}: {len(env['packages'])} installed")
    for title, values in (("params", params), ("metrics", metrics)):
        click.echo(f"\n{title}:" + ("" if values else " (none)"))
        for key, value in values.items():
            click.echo(f"  {key} = {value!r}")
    click.echo("\ncells:")
    print_frame(cells[["seq", "execution_count", "status", "duration_ms", "reads", "writes",
                       "error_type"]], False)


@click.command()
@click.argument("run_id")
@json_option()
@pass_store
def cells(store: Store, run_id: str, as_json: bool) -> None:
    """The executed cells of a run, in order."""
    from ..store import queries

    print_frame(queries.cells(store, run_id), as_json)


COMMANDS = [runs, show, cells]
