"""``jupyter mlops …`` (the ``jupyter-mlops`` executable): query and maintain a store.

One module per domain, each listing its ``COMMANDS``; :mod:`.common` holds what they share.
The store ``--store`` opens is the click context's object: a command takes it with
``@pass_store``. Domain functions that record or read through the process's tracker
(promote, lineage, schedules, reproduce, export, drift reports) get the same store: the
tracker is bound to it here, never through ``$JUPYTER_MLOPS_HOME``.
"""

from __future__ import annotations

import click

from ..store import Store
from . import (
    admin,
    alerts,
    artifacts,
    bundles,
    diff,
    drift,
    gc,
    jobs,
    lineage,
    models,
    runs,
    schedules,
    score,
    team,
)
from .common import Group


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", "store_dir", envvar="JUPYTER_MLOPS_HOME", type=click.Path(),
              help="The store folder (default: $JUPYTER_MLOPS_HOME, "
                   "else <jupyter data dir>/mlops).")
@click.version_option(package_name="jupyter-mlops")
@click.pass_context
def main(ctx: click.Context, store_dir: str | None) -> None:
    """Query and maintain a jupyter-mlops store."""
    from ..tracking import use_store

    ctx.obj = Store.open(store_dir)
    use_store(ctx.obj)  # what this process records (drift reports, promotions) goes there too


for _module in (runs, admin, gc, drift, models, lineage, diff, jobs, schedules, artifacts,
                alerts, team, bundles, score):
    for _command in _module.COMMANDS:
        main.add_command(_command)
