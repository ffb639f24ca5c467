"""Regenerate the reference pages that must match the code: ``python docs/generate.py``.

`docs/cli.md` from the CLI's own ``--help``, `docs/magics.md` from ``%mlops``'s docstring,
`docs/sql.md` from the read-only views' definitions,
argument help and ``%config`` traits, `docs/api.md` from the public functions' signatures
and docstrings, and the REST reference in `docs/rest.md` from the
endpoint table. ``tests/test_docs.py`` fails when a page is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

DOCS = Path(__file__).resolve().parent


def cli_reference() -> str:
    from jupyter_mlops.cli import main

    lines = ["# CLI reference", "", "Generated from `--help` by `docs/generate.py`; "
             "`jupyter mlops COMMAND --help` prints the same.", ""]

    def walk(command: click.Command, path: list[str]) -> None:
        with click.Context(command, info_name=" ".join(path)) as ctx:
            lines.extend([f"## `{' '.join(path)}`", "", "```", command.get_help(ctx), "```",
                          ""])
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), [*path, name])

    walk(main, ["jupyter mlops"])
    return "\n".join(lines)


def magics_reference() -> str:
    from jupyter_mlops.magics import MLOpsMagics
    from jupyter_mlops.magics.keeping import MLOps

    help_text = MLOpsMagics.mlops.__doc__
    traits = MLOpsMagics.class_own_traits(config=True)
    lines = ["# `%mlops` reference", "", "Generated from the magic's own help by "
             "`docs/generate.py`; `%mlops?` in a notebook prints the same.", "",
             "A mistake raises `UsageError`: one line, and Run-All or a job stops at that "
             "cell. An error of the store keeps its own message (it says what to do). "
             "Recording cells never raises.", "",
             "`%%mlops sql` is the one cell magic: SQL over the store's read-only views, "
             "listed in [sql.md](sql.md).", "",
             "```", help_text.strip("\n"), "```", "",
             "## Settings (`%config MLOpsMagics.NAME = value`)", "",
             "| setting | default | meaning |", "|---|---|---|"]
    for name, trait in sorted(traits.items()):
        lines.append(f"| `{name}` | `{trait.default_value!r}` | {trait.help} |")
    lines += ["", "## What a run keeps (`%config MLOps.NAME = value`)", "",
              "Output capture ([artifacts.md](artifacts.md)).", "",
              "| setting | default | meaning |", "|---|---|---|"]
    for name, trait in sorted(MLOps.class_own_traits(config=True).items()):
        lines.append(f"| `{name}` | `{trait.default_value!r}` | {trait.help} |")
    return "\n".join(lines) + "\n"


#: The public Python API, by namespace: what `import jupyter_mlops as mlops` gives.
API = {
    "mlops": ["log_param", "log_params", "log_metric", "log_metrics", "set_run_name", "drift",
              "profile", "performance_drift", "register", "promote", "load_model", "autolog",
              "diff", "runs", "metrics", "sql", "cells", "datasets", "models", "log_artifact", "log_figure",
              "log_table", "log_text", "log_dict", "artifacts", "delete_run", "alert"],
    "mlops.cells": ["history", "flagged"],
    "mlops.lineage": ["node", "ancestors", "descendants", "path", "graph", "slice"],
    "mlops.jobs": ["run", "trigger", "schedule", "history", "reproduce", "export"],
    "mlops.widgets": ["runs", "compare", "diff", "metric", "lineage", "drift", "artifacts"],
}


def api_reference() -> str:
    import inspect

    import jupyter_mlops

    lines = ["# Python API", "", "`import jupyter_mlops as mlops`. Generated from the "
             "signatures and docstrings by `docs/generate.py`; `help(mlops.X)` prints the same.",
             "", "**Which store.** Every call uses the store `$JUPYTER_MLOPS_HOME` names when "
             "the call is made (else `<jupyter data dir>/mlops`): `log_*`, recorded cells, "
             "`register`, `load_model`, `lineage`, `jobs.run`, `jobs.history()` and the rest "
             "alike. When the variable changes mid-process, the next call ends the active run "
             "in the old store and goes on in a new run, of the same experiment, in the new "
             "one.", ""]
    for namespace, names in API.items():
        module: object = jupyter_mlops  # a namespace is a module or an object (mlops.cells)
        for part in namespace.split(".")[1:]:
            module = getattr(module, part)
        lines += [f"## `{namespace}`", ""]
        for name in names:
            fn = getattr(module, name)
            if inspect.ismodule(fn):  # mlops.artifacts: a module that answers calls
                fn = type(fn).__call__.__get__(fn)
            sig = inspect.signature(fn)  # without annotations: they read as strings here
            sig = sig.replace(return_annotation=sig.empty, parameters=[
                q.replace(annotation=q.empty) for q in sig.parameters.values()])
            signature = str(sig).replace("'", '"')
            lines += [f"### `{namespace}.{name}{signature}`", "",
                      inspect.getdoc(fn) or "(undocumented)", ""]
    return "\n".join(lines)


def sql_reference() -> str:
    """docs/sql.md: each view's columns and types as DuckDB describes them on an empty store
    with the current schema, its description and the examples, all from
    :mod:`jupyter_mlops.store.queries.views`."""
    from jupyter_mlops.store import ask, db
    from jupyter_mlops.store.queries import user_sql, views
    from jupyter_mlops.store.queries.cell_history import RULE
    from jupyter_mlops.store.queries.runs import LOWER_IS_BETTER

    lines = ["# SQL over the store", "",
             "`mlops.sql(\"SELECT …\")` and the `%%mlops sql [-o NAME]` cell magic answer one "
             "SELECT (or WITH … SELECT) over the read-only views below, as a DataFrame with "
             "UTC timestamps. Generated from the code by `docs/generate.py`.", "",
             "**Read-only, for real.** The query runs on a read-only connection under the "
             "store's shared lock, with DuckDB's file access turned off. DuckDB's own parser "
             "checks it first: one SELECT statement, reading only these views and its own "
             "CTEs; no `ATTACH`, `COPY`, `INSTALL`, `LOAD`, `PRAGMA`, `SET` or writes, and no "
             "table function but " + ", ".join(f"`{f}`" for f in sorted(user_sql.TABLE_FUNCTIONS))
             + f" (so no `read_csv`, `read_parquet`, `glob`…). A query running longer than "
             f"{user_sql.TIMEOUT:g} s (`timeout=` of `mlops.sql`) is stopped. An unknown view or "
             "column is an error listing what exists.", "",
             "**Stable.** These views are part of the public API: a change to a view or a "
             "column is a CHANGELOG entry. Ask the views, not the store's tables (which "
             "migrations change); the tables are not reachable from `mlops.sql`.", "",
             "`mlops.runs(where=..., order_by=...)` takes a predicate and an ORDER BY list "
             "over `runs_wide` (there, `params.lr` works unquoted as well as `\"params.lr\"`).",
             "", "**A metric's min, max or best.** `runs_wide` holds each metric's last value. "
             "`mlops.runs(metrics=[\"auc:best\", \"loss:min\"])` adds the columns "
             "`metrics.auc:best` and `metrics.loss:min` (`:max` too), and a `where` or "
             "`order_by` naming such a column, quoted, adds it as well: "
             "`mlops.runs(order_by='\"metrics.auc:best\" DESC')`. A metric's best is its "
             "min when a word of its name ends in " + ", ".join(LOWER_IS_BETTER)
             + " (`val_loss`, `logloss`, `rmse`, `fit_time`), else its max; "
             "`best={\"score\": \"min\"}` overrides. In SQL, `metric_history` answers it "
             "(see the examples).", "", "## Views", ""]
    with db._empty().cursor() as con:
        views.install(con)
        for name, (about, _) in views.VIEWS.items():
            lines += [f"### `{name}`", "", about, "", "| column | type |", "|---|---|"]
            lines += [f"| `{column}` | {kind} |" for column, kind in views.columns(con, name)]
            if name == "runs_wide":
                lines += ["| `params.KEY` | BIGINT, DOUBLE, BOOLEAN or VARCHAR (one per key) |",
                          "| `metrics.KEY` | DOUBLE (one per metric key: its last value) |"]
            lines.append("")
    lines += ["## Examples", ""]
    for about, query in views.EXAMPLES:
        lines += [f"{about}:", "", "```sql", query, "```", ""]
    lines += ["## DataFrames of the Python API", "",
              "`mlops.cells(run)`, `mlops.cells.history(cell)`, `mlops.cells.flagged(run)`, "
              "`mlops.datasets(run)`, `mlops.models()` and `mlops.jobs.history()` answer with "
              "these columns, in this order; a name a view above has too means the same "
              "there (the REST API and the CLI's `--json` use the same names).", "",
              "**Cell history.** Executions are one cell when they share the notebook's cell "
              "id (nbformat ≥ 4.5; JupyterLab and the job runner send it). A cell recorded "
              "without an id (an older notebook, a plain IPython) is matched by its source "
              "hash among the runs of the same notebook, so editing it starts a new history. "
              f"An execution is flagged {RULE}: recent executions, so a cell that became "
              "slow (or broken) for good stops being flagged.", ""]
    for name, described in ask.FRAMES.items():
        lines += [f"### `{name}`", "", "| column | meaning |", "|---|---|"]
        lines += [f"| `{column}` | {meaning} |" for column, meaning in described]
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    (DOCS / "sql.md").write_text(sql_reference())
    (DOCS / "cli.md").write_text(cli_reference())
    (DOCS / "magics.md").write_text(magics_reference())
    (DOCS / "api.md").write_text(api_reference())
    from jupyter_mlops.server.openapi import markdown

    rest = DOCS / "rest.md"
    head = rest.read_text().split("<!-- reference -->")[0]
    rest.write_text(f"{head}<!-- reference -->\n\n{markdown()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
