"""``jupyter mlops …`` (the ``jupyter-mlops`` executable): query and maintain a store."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click

from .config import HOME_ENV
from .exceptions import StoreError
from .store import Store


def _store(ctx: click.Context) -> Store:
    return ctx.obj


def _print_frame(frame: Any, as_json: bool) -> None:
    if as_json:
        click.echo(frame.to_json(orient="records", date_format="iso", default_handler=str))
    elif frame.empty:
        click.echo("(nothing recorded yet)")
    else:
        import pandas as pd

        with pd.option_context("display.max_columns", None, "display.width", 200,
                               "display.max_colwidth", 60):
            click.echo(frame.to_string(index=False))


class _Group(click.Group):
    """Turns every StoreError into one line on stderr and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StoreError as e:
            click.echo(f"jupyter-mlops: error: {e}", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", "store_dir", envvar="JUPYTER_MLOPS_HOME", type=click.Path(),
              help="The store folder (default: $JUPYTER_MLOPS_HOME, "
                   "else <jupyter data dir>/mlops).")
@click.version_option(package_name="jupyter-mlops")
@click.pass_context
def main(ctx: click.Context, store_dir: str | None) -> None:
    """Query and maintain a jupyter-mlops store."""
    ctx.obj = Store.open(store_dir)
    # what this process records (drift reports, promotions) goes to the same store
    os.environ[HOME_ENV] = str(ctx.obj.root)


@main.command()
@click.option("-e", "--experiment", help="Only runs of this experiment.")
@click.option("--status", help="Only runs with this status (running, finished, died, …).")
@click.option("-n", "--limit", default=20, show_default=True, help="How many runs.")
@click.option("--json", "as_json", is_flag=True, help="JSON records instead of a table.")
@click.pass_context
def runs(ctx: click.Context, experiment: str | None, status: str | None, limit: int,
         as_json: bool) -> None:
    """Recent runs with their params and metrics, newest first."""
    from .store import queries

    frame = queries.runs(_store(ctx), experiment=experiment, status=status, limit=limit)
    if not as_json and not frame.empty:
        frame = frame.drop(columns=["env_id", "parent_run", "git_dirty"])
        frame["run_id"] = frame["run_id"].str[:12]
    _print_frame(frame, as_json)


@main.command()
@click.argument("run_id")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
@click.pass_context
def show(ctx: click.Context, run_id: str, as_json: bool) -> None:
    """One run: params, metrics, environment, git, and its cells."""
    from .store import queries

    info = queries.run(_store(ctx), run_id)
    cells = queries.cells(_store(ctx), info["run_id"])
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
    _print_frame(cells[["seq", "execution_count", "status", "duration_ms", "reads", "writes",
                        "error_type"]], False)


@main.command()
@click.argument("run_id")
@click.option("--json", "as_json", is_flag=True, help="JSON records instead of a table.")
@click.pass_context
def cells(ctx: click.Context, run_id: str, as_json: bool) -> None:
    """The executed cells of a run, in order."""
    from .store import queries

    _print_frame(queries.cells(_store(ctx), run_id), as_json)


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        click.echo(f"jupyter-mlops: warning: {warning}", err=True)


@main.command()
@click.pass_context
def ingest(ctx: click.Context) -> None:
    """Apply pending spool events to the database now."""
    from .store.ingest import ingest as run_ingest

    result = run_ingest(_store(ctx))
    _warn(result.warnings)
    click.echo(f"ingested {result.events} events ({result.duplicates} duplicates skipped) "
               f"from {result.files} files in {result.seconds:.2f} s; archived {result.archived} "
               f"spool files; closed {result.runs_closed} runs whose kernel had died")


@main.command()
@click.pass_context
def rebuild(ctx: click.Context) -> None:
    """Recreate the database from the archived and pending events (the old file is kept)."""
    from .store.ingest import rebuild as run_rebuild

    result = run_rebuild(_store(ctx))
    _warn(result.warnings)
    click.echo(f"rebuilt {_store(ctx).db_path} from {result.events} events "
               f"in {result.seconds:.2f} s")


@main.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Where the store is and how it is: size, pending events, schema, lock holders, and
    the last failures inside capture (which never show in a cell)."""
    from .capture.incidents import summary
    from .store.doctor import diagnose

    store = _store(ctx)
    for key, value in {**diagnose(store), **summary(store.root)}.items():
        click.echo(f"{key:>16}: {value}")


@main.command()
@click.argument("reference")
@click.argument("current", type=click.Path(exists=True, dir_okay=False))
@click.option("--alpha", default=0.05, show_default=True, help="Significance level (after BH).")
@click.option("--share", default=0.5, show_default=True,
              help="Share of drifted columns that makes the dataset drifted.")
@click.option("--evidently", is_flag=True, help="Evidently 0.7's auto tests and thresholds.")
@click.option("--model", help="The model version this data feeds, e.g. churn@champion.")
@click.option("--no-save", is_flag=True, help="Do not record the report in the store.")
@click.option("--json", "as_json", is_flag=True, help="JSON rows instead of a table.")
@click.pass_context
def drift(ctx: click.Context, reference: str, current: str, alpha: float, share: float,
          evidently: bool, model: str | None, no_save: bool, as_json: bool) -> None:
    """Compare CURRENT (CSV/Parquet) with REFERENCE (a file, or a stored profile's name).

    Exits 1 when the dataset drifted, so a job or a CI step can gate on it.
    """
    from .monitoring.detect import drift as run_drift
    from .store.tables import read_table

    ref = read_table(reference) if os.path.exists(reference) else reference
    report = run_drift(ref, read_table(current), alpha=alpha, share=share,
                       evidently_compatible=evidently, model=model, save=not no_save)
    frame = report.to_frame()
    if as_json:
        click.echo(frame.to_json(orient="records"))
    else:
        _print_frame(frame[["column", "kind", "method", "statistic", "p_adjusted", "effect",
                            "threshold", "drifted", "skipped"]], False)
        click.echo(report.summary())
    ctx.exit(1 if report.dataset_drift else 0)


@main.command("drift-reports")
@click.argument("report_id", required=False)
@click.option("-n", "--limit", default=20, show_default=True, help="How many reports.")
@click.option("--json", "as_json", is_flag=True, help="JSON records instead of a table.")
@click.pass_context
def drift_reports(ctx: click.Context, report_id: str | None, limit: int, as_json: bool) -> None:
    """Recent drift reports, or the per-column rows of REPORT_ID."""
    from .store import queries

    if report_id:
        _print_frame(queries.drift_columns(_store(ctx), report_id).drop(columns=["detail"]),
                     as_json)
    else:
        _print_frame(queries.drift_reports(_store(ctx), limit), as_json)


@main.command()
@click.option("--history", "history_of", metavar="NAME", help="The alias history of NAME.")
@click.option("--json", "as_json", is_flag=True, help="JSON records instead of a table.")
@click.pass_context
def models(ctx: click.Context, history_of: str | None, as_json: bool) -> None:
    """Registered model versions with their metrics and aliases."""
    from .store import queries

    if history_of:
        _print_frame(queries.alias_history(_store(ctx), history_of), as_json)
    else:
        _print_frame(queries.models(_store(ctx)), as_json)


@main.command()
@click.argument("name")
@click.argument("version", type=int)
@click.argument("alias", default="champion")
@click.option("--gate", "gates", multiple=True, metavar="METRIC=CONDITION",
              help="e.g. --gate 'auc=>= 0.85' or --gate 'auc=> champion + 0.01'.")
@click.pass_context
def promote(ctx: click.Context, name: str, version: int, alias: str,
            gates: tuple[str, ...]) -> None:
    """Point NAME@ALIAS at VERSION, if every gate holds (exit 1 with the reason if not)."""
    from .exceptions import GateRefused
    from .registry import promote as run_promote

    gate = {}
    for item in gates:
        key, sep, condition = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: write METRIC=CONDITION, e.g. 'auc=>= 0.85'")
        gate[key.strip()] = condition
    try:
        done = run_promote(name, version, alias, gate=gate)
    except GateRefused as e:
        click.echo(f"jupyter-mlops: {e}", err=True)
        ctx.exit(1)
    except ValueError as e:
        raise StoreError(str(e)) from None
    click.echo(f"{name}@{alias} -> version {done.version}")


@main.command()
@click.argument("ref")
@click.option("--down", is_flag=True, help="Descendants instead of ancestors.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "dot"]), default="table",
              show_default=True)
@click.pass_context
def lineage(ctx: click.Context, ref: str, down: bool, fmt: str) -> None:
    """What REF (name@alias, name:3, a run id, a cell RUN/SEQ) came from, or with --down what
    depends on it; a run shows what was recorded in it first."""
    from . import lineage as graph_of

    if fmt == "table":
        walk = graph_of.descendants if down else graph_of.ancestors
        _print_frame(walk(ref), False)
        return
    graph = graph_of.graph(ref)
    if fmt == "json":
        click.echo(json.dumps(graph, indent=2))
        return
    click.echo("digraph lineage {\n  rankdir=LR;")
    for n in graph["nodes"]:
        click.echo(f'  "{n["kind"]}:{n["id"]}" [label="{n["kind"]}\\n{n["id"][:16]}"];')
    for e in graph["edges"]:
        click.echo(f'  "{":".join(e["source"])}" -> "{":".join(e["target"])}" '
                   f'[label="{e["relation"]}"];')
    click.echo("}")



# -- jobs ---------------------------------------------------------------------------------

def _params(pairs: tuple[tuple[str, str], ...], params_file: str | None) -> dict[str, Any]:
    """``--params FILE`` then ``-p NAME VALUE`` pairs (values parsed as JSON when they are)."""
    from .jobs.params import load_file, parse_value

    params = load_file(params_file) if params_file else {}
    params.update((name, parse_value(value)) for name, value in pairs)
    return params


_param_options = [
    click.option("-p", "--parameter", "pairs", nargs=2, multiple=True,
                 metavar="NAME VALUE", help="A parameter (VALUE as JSON if it parses)."),
    click.option("--params", "params_file", type=click.Path(exists=True, dir_okay=False),
                 help="Parameters from a YAML or JSON file (-p wins)."),
]


def _with_params(f: Any) -> Any:
    for option in reversed(_param_options):
        f = option(f)
    return f


def _finish(result: Any) -> None:
    """Print how a job ended; exit 0 only when it succeeded."""
    click.echo(str(result))
    if not result.ok:
        if result.failed_cell is not None and result.traceback:
            click.echo(result.traceback.splitlines()[-1], err=True)
        sys.exit(130 if result.status == "cancelled" else 1)


@main.command("run")
@click.argument("notebook", type=click.Path())
@_with_params
@click.option("--timeout", help="Wall time for the whole job: 90, 30s, 30m, 2h.")
@click.option("-e", "--experiment", help="Experiment of the job's run (default: notebook name).")
@click.option("-o", "--output", type=click.Path(), help="Where to write the executed notebook "
              "(default: the job's folder in the store).")
@click.option("-k", "--kernel", "kernel_name",
              help="Kernel name (default: the notebook's); `jupyter kernelspec list` lists "
                   "the installed ones.")
@click.pass_context
def run_job(ctx: click.Context, notebook: str, pairs: Any, params_file: str | None,
            timeout: str | None, experiment: str | None, output: str | None,
            kernel_name: str | None) -> None:
    """Execute NOTEBOOK as a job with papermill; exit 1 unless it succeeded."""
    from .jobs.runner import execute, prepare

    spec = prepare(notebook, _params(pairs, params_file), timeout=timeout,
                   experiment=experiment, output=output, kernel_name=kernel_name,
                   store=_store(ctx), trigger="cli", progress=sys.stderr.isatty())
    _finish(execute(spec))


@main.command()
@click.argument("run_id")
@click.option("--timeout", help="Wall time (default: the original job's).")
@click.pass_context
def reproduce(ctx: click.Context, run_id: str, timeout: str | None) -> None:
    """Run job RUN_ID again with its recorded notebook and parameters; say what changed."""
    import warnings

    from .jobs.reproduction import ReproducibilityWarning
    from .jobs.reproduction import reproduce as run_again

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReproducibilityWarning)
        done = run_again(run_id, timeout=timeout, progress=sys.stderr.isatty())
    _warn([str(w.message) for w in caught])
    for change in done.data:
        click.echo(f"changed: {change}")
    if done.metrics is not None and not done.metrics.empty:
        _print_frame(done.metrics, False)
    _finish(done.result)


@main.command()
@click.argument("ref")
@click.option("--to", "target", required=True, type=click.Path(), help="The .ipynb to write.")
@click.option("--force", is_flag=True, help="Overwrite the target if it exists.")
def export(ref: str, target: str, force: bool) -> None:
    """Write the cells behind REF (a run id, a cell RUN/SEQ, name:3, name@alias) as a job
    notebook."""
    from .jobs.exporter import export as write

    click.echo(f"wrote {write(ref, target, overwrite=force)}")


@main.command()
@click.option("--status", help="Only jobs that ended so (succeeded, failed, timed_out, …).")
@click.option("--schedule", help="Only jobs of this schedule.")
@click.option("-n", "--limit", default=20, show_default=True, help="How many jobs.")
@click.option("--json", "as_json", is_flag=True, help="JSON records instead of a table.")
@click.pass_context
def jobs(ctx: click.Context, status: str | None, schedule: str | None, limit: int,
         as_json: bool) -> None:
    """Recent job executions, newest first."""
    from .jobs.records import listing

    frame = listing(_store(ctx), status=status, schedule=schedule, limit=limit)
    if not as_json and not frame.empty:
        frame = frame[["run_id", "notebook", "status", "started", "duration_s", "schedule",
                       "trigger", "params", "reason", "output"]]
        frame = frame.assign(run_id=frame.run_id.str[:12],
                             notebook=frame.notebook.map(os.path.basename, na_action="ignore"))
    _print_frame(frame, as_json)


@main.group()
def schedule() -> None:
    """Schedules: notebooks run by `jupyter mlops scheduler` on a cron."""


@schedule.command("add")
@click.argument("notebook", type=click.Path())
@click.option("--cron", required=True, help="'minute hour day month weekday' (a 6th field "
              "first for seconds).")
@click.option("--name", help="The schedule's name (default: the notebook's).")
@_with_params
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
    from .jobs import schedules

    state = schedules.add(notebook, cron, name=name, params=_params(pairs, params_file),
                          misfire=misfire, timeout=timeout, experiment=experiment, tz=tz,
                          replace=replace)
    click.echo(f"schedule {name or os.path.splitext(os.path.basename(notebook))[0]}: "
               f"{state['cron']} → {state['notebook']}")


@schedule.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON records instead of a table.")
@click.pass_context
def schedule_list(ctx: click.Context, as_json: bool) -> None:
    """Every schedule, its next fire time and its last job."""
    import pandas as pd

    from .jobs.schedules import next_fire
    from .store import queries

    frame = queries.schedules(_store(ctx))
    if not frame.empty:
        states = list(frame.pop("state"))
        frame = pd.concat([frame, pd.DataFrame(states, index=frame.index)], axis=1)
        frame["next_run"] = pd.to_datetime([next_fire(s) for s in states], unit="s")
        if not as_json:
            frame = frame[["name", "cron", "paused", "next_run", "last_status", "last_started",
                           "misfire", "params", "notebook"]]
    _print_frame(frame, as_json)


@schedule.command("pause")
@click.argument("name")
def schedule_pause(name: str) -> None:
    """Stop firing NAME until resumed."""
    from .jobs import schedules

    schedules.pause(name)
    click.echo(f"schedule {name} paused")


@schedule.command("resume")
@click.argument("name")
def schedule_resume(name: str) -> None:
    """Fire NAME again, from now on (times missed while paused are not run)."""
    from .jobs import schedules

    schedules.resume(name)
    click.echo(f"schedule {name} resumed")


@schedule.command("remove")
@click.argument("name")
def schedule_remove(name: str) -> None:
    """Delete schedule NAME (its past jobs stay recorded)."""
    from .jobs import schedules

    schedules.remove(name)
    click.echo(f"schedule {name} removed")


@schedule.command("run-now")
@click.argument("name")
@_with_params
@click.pass_context
def schedule_run_now(ctx: click.Context, name: str, pairs: Any,
                     params_file: str | None) -> None:
    """Run NAME now: through the scheduler when one runs on this store (so the concurrency
    limit and no-overlap hold), else here in the foreground."""
    from .jobs import schedules
    from .jobs.scheduler import SchedulerLock

    params = _params(pairs, params_file)
    if SchedulerLock(_store(ctx)).held_elsewhere():
        click.echo(f"requested: the scheduler will start {name} (request "
                   f"{schedules.request(name, params)[:12]})")
        return
    _finish(schedules.run_here(name, params, progress=sys.stderr.isatty()))


@main.command()
@click.option("--executor", default="local", show_default=True,
              help="'local', or a Dask scheduler: dask://host:8786.")
@click.option("--max-jobs", default=2, show_default=True, help="Jobs at once (local).")
@click.option("--tick", "tick_s", default=1.0, show_default=True, help="Seconds between passes.")
@click.option("--shutdown-grace", "grace_s", default=30.0, show_default=True,
              help="On SIGTERM, seconds running jobs get to finish before they are killed.")
@click.pass_context
def scheduler(ctx: click.Context, executor: str, max_jobs: int, tick_s: float,
              grace_s: float) -> None:
    """The daemon that runs schedules and run-now requests; one per store."""
    import logging

    from .jobs.scheduler import Scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    Scheduler(_store(ctx), executor=executor, max_jobs=max_jobs, tick_s=tick_s,
              shutdown_grace_s=grace_s).serve()


if __name__ == "__main__":  # pragma: no cover
    main(prog_name=os.path.basename(sys.argv[0]) or "jupyter-mlops")
