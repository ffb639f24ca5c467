"""Ask the store from Python: ``mlops.runs()``, ``mlops.metrics()``, ``mlops.sql()``,
``mlops.cells()`` (and ``.history``), ``mlops.datasets()``, ``mlops.models()`` and
``mlops.artifacts()``.

Each call reads the store as it is when the call is made (``$JUPYTER_MLOPS_HOME``, or the
``store`` given), ingesting pending events first so a kernel sees its own cells. The views
``sql`` answers over, and the columns of each DataFrame, are listed in docs/sql.md.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from . import Store, queries
from .queries import user_sql
from .queries.cell_history import MIN_HISTORY, RECENT

if TYPE_CHECKING:
    import pandas as pd


def _store(store: Store | str | os.PathLike[str] | None) -> Store:
    return store if isinstance(store, Store) else Store.open(store)


def runs(
    experiment: str | None = None,
    *,
    where: str | None = None,
    order_by: str | None = None,
    limit: int | None = 100,
    status: str | None = None,
    metrics: list[str] | None = None,
    best: dict[str, str] | None = None,
    store: Store | str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Runs as a DataFrame, one row each, newest first: the run's columns, then a
    ``params.KEY`` and a ``metrics.KEY`` (last value) column per key the page's runs have.

    ``where`` is a SQL predicate over the runs_wide view (``"metrics.auc > 0.8 AND
    params.model = 'rf'"``; quote a key with dots or spaces: ``metrics."val loss"``);
    ``order_by`` an ORDER BY list (``"metrics.auc DESC"``); ``limit=None`` returns every run.
    ``metrics=["auc:best", "loss:min"]`` adds a ``metrics.auc:best`` and a
    ``metrics.loss:min`` column (``:max`` too); a where or order_by naming such a column,
    quoted (``'"metrics.auc:best" DESC'``), adds it as well. A metric's best is its min when
    a word of its name ends in loss, error, err, mse, mae, mape, perplexity, latency,
    time, seconds, duration or cost, else its max; ``best={"score": "min"}`` overrides.
    """
    return queries.runs_table(_store(store), experiment=experiment, status=status,
                              where=where, order_by=order_by, limit=limit, metrics=metrics,
                              best=best)


def metrics(run: str, key: str | None = None, *,
            store: Store | str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Every value a run logged for its metrics (or for ``key``): run_id, key, step, value,
    ts (UTC), seq (the cell), by key then in logging order. ``run``: an id or unique prefix."""
    return queries.metric_histories(_store(store), run, key)


def sql(query: str, *, timeout: float = user_sql.TIMEOUT,
        store: Store | str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The result of one read-only SELECT over the documented views (docs/sql.md) as a
    DataFrame; anything else is refused, and a query running over ``timeout`` s stopped."""
    return user_sql.sql(_store(store), query, timeout=timeout)


#: The columns of each DataFrame the Python API answers with, and what each holds: listed in
#: docs/sql.md (generated) and checked against the frames by the tests. A name a view of
#: docs/sql.md has too means the same there.
FRAMES: dict[str, list[tuple[str, str]]] = {
    "mlops.cells(run)": [
        ("seq", "the cell's position in its run, 1-based"),
        ("execution_count", "IPython's counter (`In [n]`)"),
        ("cell_id", "the notebook's cell id (None without one)"),
        ("status", "ok or error"), ("duration_ms", "the user's code alone"),
        ("reads", "names the cell used"), ("writes", "names it bound"),
        ("error_type", "the exception's class"), ("error_message", "its message"),
        ("started", "UTC"), ("source", "the cell's code"),
        ("source_hash", "sha256 of the source"),
        ("event_id", "the recorded execution (its node in the lineage graph)")],
    "mlops.cells.history(cell)": [
        ("run_id", "the run of this execution"), ("seq", "the cell's position in that run"),
        ("cell_id", "the notebook's cell id (None: matched by source)"),
        ("kind", "interactive or job"), ("schedule", "the schedule of a scheduled job"),
        ("started", "UTC"), ("duration_ms", "the user's code alone"), ("status", "ok or error"),
        ("error_type", "the exception's class"),
        ("median_ms", f"median duration of the successful ones among the previous {RECENT} "
                      f"executions (None: fewer than {MIN_HISTORY})"),
        ("flag", "`slower` or `failing` (see `mlops.cells.history`), else None")],
    "mlops.cells.flagged(run)": [
        ("seq", "the cell's position in the run"), ("cell_id", "the notebook's cell id"),
        ("source", "the first line of its source"), ("status", "ok or error, in this run"),
        ("duration_ms", "in this run"), ("median_ms", "as in its history"),
        ("flag", "`slower` or `failing` in this run"),
        ("executions", "how many times it ran up to this run, in every run and job")],
    "mlops.datasets(run)": [
        ("seq", "the cell that read or wrote it"), ("relation", "reads or writes"),
        ("name", "the variable"), ("fingerprint", "xxh3-128 of the data"),
        ("kind", "DataFrame, array, …"), ("shape", "its dimensions"),
        ("nbytes", "its size in memory")],
    "mlops.models()": [
        ("name", "the registered model"), ("version", "1, 2, …"),
        ("aliases", "the aliases pointing at it now"), ("flavor", "sklearn, …"),
        ("format", "how the artifact is stored"),
        ("metrics", "metrics at registration (JSON)"),
        ("run_id", "the run that registered it"), ("created", "UTC"),
        ("user", "who registered it (None before schema 12)"),
        ("host", "the machine it was registered on"),
        ("retired", "when the version was retired (UTC; None while it serves)")],
    "mlops.jobs.history()": [
        ("run_id", "the job's run"), ("name", "the run's name"), ("experiment", "its experiment"),
        ("notebook", "the notebook executed"),
        ("status", "running, then how it ended (lost: its processes are gone)"),
        ("reason", "why it ended so"), ("started", "UTC"), ("ended", "UTC"),
        ("duration_s", "seconds"), ("schedule", "the schedule that fired it"),
        ("trigger", "api, cli, schedule, trigger, …"), ("params", "the parameters given"),
        ("failed_cell", "the cell that raised (1-based)"),
        ("error_type", "the exception's class"), ("error_message", "its message"),
        ("output", "the executed notebook's path"), ("output_sha", "its sha256"),
        ("notebook_sha", "sha256 of the notebook run"),
        ("reproduces", "the job this one re-ran"), ("parent_run", "the run that started it"),
        ("request", "the queued request it answered"),
        ("scheduled_for", "the fire time (UTC)"), ("executor", "local, dask, …"),
        ("timeout_s", "its whole-job timeout"), ("host", "where it ran"),
        ("pid", "its runner's process"), ("pid_started", "that process's start ticks"),
        ("user", "whose process ran it (None before schema 12)")],
    "mlops.performance_history()": [
        ("model", "`name:version`, or the name an object was estimated under"),
        ("batch", "the batch's fingerprint"),
        ("metric", "accuracy, f1 or roc_auc (macro, one vs rest, of more than two classes)"),
        ("created", "when the batch was first estimated (UTC)"), ("n", "rows scored"),
        ("estimated", "the first estimate, made without labels"),
        ("ci_low", "its interval's lower end"), ("ci_high", "its upper end"),
        ("realized", "the value the labels gave (None until they arrive)"),
        ("realized_at", "when the labels came (UTC)"),
        ("confidence", "the interval's level (0.95)"),
        ("event_id", "the `performance` event of the first estimate")],
}


class CellsAPI:
    """``mlops.cells(run)``: a run's executed cells in order, as a DataFrame (columns in
    docs/sql.md); ``mlops.cells.history(cell)`` one cell across runs and jobs,
    ``mlops.cells.flagged(run)`` the run's cells that became slower or started failing."""

    def __call__(self, run: str, *,
                 store: Store | str | os.PathLike[str] | None = None) -> pd.DataFrame:
        """A run's executed cells in execution order. ``run``: an id or unique prefix."""
        return queries.cells(_store(store), run)

    def history(self, cell: str, *, limit: int | None = None,
                store: Store | str | os.PathLike[str] | None = None) -> pd.DataFrame:
        """Every execution of one cell across runs and scheduled jobs, oldest first (the
        last ``limit``): duration, status and ``flag``. ``cell``: the notebook's cell id, or
        ``RUN/SEQ``. Executions match by cell id; a cell recorded without one matches by
        source hash among the runs of its notebook. ``flag`` is ``slower`` (≥ 3× the
        median of its recent executions) or ``failing`` (it raised, and ran without error
        recently): the exact rule is in docs/sql.md, "Cell history"."""
        return queries.cell_history(_store(store), cell, limit)

    def flagged(self, run: str, *, every: bool = False,
                store: Store | str | os.PathLike[str] | None = None) -> pd.DataFrame:
        """The cells of ``run`` flagged in it (``every=True``: all its cells), by seq, with
        their median and how often they ran; the rules are ``mlops.cells.history``'s."""
        return queries.flagged_cells(_store(store), run, every=every)[1]


cells = CellsAPI()


def datasets(run: str, *,
             store: Store | str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The data each cell of ``run`` read or wrote, by seq, with fingerprints and shapes."""
    return queries.cell_data(_store(store), run)


def models(*, store: Store | str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Every registered model version, by name then newest first, with its current
    aliases and the metrics it was registered with."""
    return queries.models(_store(store))


def artifacts(run: str, *, store: Store | str | os.PathLike[str] | None = None
              ) -> pd.DataFrame:
    """A run's artifacts (an id or unique prefix), one row each: run_id, seq (the cell;
    NA: none), name, kind, media_type, size, sha256, ts (UTC), event_id."""
    return queries.artifacts(_store(store), run)
