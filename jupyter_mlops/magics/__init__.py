"""``%mlops``: the notebook face of jupyter-mlops.

Configurable with ``%config MLOpsMagics.<trait> = …`` (see ``%config MLOpsMagics``).
Queries import the store's read side lazily, so loading the extension does not import duckdb.
Errors raise :class:`UsageError` (one line, no traceback), so Run-All and a job stop at the
cell, as they do for IPython's own magics; a store error keeps its own words (they say what
to do). Only an explicit ``%mlops`` raises: recording cells never does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from IPython.core import magic_arguments as _args
from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand
from traitlets import Bool, Int
from traitlets.config import Configurable

from ..exceptions import StoreError
from ..tracking import Tracker
from .keeping import MLOps
from .log_lines import read_log_line

COMMANDS = ("experiment", "name", "log_param", "log_metric", "log_artifact", "runs", "cells", "run",
            "status", "ingest", "drift", "lineage", "slice", "diff", "show")
#: What ``%mlops show`` displays: the view and how many arguments it takes.
VIEWS = {"runs": (0, 0), "compare": (2, 2), "lineage": (1, 1), "drift": (0, 1), "metric": (1, 1)}

_F = TypeVar("_F", bound=Callable[..., Any])
# IPython's magic_arguments has no annotations: what its decorators and parser do, typed.
magic_arguments: Callable[[], Callable[[_F], _F]] = _args.magic_arguments
argument: Callable[..., Callable[[_F], _F]] = _args.argument
parse_argstring: Callable[[Callable[..., Any], str], argparse.Namespace] = _args.parse_argstring


def _positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


@magics_class
class MLOpsMagics(Magics, MLOps):
    """Record and query experiments from a notebook."""

    fingerprint = Bool(
        True, config=True,
        help="Fingerprint the DataFrames, Series and arrays each cell reads and writes.",
    )
    fingerprint_max_bytes = Int(
        4 * 1024**3, config=True,
        help="Skip fingerprinting objects larger than this many bytes (hashing runs ~10 GB/s).",
    )
    display_limit = Int(50, config=True, help="Rows shown by `%mlops runs`.")

    def __init__(self, shell: Any, tracker: Tracker) -> None:
        Configurable.__init__(self, config=shell.config)
        Magics.__init__(self, shell=shell)  # adds this instance to shell.configurables
        # after %unload_ext / %load_ext, `%config MLOpsMagics…` must reach this instance,
        # not the first one loaded
        shell.configurables[:] = [c for c in shell.configurables
                                  if c is self or not isinstance(c, MLOpsMagics)]
        self.tracker = tracker

    @magic_arguments()
    @argument("command", help=f"one of: {', '.join(COMMANDS)}")
    @argument("args", nargs="*", help="the command's arguments (see below)")
    @argument("-e", "--experiment", default=None, help="filter `runs` by experiment")
    @argument("-n", "--limit", type=_positive, default=None, help="how many runs `runs` shows")
    @argument("--step", type=int, default=None, help="step of a `log_metric` value")
    @argument("--metric", default=None, help="`diff` only what lies on this metric's slice")
    @line_cell_magic
    @no_var_expand  # the line is Python: IPython's {x}/$x expansion would rewrite it
    def mlops(self, line: str, cell: str | None = None) -> Any:
        """Record and query runs of this notebook.

        A mistake (an unknown command, a bad option, an undefined name) raises UsageError:
        one line, and Run-All or a job stops at the cell. A value that cannot be recorded
        exactly (see log_param in the Python API) is recorded as well as it can be, with a
        warning; that never stops the cell.

        Commands:
          experiment NAME            move the current run into experiment NAME
          name NEW                   rename the current run (mlops.set_run_name)
          log_param NAME … KEY=EXPR …  record params: a bare NAME takes its value from the
                                     namespace; EXPR is Python up to the next KEY= or the
                                     line's end (`%mlops log_param d={'a': 1}`)
          log_metric NAME … KEY=EXPR … [--step N]  record metrics (numbers) the same way
          log_artifact PATH [NAME]   keep a file or folder with the run (mlops.log_artifact)
          runs                       recent runs with params and metrics as columns
          cells [RUN_ID]             the cells of a run (default: the current run)
          run start|end              start a new run, or end this one (the next cell starts another)
          status                     the store, the current run and its experiment
          ingest                     apply pending events to the database now
          drift REFERENCE CURRENT    data drift between two DataFrames (or a stored profile's
                                     name and a DataFrame); the report is recorded
          lineage REF                what REF (name@alias, name:3, a DataFrame's name, a run
                                     id) came from
          slice [SEQ]                the cells cell SEQ of this run depends on, in order
                                     (default: the cell before this one)
          diff RUN_A RUN_B [--metric M]  why two runs differ: params, cells, the first data
                                     that differs, environment, git (only M's slice)
          show runs [-e EXP]         live views (mlops.widgets): the runs table; two runs
          show compare RUN_A RUN_B   compared; a model's lineage graph; a drift report
          show lineage REF           (a saved report's id or the latest); a metric over
          show drift [REPORT_ID]     time
          show metric KEY [-e EXP]

        Cell magic:
          %%mlops sql [-o NAME]      the cell is one SELECT over the store's read-only
                                     views (docs/sql.md); the result is a DataFrame,
                                     bound to NAME with -o
        """
        if cell is not None:
            return self._sql_cell(line, cell)
        command, _, rest = line.strip().partition(" ")
        if command in ("log_param", "log_metric"):
            return self._log(command, rest)
        try:
            args = parse_argstring(MLOpsMagics.mlops, line)
        except UsageError as e:  # argparse's errors: say it in one line
            raise UsageError(f"%mlops: {e}. See `%mlops?`.") from None
        handler = getattr(self, f"_cmd_{args.command}", None)
        if args.command not in COMMANDS or handler is None:
            raise UsageError(f"%mlops: unknown command {args.command!r}; use one of: "
                             f"{', '.join(COMMANDS)}")
        try:
            return handler(args)
        except StoreError as e:  # says what is wrong and what to do: the same words here
            raise UsageError(str(e)) from None
        except (ValueError, TypeError) as e:  # a domain function refusing its arguments
            raise self._usage(args.command, str(e)) from None

    @property
    def ip(self) -> Any:
        """The shell this magic was registered with (IPython types it as optional)."""
        if self.shell is None:
            raise UsageError("%mlops runs inside an IPython shell only")
        return self.shell

    @staticmethod
    def _usage(command: str, message: str) -> UsageError:
        """A mistake in how ``%mlops COMMAND`` was called, in one line."""
        return UsageError(f"%mlops {command}: {message}")

    def _cmd_experiment(self, args: Any) -> None:
        if len(args.args) != 1:
            raise self._usage("experiment", "give exactly one experiment name, e.g. "
                              "`%mlops experiment churn`")
        self.tracker.set_experiment(args.args[0])

    def _log(self, command: str, rest: str) -> None:
        """``log_param`` / ``log_metric``: the rest of the line read as Python."""
        try:
            values, step = read_log_line(command, rest, self.ip.user_ns, self.ip.ev)
        except ValueError as e:
            raise self._usage(command, str(e)) from None
        if command == "log_param":
            self.tracker.log_params(values)
        else:
            self.tracker.log_metrics(values, step=step)

    def _sql_cell(self, line: str, cell: str) -> Any:
        """``%%mlops sql [-o NAME]``: the cell's SELECT as a DataFrame (see ``mlops.sql``)."""
        words = line.split()
        if words[:1] != ["sql"]:
            raise UsageError(f"%%mlops: only `%%mlops sql [-o NAME]` is a cell magic, not "
                             f"{line.strip()!r}; the other commands are `%mlops` lines.")
        name = None
        if words[1:2] in (["-o"], ["--output"]) and len(words) == 3:
            name = words[2]
        if (name is None and len(words) > 1) or (name is not None and not name.isidentifier()):
            raise UsageError(f"%%mlops sql: usage: %%mlops sql [-o NAME] (NAME a Python "
                             f"name), not {line.strip()!r}.")
        from ..store.queries import user_sql

        try:
            found = user_sql.sql(self.tracker.store, cell)
        except StoreError as e:
            raise UsageError(f"%%mlops sql: {e}") from None
        if name is not None:
            self.ip.user_ns[name] = found
        return found

    def _cmd_runs(self, args: Any) -> Any:
        from ..store import queries

        return queries.runs(self.tracker.store, experiment=args.experiment,
                            limit=args.limit or self.display_limit)

    def _cmd_cells(self, args: Any) -> Any:
        from ..store import queries

        run_id = args.args[0] if args.args else self.tracker.run_id
        if run_id is None:
            raise self._usage("cells", "no current run: give a run id, e.g. "
                              "`%mlops cells 01a2b3c4`")
        return queries.cells(self.tracker.store, run_id)

    def _cmd_run(self, args: Any) -> str | None:
        action = args.args[0] if args.args else ""
        if action == "end":
            self.tracker.end_run()
            return None
        if action == "start":
            return self.tracker.start_run(args.experiment or self.tracker.experiment)
        raise self._usage("run", "use `%mlops run start [-e EXPERIMENT]` or `%mlops run end`")

    def _cmd_drift(self, args: Any) -> Any:
        from ..monitoring.detect import drift

        if len(args.args) != 2:
            raise self._usage("drift", "use `%mlops drift REFERENCE CURRENT` (DataFrame "
                              "names, or a stored profile's name for REFERENCE)")
        ref_name, cur_name = args.args
        if cur_name not in self.ip.user_ns:
            raise self._usage("drift", f"{cur_name!r} is not defined in the notebook")
        reference = self.ip.user_ns.get(ref_name, ref_name)  # else: a stored profile
        return drift(reference, self.ip.user_ns[cur_name])

    def _cmd_lineage(self, args: Any) -> Any:
        from .. import lineage

        if len(args.args) != 1:
            raise self._usage("lineage", "use `%mlops lineage churn@champion` (or name:3, a "
                              "DataFrame's name, a run id)")
        return lineage.ancestors(self._ref(args.args[0]))

    def _cmd_slice(self, args: Any) -> Any:
        from .. import lineage

        run_id, here = self.tracker.run_id, self.tracker.cell_seq
        if len(args.args) > 1 or (args.args and not args.args[0].isdigit()):
            raise self._usage("slice", "use `%mlops slice [SEQ]` with SEQ a cell's number in "
                              "this run (`%mlops cells` lists them)")
        if run_id is None or (not args.args and not here):
            raise self._usage("slice", "no recorded cell to slice yet: run the notebook's "
                              "cells first")
        seq = int(args.args[0]) if args.args else (here or 1) - 1
        return lineage.slice(f"{run_id}/{seq}")

    def _cmd_diff(self, args: Any) -> Any:
        from ..comparison import diff

        if len(args.args) != 2:
            raise self._usage("diff", "use `%mlops diff RUN_A RUN_B [--metric KEY]` (run ids "
                              "or prefixes; `%mlops runs` lists them)")
        run_a, run_b = args.args
        return diff(run_a, run_b, metric=args.metric)

    def _ref(self, ref: str) -> Any:
        """A lineage reference: a notebook variable's value (a DataFrame) or the text."""
        return ref if "@" in ref else self.ip.user_ns.get(ref, ref)

    def _cmd_show(self, args: Any) -> Any:
        """The widgets face through its public API (``mlops.widgets``), imported only here:
        the magic is a shorthand for typing the call, not a second implementation."""
        from .. import widgets

        view, *rest = args.args or [""]
        if view not in VIEWS:
            raise self._usage("show", f"show what? use one of: {', '.join(VIEWS)}")
        low, high = VIEWS[view]
        if not low <= len(rest) <= high:
            count = str(low) if low == high else f"{low} or {high}"
            raise self._usage("show", f"`%mlops show {view}` takes {count} argument(s); "
                              "see `%mlops?`")
        if view in ("runs", "metric"):
            return getattr(widgets, view)(*rest, **{"experiment": args.experiment})
        if view == "lineage":
            return widgets.lineage(self._ref(rest[0]))
        return getattr(widgets, view)(*rest)

    def _cmd_status(self, args: Any) -> None:
        t = self.tracker
        print(f"store:      {t.store.root}\nrun:        {t.run_id or '(none)'}\n"
              f"experiment: {t.experiment or '(none)'}\nspool file: {t.writer.path or '(none)'}")

    def _cmd_ingest(self, args: Any) -> None:
        from ..store.ingest import ingest

        result = ingest(self.tracker.store)
        for warning in result.warnings:  # e.g. a corrupt spool line, skipped: say so
            print(f"warning: {warning}", file=sys.stderr)
        print(f"ingested {result.events} events from {result.files} files "
              f"in {result.seconds * 1000:.0f} ms")

