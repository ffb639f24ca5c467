"""``diff``: why two runs differ (params, cells, data, environment, git)."""

from __future__ import annotations

import json

import click

from .common import json_option


@click.command()
@click.argument("run_a")
@click.argument("run_b")
@click.option("--metric", default=None, help="Only what lies on this metric's slice.")
@json_option("The difference as one JSON object.")
def diff(run_a: str, run_b: str, metric: str | None, as_json: bool) -> None:
    """What changed from run RUN_A to run RUN_B (ids or prefixes): params, cells added,
    removed or edited, the first dataset that differs, environment, git."""
    from ..comparison import diff as compare_runs

    found = compare_runs(run_a, run_b, metric)
    click.echo(json.dumps(found.to_dict(), indent=2, default=str) if as_json else str(found))


COMMANDS = [diff]
