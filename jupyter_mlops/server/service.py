"""What the REST API does beyond one query: promotions, schedules, lineage walks.

Every method blocks (DuckDB, the store's lock) and is called from a worker thread
(:mod:`.cache`); the background ingest is :mod:`.background`.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import NotFound
from ..store import Store, queries
from ..store.ingest import read_state
from .background import BackgroundIngest

if TYPE_CHECKING:
    from ..jobs.executors import Executor
    from ..lineage import EdgeIndex
    from ..registry import ModelVersion


class Service:
    """One per server: the store it serves and the calls the endpoints make on it.

    A deployment can serve another kind of store or add calls by subclassing this class
    and naming it in ``c.MLOpsApp.service_class``.
    """

    def __init__(self, store: Store, *, root_dir: Path | None = None) -> None:
        self.store = store
        self.root_dir = root_dir  # the server's root, for paths the UI can open
        self.background = BackgroundIngest(store)
        self.jobs: Executor | None = None  # once a schedule is run from here
        #: (store generation, edges, current aliases) of the last lineage walk
        self._lineage: tuple[Any, EdgeIndex, dict[str, str]] | None = None
        self._lineage_lock = threading.Lock()
        #: (store generation, node -> label or None) of the nodes walks have shown
        self._labels: tuple[Any, dict[tuple[str, str], str | None]] = (None, {})

    def ingest_status(self) -> dict[str, Any]:
        return self.background.status()

    def shutdown(self) -> None:
        """Jobs started here end with the server."""
        if self.jobs is not None:
            self.jobs.shutdown(wait=False)

    # -- what needs more than one query ----------------------------------------------------

    def promote(self, name: str, version: int, alias: str, gate: dict[str, str],
                by: str) -> ModelVersion:
        """Promote through the registry's gate, recording who asked."""
        from ..registry import promote

        return promote(name, version, alias, gate=gate, by=by, store=self.store)

    def _schedule(self, name: str) -> dict[str, Any]:
        from ..jobs import schedules

        state = schedules.current(self.store).get(name)
        if state is None:
            raise NotFound(f"no schedule named {name!r}. GET schedules lists them.")
        return state

    def run_schedule(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run a schedule now: handed to the scheduler daemon when one runs on this store
        (its concurrency limit and no-overlap rule hold), else started by this server."""
        from ..jobs import schedules
        from ..jobs.executors import executor_for
        from ..jobs.scheduler import SchedulerLock

        state = self._schedule(name)
        if SchedulerLock(self.store).held_elsewhere():
            return {"request": schedules.request(name, params, store=self.store),
                    "run_id": None}
        spec = schedules.spec_for(name, state, params, store=self.store, trigger="run_now")
        if self.jobs is None:
            self.jobs = executor_for("local", 2)
        self.jobs.submit(spec)
        return {"request": None, "run_id": spec.run_id}

    def set_paused(self, name: str, paused: bool) -> dict[str, Any]:
        from ..jobs import schedules

        self._schedule(name)
        return (schedules.pause if paused else schedules.resume)(name, store=self.store)

    def lineage(self, ref: str, kind: str | None, direction: str, depth: int) -> dict[str, Any]:
        """The graph around ``ref`` (``kind`` given: a raw node id). The edges and current
        aliases are kept in memory per store generation, so a walk needs no DuckDB session
        unless the reference must be resolved there (a run id prefix, an unknown node)."""
        index, aliases = self._lineage_index()
        start = self._node_in(index, aliases, ref, kind)
        if start is None:
            start = self._resolve_node(ref, kind)
        from .. import lineage

        found = index.graph(start, depth, direction)
        return lineage.labelled(found, self._labels_of([(n["kind"], n["id"])
                                                        for n in found["nodes"]]))

    def _labels_of(self, nodes: list[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
        """The nodes' labels, cached per store generation: a walk over nodes already shown
        opens no DuckDB session, and concurrent walks wait for one read, not one each."""
        generation = read_state(self.store).get("generation")
        with self._lineage_lock:
            if self._labels[0] != generation:
                self._labels = (generation, {})
            cache = self._labels[1]
            missing = [n for n in nodes if n not in cache]
            if missing:
                with queries.reading(self.store) as con:
                    found = queries.node_labels(con, missing)
                cache.update((n, found.get(n)) for n in missing)
            return cache

    def _lineage_index(self) -> tuple[EdgeIndex, dict[str, str]]:
        from .. import lineage

        generation = read_state(self.store).get("generation")
        with self._lineage_lock:
            if self._lineage is None or self._lineage[0] != generation:
                with queries.reading(self.store) as con:
                    index = lineage.EdgeIndex.load(con)
                    aliases = queries.alias_targets(con)
                self._lineage = (generation, index, aliases)
            return self._lineage[1], self._lineage[2]

    @staticmethod
    def _node_in(index: EdgeIndex, aliases: dict[str, str], ref: str,
                 kind: str | None) -> tuple[str, str] | None:
        """``ref`` as a node of the in-memory graph, when it names one exactly."""
        from ..registry import model_ref

        model = None if kind is not None else model_ref(ref)
        if kind is not None:
            node = (kind, ref)
        elif model is None:
            node = ("run", ref)
        elif model.alias is not None:
            node = ("model_version", aliases.get(f"{model.name}@{model.alias}", ""))
        else:
            node = ("model_version", f"{model.name}:{model.version}")
        return node if node in index else None

    def _resolve_node(self, ref: str, kind: str | None) -> tuple[str, str]:
        """Resolve ``ref`` in DuckDB: run id prefixes, cells without edges, and the right error
        for the rest."""
        from ..registry import model_ref, resolve_on

        if kind is not None and kind != "cell":
            raise NotFound(f"no lineage is recorded for {kind} {ref!r}")
        with queries.reading(self.store) as con:
            if kind == "cell":  # a recorded cell that touched no data: a graph of itself
                queries.cell_position(con, ref)
                return "cell", ref
            if model_ref(ref) is not None:
                version = resolve_on(con, ref)
                return "model_version", f"{version.name}:{version.version}"
            return "run", queries.resolve_run(con, ref)
