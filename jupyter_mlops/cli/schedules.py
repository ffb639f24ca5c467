"""``schedule …`` and ``scheduler``: notebooks run on a cron, and the daemon that runs them."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from ..store import Store
from .common import json_option, pass_store, print_frame
from .jobs import finish, job_params, with_params


@click.group()
def schedule() -> None:
    """Schedules: notebooks run by `jupyter mlops scheduler` on a cron."""


@schedule.command("add")
@click.argument("notebook", type=click.Path())
@click.option("--cron", required=True, help="'minute hour day month weekday' (a 6th field "
              "first for seconds).")
@click.option("--name", help="The schedule's name (default: the notebook's).")
@with_params
@click.option("--misfire", type=click.Choice(["skip", "once", "all"]), default="once",
              show_default=True, help="Fire times missed while no scheduler ran.")
@click.option("--timeout", help="Wall time of each job: 90, 30m, 2h.")
@click.option("-e", "--experiment", help="Experiment of its runs.")
@click.option("--timezone", "tz", help="Time zone of the cron (default UTC).")
@click.option("--replace", is_flag=True, help="Replace a schedule of the same name.")
def schedule_add(notebook: str, cron: str, name: str | None, pairs: Any,
                 params_file: str | None, misfire: str, timeout: str | None,
                 experiment: str | None, tz: str | None, replace: bool) -> None:
    """Run NOTEBOOK on a cron."""
    from ..jobs import schedules

    state = schedules.add(notebook, cron, name=name, params=job_params(pairs, params_file),
                          misfire=misfire, timeout=timeout, experiment=experiment, tz=tz,
                          replace=replace)
    click.echo(f"schedule {name or os.path.splitext(os.path.basename(notebook))[0]}: "
               f"{state['cron']} → {state['notebook']}")


@schedule.command("list")
@json_option()
@pass_store
def schedule_list(store: Store, as_json: bool) -> None:
    """Every schedule, its next fire time and its last job."""
    from ..jobs.schedules import listing

    frame = listing(store)
    if not as_json and not frame.empty:
        frame = frame[["name", "cron", "paused", "next_run", "last_status", "last_started",
                       "misfire", "params", "notebook"]]
    print_frame(frame, as_json)


@schedule.command("pause")
@click.argument("name")
@pass_store
def schedule_pause(store: Store, name: str) -> None:
    """Stop firing NAME until resumed."""
    from ..jobs import schedules

    schedules.pause(name, store=store)
    click.echo(f"schedule {name} paused")


@schedule.command("resume")
@click.argument("name")
@pass_store
def schedule_resume(store: Store, name: str) -> None:
    """Fire NAME again, from now on (times missed while paused are not run)."""
    from ..jobs import schedules

    schedules.resume(name, store=store)
    click.echo(f"schedule {name} resumed")


@schedule.command("remove")
@click.argument("name")
def schedule_remove(name: str) -> None:
    """Delete schedule NAME (its past jobs stay recorded)."""
    from ..jobs import schedules

    schedules.remove(name)
    click.echo(f"schedule {name} removed")


@schedule.command("run-now")
@click.argument("name")
@with_params
@pass_store
def schedule_run_now(store: Store, name: str, pairs: Any, params_file: str | None) -> None:
    """Run NAME now: through the scheduler when one runs on this store (so the concurrency
    limit and no-overlap hold), else here in the foreground."""
    from ..jobs import schedules
    from ..jobs.scheduler import SchedulerLock

    params = job_params(pairs, params_file)
    if SchedulerLock(store).held_elsewhere():
        click.echo(f"requested: the scheduler will start {name} (request "
                   f"{schedules.request(name, params, store=store)[:12]})")
        return
    finish(schedules.run_here(name, params, store=store, progress=sys.stderr.isatty()))


@click.command()
@click.option("--executor", default="local", show_default=True,
              help="'local', or a Dask scheduler: dask://host:8786.")
@click.option("--max-jobs", default=2, show_default=True, help="Jobs at once (local).")
@click.option("--tick", "tick_s", default=1.0, show_default=True, help="Seconds between passes.")
@click.option("--shutdown-grace", "grace_s", default=30.0, show_default=True,
              help="On SIGTERM, seconds running jobs get to finish before they are killed.")
@pass_store
def scheduler(store: Store, executor: str, max_jobs: int, tick_s: float,
              grace_s: float) -> None:
    """The daemon that runs schedules and run-now requests; one per store."""
    import logging

    from ..jobs.scheduler import Scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    Scheduler(store, executor=executor, max_jobs=max_jobs, tick_s=tick_s,
              shutdown_grace_s=grace_s).serve()


COMMANDS = [schedule, scheduler]
