"""``gc``: delete runs by policy and free the disk they held (a dry run unless ``--yes``);
``delete``: one run."""

from __future__ import annotations

import json

import click

from ..store import Store
from .common import json_option, pass_store, print_frame


def _age(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    from ..retention import parse_age

    try:
        return None if value is None else parse_age(value)
    except ValueError as e:
        raise click.BadParameter(str(e).partition(": ")[2] or str(e)) from None


@click.command()
@click.option("--keep-last", type=click.IntRange(min=0), metavar="N",
              help="Keep the newest N runs of each experiment; older ones go.")
@click.option("--older-than", callback=_age, metavar="AGE",
              help="Only runs that ended more than AGE ago (30d, 12h, 2w).")
@click.option("--failed", is_flag=True,
              help="Only runs that failed, died, timed out, were cancelled or lost.")
@click.option("--orphans-older-than", "orphan_grace", callback=_age, default="1d",
              show_default=True, metavar="AGE",
              help="Free blobs no run or version references once this old.")
@click.option("--compact", is_flag=True,
              help="Also rewrite archived spool segments without the deleted runs' events.")
@click.option("--yes", is_flag=True, help="Delete (without it, only say what would go).")
@json_option("The summary as JSON.")
@pass_store
def gc(store: Store, keep_last: int | None, older_than: float | None, failed: bool,
       orphan_grace: float, compact: bool, yes: bool, as_json: bool) -> None:
    """Delete runs (given policies must all hold) and the files only they reference.

    Runs that are running or that a registered model version references are never
    deleted. Deletions are events: `jupyter mlops rebuild` afterwards gives the same state.
    """
    from ..retention import gc as run_gc
    from ..store.compact import compact as run_compact
    from ..store.doctor import human
    from ..store.queries.retention import Policy

    policy = Policy(keep_last, older_than, failed)
    words = [f"--keep-last {keep_last}" if keep_last is not None else "",
             "--older-than" if older_than is not None else "", "--failed" if failed else ""]
    outcome = run_gc(store, policy, apply=yes, orphan_grace_s=orphan_grace,
                     reason="gc " + " ".join(w for w in words if w))
    plan = outcome.plan
    compaction = run_compact(store, apply=yes) if compact else None
    summary = {
        "runs": len(plan.runs), "experiments": int(plan.runs["experiment"].nunique()),
        "blobs": len(plan.blobs), "orphaned_blobs": len(plan.orphans),
        "job_outputs": len(plan.outputs), "unfinished": len(plan.unfinished),
        "bytes": plan.bytes, "kept": plan.kept, "deleted": yes,
        "compacted_events": compaction.events if compaction else None,
        "compacted_bytes": (compaction.bytes_before - compaction.bytes_after
                            if compaction else None)}
    if as_json:
        click.echo(json.dumps(summary))
        return
    if not policy.selects:
        click.echo("no policy given (--keep-last, --older-than, --failed): no run is selected")
    verb = "deleted" if yes else "would delete"
    click.echo(f"{verb} {summary['runs']} runs ({summary['experiments']} experiments), "
               f"{len(plan.blobs)} blobs of theirs, {len(plan.outputs)} job outputs, "
               f"{len(plan.orphans)} orphaned blobs: {human(plan.bytes)} freed")
    if plan.unfinished:
        click.echo(f"{len(plan.unfinished)} files an interrupted gc had freed are still on "
                   f"disk; {'removed' if yes else '--yes removes them'}")
    for why, count in plan.kept.items():
        click.echo(f"kept {count} selected runs: {why}")
    if compaction is not None:
        click.echo(f"{'compacted' if yes else 'compaction would drop'} {compaction.events} "
                   f"events of deleted runs from {compaction.files} archived segments "
                   f"({human(compaction.bytes_before - compaction.bytes_after)})")
    if not yes:
        if len(plan.runs):
            shown = plan.runs.head(20).assign(run_id=plan.runs["run_id"].str[:12])
            print_frame(shown, False)
            if len(plan.runs) > 20:
                click.echo(f"… and {len(plan.runs) - 20} more")
        click.echo("dry run: nothing was deleted. Add --yes to delete.")


@click.command()
@click.argument("run_id")
@click.option("--reason", help="Why, kept with the deletion (default: deleted by hand).")
@pass_store
def delete(store: Store, run_id: str, reason: str | None) -> None:
    """Delete one run and the files only it references (refused, with the reason, for a run
    that is running or that a registered model version references)."""
    from ..retention import delete_run

    click.echo(f"deleted run {delete_run(run_id, reason=reason, store=store)}")


COMMANDS = [gc, delete]
