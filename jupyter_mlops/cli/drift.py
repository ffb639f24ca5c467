"""``drift``, ``drift-reports``: data drift, checked now or read back."""

from __future__ import annotations

import os

import click

from ..store import Store
from .common import json_option, pass_store, print_frame


@click.command()
@click.argument("reference")
@click.argument("current", type=click.Path(exists=True, dir_okay=False))
@click.option("--alpha", default=0.05, show_default=True, help="Significance level (after BH).")
@click.option("--share", default=0.5, show_default=True,
              help="Share of drifted columns that makes the dataset drifted.")
@click.option("--evidently", is_flag=True, help="Evidently 0.7's auto tests and thresholds.")
@click.option("--model", help="The model version this data feeds, e.g. churn@champion.")
@click.option("--no-save", is_flag=True, help="Do not record the report in the store.")
@json_option("JSON rows instead of a table.")
@click.pass_context
def drift(ctx: click.Context, reference: str, current: str, alpha: float, share: float,
          evidently: bool, model: str | None, no_save: bool, as_json: bool) -> None:
    """Compare CURRENT (CSV/Parquet) with REFERENCE (a file, or a stored profile's name).

    Exits 1 when the dataset drifted, so a job or a CI step can gate on it.
    """
    from ..monitoring.detect import drift as run_drift
    from ..store.tables import read_table

    ref = read_table(reference) if os.path.exists(reference) else reference
    report = run_drift(ref, read_table(current), alpha=alpha, share=share,
                       evidently_compatible=evidently, model=model, save=not no_save)
    frame = report.to_frame()
    if as_json:
        click.echo(frame.to_json(orient="records"))
    else:
        print_frame(frame[["column", "kind", "method", "statistic", "p_adjusted", "effect",
                           "threshold", "drifted", "skipped"]], False)
        click.echo(report.summary())
    ctx.exit(1 if report.dataset_drift else 0)


@click.command("drift-reports")
@click.argument("report_id", required=False)
@click.option("-n", "--limit", default=20, show_default=True, help="How many reports.")
@json_option()
@pass_store
def drift_reports(store: Store, report_id: str | None, limit: int, as_json: bool) -> None:
    """Recent drift reports, or the per-column rows of REPORT_ID."""
    from ..store import queries

    if report_id:
        print_frame(queries.drift_columns(store, report_id).drop(columns=["detail"]), as_json)
    else:
        print_frame(queries.drift_reports(store, limit), as_json)


COMMANDS = [drift, drift_reports]
