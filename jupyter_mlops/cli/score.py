"""``score``, ``label``, ``retire``, ``batches``: batch scoring, champion vs challenger, and
retiring a version."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable

import click

from ..store import Store
from .common import json_option, pass_store, print_frame, warn


def _progress() -> Callable[[int, int | None], None]:
    """A progress line on stderr: rewritten in place on a terminal; in a log, one line per
    tenth of the file (or per million rows when the total is unknown)."""
    tty = sys.stderr.isatty()
    shown = [0]

    def show(rows: int, total: int | None) -> None:
        step = total // 10 if total else 1_000_000
        if not tty and rows // max(step, 1) == shown[0] // max(step, 1) and rows != total:
            return
        shown[0] = rows
        share = f" / {total:,} ({rows / total:.0%})" if total else ""
        click.echo(f"scored {rows:,}{share} rows", err=True, nl=not tty)
        if tty:
            click.echo("\r", err=True, nl=False)

    return show


@click.command()
@click.argument("model")
@click.argument("input", type=click.Path(dir_okay=False))
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False),
              help="The output file (.parquet or .csv).")
@click.option("--shadow", multiple=True, metavar="MODEL",
              help="A challenger that scores every row on the side, e.g. churn@challenger.")
@click.option("--canary", metavar="MODEL:FRACTION",
              help="A challenger serving that share of rows, e.g. churn@challenger:0.1.")
@click.option("--keep", multiple=True, metavar="COLUMN",
              help="An input column copied to the output (an id), not given to the model.")
@click.option("--chunk-rows", type=int, default=None,
              help="Rows per chunk (default: ~96 MB of the columns read).")
@click.option("--strict", is_flag=True,
              help="Extra columns, unseen categories and a broken data contract are errors, "
                   "not warnings.")
@click.option("--contract", metavar="NAME|off",
              help="The data contract checked (default: the one saved for the version).")
@click.option("--trusted", is_flag=True, help="Load model files that could run code.")
@click.option("--quiet", "-q", is_flag=True, help="No progress line.")
def score(model: str, input: str, out: str, shadow: tuple[str, ...], canary: str | None,
          keep: tuple[str, ...], chunk_rows: int | None, strict: bool, contract: str | None,
          trusted: bool, quiet: bool) -> None:
    """Score INPUT (Parquet/CSV) with MODEL (churn@champion, churn:3) into --out.

    Prints the batch id: `jupyter mlops label BATCH LABELS` records its labels later.
    """
    from ..scoring import score as run_score

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        done = run_score(model, input, out, shadow=shadow, canary=canary, keep=keep,
                         chunk_rows=chunk_rows, strict=strict, trusted=trusted,
                         contract=contract, progress=None if quiet else _progress())
    if not quiet and sys.stderr.isatty():
        click.echo("", err=True)
    checked = str(done.contract) if done.contract is not None else None
    warn([str(w.message) for w in seen if str(w.message) != checked])
    served = ", ".join(f"{v['name']}:{v['version']} ({v['role']}, {v['rows']:,} rows)"
                       for v in done.versions)
    click.echo(f"batch {done.batch_id}: {done.rows:,} rows -> {done.output} in "
               f"{done.duration_s:.1f} s; {served}")
    if checked is not None:
        click.echo(checked)


@click.command()
@click.argument("batch_id")
@click.argument("labels", type=click.Path(dir_okay=False))
@click.option("--column", help="The column of LABELS holding them (default: its only one).")
@json_option()
def label(batch_id: str, labels: str, column: str | None, as_json: bool) -> None:
    """Record the labels of a scored batch (a Parquet/CSV file, one row per input row, in
    order); prints each version's realized metrics on it."""
    from ..scoring import label as run_label

    print_frame(run_label(batch_id, labels, column=column), as_json)


@click.command()
@click.argument("model", required=False)
@json_option()
@pass_store
def batches(store: Store, model: str | None, as_json: bool) -> None:
    """Scored batches (of MODEL, a name), newest first, and their realized metrics."""
    from ..store.queries.scoring import batch_metrics, score_batches

    print_frame(score_batches(store, model).drop(columns=["versions"]), as_json)
    if not as_json:
        click.echo("")
        print_frame(batch_metrics(store, model), as_json)


@click.command()
@click.argument("version")
@click.option("--reason", help="Why, kept with the record.")
def retire(version: str, reason: str | None) -> None:
    """Retire VERSION (churn:3): never promoted or loaded by alias again, kept for audit."""
    from ..registry import retire as run_retire

    done = run_retire(version, reason=reason)
    click.echo(f"{done.name}:{done.version} retired")


COMMANDS = [score, label, batches, retire]
