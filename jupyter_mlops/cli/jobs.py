"""``run``, ``reproduce``, ``export``, ``jobs``: notebooks executed as jobs, and the options
and exit statuses the schedule commands share with them."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from ..store import Store
from .common import F, json_option, pass_store, print_frame, warn


def job_params(pairs: tuple[tuple[str, str], ...], params_file: str | None) -> dict[str, Any]:
    """``--params FILE`` then ``-p NAME VALUE`` pairs (values parsed as JSON when they are)."""
    from ..jobs.params import load_file, parse_value

    params = load_file(params_file) if params_file else {}
    params.update((name, parse_value(value)) for name, value in pairs)
    return params


def with_params(f: F) -> F:
    """The ``-p NAME VALUE`` and ``--params FILE`` options (read by :func:`job_params`)."""
    f = click.option("--params", "params_file", type=click.Path(exists=True, dir_okay=False),
                     help="Parameters from a YAML or JSON file (-p wins).")(f)
    return click.option("-p", "--parameter", "pairs", nargs=2, multiple=True,
                        metavar="NAME VALUE", help="A parameter (VALUE as JSON if it parses).")(f)


def finish(result: Any) -> None:
    """Print how a job ended; exit 0 only when it succeeded (130 when it was cancelled)."""
    click.echo(str(result))
    if not result.ok:
        if result.failed_cell is not None and result.traceback:
            click.echo(result.traceback.splitlines()[-1], err=True)
        sys.exit(130 if result.status == "cancelled" else 1)


@click.command("run")
@click.argument("notebook", type=click.Path())
@with_params
@click.option("--timeout", help="Wall time for the whole job: 90, 30s, 30m, 2h.")
@click.option("-e", "--experiment", help="Experiment of the job's run (default: notebook name).")
@click.option("-o", "--output", type=click.Path(), help="Where to write the executed notebook "
              "(default: the job's folder in the store).")
@click.option("-k", "--kernel", "kernel_name",
              help="Kernel name (default: the notebook's); `jupyter kernelspec list` lists "
                   "the installed ones.")
@pass_store
def run_job(store: Store, notebook: str, pairs: Any, params_file: str | None,
            timeout: str | None, experiment: str | None, output: str | None,
            kernel_name: str | None) -> None:
    """Execute NOTEBOOK as a job with papermill; exit 1 unless it succeeded."""
    from ..jobs.runner import execute, prepare

    spec = prepare(notebook, job_params(pairs, params_file), timeout=timeout,
                   experiment=experiment, output=output, kernel_name=kernel_name,
                   store=store, trigger="cli", progress=sys.stderr.isatty())
    finish(execute(spec))


@click.command()
@click.argument("run_id")
@click.option("--timeout", help="Wall time (default: the original job's).")
def reproduce(run_id: str, timeout: str | None) -> None:
    """Run job RUN_ID again with its recorded notebook and parameters; say what changed."""
    import warnings

    from ..jobs.reproduction import ReproducibilityWarning
    from ..jobs.reproduction import reproduce as run_again

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReproducibilityWarning)
        done = run_again(run_id, timeout=timeout, progress=sys.stderr.isatty())
    warn([str(w.message) for w in caught])
    for change in done.data:
        click.echo(f"changed: {change}")
    if done.metrics is not None and not done.metrics.empty:
        print_frame(done.metrics, False)
    finish(done.result)


@click.command()
@click.argument("ref")
@click.option("--to", "target", required=True, type=click.Path(), help="The .ipynb to write.")
@click.option("--force", is_flag=True, help="Overwrite the target if it exists.")
def export(ref: str, target: str, force: bool) -> None:
    """Write the cells behind REF (a run id, a cell RUN/SEQ, name:3, name@alias) as a job
    notebook."""
    from ..jobs.exporter import export as write

    click.echo(f"wrote {write(ref, target, overwrite=force)}")


@click.command()
@click.option("--status", help="Only jobs that ended so (succeeded, failed, timed_out, …).")
@click.option("--schedule", help="Only jobs of this schedule.")
@click.option("-n", "--limit", default=20, show_default=True, help="How many jobs.")
@json_option()
@pass_store
def jobs(store: Store, status: str | None, schedule: str | None, limit: int,
         as_json: bool) -> None:
    """Recent job executions, newest first."""
    from ..jobs.records import listing

    frame = listing(store, status=status, schedule=schedule, limit=limit)
    if not as_json and not frame.empty:
        frame = frame[["run_id", "name", "notebook", "status", "started", "duration_s",
                       "schedule", "trigger", "params", "reason", "output"]]
        frame = frame.assign(run_id=frame.run_id.str[:12],
                             notebook=frame.notebook.map(os.path.basename, na_action="ignore"))
    print_frame(frame, as_json)


COMMANDS = [run_job, reproduce, export, jobs]
