"""``%mlops``: the notebook face of jupyter-mlops.

Configurable with ``%config MLOpsMagics.<trait> = …`` (see ``%config MLOpsMagics``).
Queries import the store's read side lazily, so loading the extension does not import duckdb.
"""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from traitlets import Bool, Int
from traitlets.config import Configurable

from .store import StoreError
from .tracking import Tracker

COMMANDS = ("experiment", "log_param", "log_metric", "runs", "cells", "run", "status", "ingest",
            "drift", "lineage", "slice", "show")
#: What ``%mlops show`` displays: the view and how many arguments it takes.
VIEWS = {"runs": (0, 0), "compare": (2, 2), "lineage": (1, 1), "drift": (0, 1), "metric": (1, 1)}


@magics_class
class MLOpsMagics(Magics, Configurable):
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
        Magics.__init__(self, shell=shell)
        self.tracker = tracker

    @magic_arguments()
    @argument("command", help=f"one of: {', '.join(COMMANDS)}")
    @argument("args", nargs="*", help="the command's arguments (see below)")
    @argument("-e", "--experiment", default=None, help="filter `runs` by experiment")
    @argument("-n", "--limit", type=int, default=None, help="how many runs `runs` shows")
    @argument("--step", type=int, default=None, help="step of a `log_metric` value")
    @line_magic
    def mlops(self, line: str) -> Any:
        """Record and query runs of this notebook.

        Commands:
          experiment NAME            move the current run into experiment NAME
          log_param NAME|KEY=EXPR …  record params (a bare NAME takes its value from the namespace)
          log_metric NAME|KEY=EXPR … record metrics (numbers), optionally --step N
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
          show runs [-e EXP]         live views (mlops.widgets): the runs table; two runs
          show compare RUN_A RUN_B   compared; a model's lineage graph; a drift report
          show lineage REF           (a saved report's id or the latest); a metric over
          show drift [REPORT_ID]     time
          show metric KEY [-e EXP]
        """
        try:
            args = parse_argstring(self.mlops, line)
        except Exception as e:  # argparse errors: say it in one line
            print(f"%mlops: {e}. See `%mlops?`.")
            return None
        handler = getattr(self, f"_cmd_{args.command}", None)
        if args.command not in COMMANDS or handler is None:
            print(f"%mlops: unknown command {args.command!r}; use one of: {', '.join(COMMANDS)}")
            return None
        try:
            return handler(args)
        except (StoreError, ValueError, TypeError, KeyError, NameError) as e:
            print(f"%mlops {args.command}: {e}")
            return None

    def _cmd_experiment(self, args: Any) -> None:
        if len(args.args) != 1:
            raise ValueError("give exactly one experiment name, e.g. `%mlops experiment churn`")
        self.tracker.set_experiment(args.args[0])

    def _values(self, items: list[str]) -> dict[str, Any]:
        if not items:
            raise ValueError("name at least one variable or KEY=EXPRESSION")
        values = {}
        for item in items:
            key, sep, expr = item.partition("=")
            if sep:
                values[key] = self.shell.ev(expr)
            elif item in self.shell.user_ns:
                values[item] = self.shell.user_ns[item]
            else:
                raise NameError(f"{item!r} is not defined in the notebook")
        return values

    def _cmd_log_param(self, args: Any) -> None:
        self.tracker.log_params(self._values(args.args))

    def _cmd_log_metric(self, args: Any) -> None:
        self.tracker.log_metrics(self._values(args.args), step=args.step)

    def _cmd_runs(self, args: Any) -> Any:
        from .store import queries

        return queries.runs(self.tracker.store, experiment=args.experiment,
                            limit=args.limit or self.display_limit)

    def _cmd_cells(self, args: Any) -> Any:
        from .store import queries

        run_id = args.args[0] if args.args else self.tracker.run_id
        if run_id is None:
            raise ValueError("no current run: give a run id, e.g. `%mlops cells 01a2b3c4`")
        return queries.cells(self.tracker.store, run_id)

    def _cmd_run(self, args: Any) -> str | None:
        action = args.args[0] if args.args else ""
        if action == "end":
            self.tracker.end_run()
            return None
        if action == "start":
            return self.tracker.start_run(args.experiment or self.tracker.experiment)
        raise ValueError("use `%mlops run start [-e EXPERIMENT]` or `%mlops run end`")

    def _cmd_drift(self, args: Any) -> Any:
        from .monitoring.detect import drift

        if len(args.args) != 2:
            raise ValueError("use `%mlops drift REFERENCE CURRENT` (DataFrame names, or a "
                             "stored profile's name for REFERENCE)")
        ref_name, cur_name = args.args
        if cur_name not in self.shell.user_ns:
            raise NameError(f"{cur_name!r} is not defined in the notebook")
        reference = self.shell.user_ns.get(ref_name, ref_name)  # else: a stored profile
        return drift(reference, self.shell.user_ns[cur_name])

    def _cmd_lineage(self, args: Any) -> Any:
        from . import lineage

        if len(args.args) != 1:
            raise ValueError("use `%mlops lineage churn@champion` (or name:3, a DataFrame's "
                             "name, a run id)")
        return lineage.ancestors(self._ref(args.args[0]))

    def _cmd_slice(self, args: Any) -> Any:
        from . import lineage

        run_id, here = self.tracker.run_id, self.tracker.cell_seq
        if len(args.args) > 1 or (args.args and not args.args[0].isdigit()):
            raise ValueError("use `%mlops slice [SEQ]` with SEQ a cell's number in this run "
                             "(`%mlops cells` lists them)")
        if run_id is None or (not args.args and not here):
            raise ValueError("no recorded cell to slice yet: run the notebook's cells first")
        seq = int(args.args[0]) if args.args else here - 1
        return lineage.slice(f"{run_id}/{seq}")

    def _ref(self, ref: str) -> Any:
        """A lineage reference: a notebook variable's value (a DataFrame) or the text."""
        return ref if "@" in ref else self.shell.user_ns.get(ref, ref)

    def _cmd_show(self, args: Any) -> Any:
        """The widgets face through its public API (``mlops.widgets``), imported only here:
        the magic is a shorthand for typing the call, not a second implementation."""
        from . import widgets

        view, *rest = args.args or [""]
        if view not in VIEWS:
            raise ValueError(f"show what? use one of: {', '.join(VIEWS)}")
        low, high = VIEWS[view]
        if not low <= len(rest) <= high:
            count = str(low) if low == high else f"{low} or {high}"
            raise ValueError(f"`%mlops show {view}` takes {count} argument(s); see `%mlops?`")
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
        from .store.ingest import ingest

        result = ingest(self.tracker.store)
        print(f"ingested {result.events} events from {result.files} files "
              f"in {result.seconds * 1000:.0f} ms")

