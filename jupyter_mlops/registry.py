"""The model registry: versions, aliases with history, and promotion gates.

Every action is an event. Actions that depend on the registry's current state (the next
version number, the alias a promotion moves, the champion a gate compares with) run under
the store's exclusive lock: ingest, read, decide, append, ingest. Two processes promoting
at once are thereby serialized, and the alias history stays a consistent chain.
"""

from __future__ import annotations

import numbers
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from . import blobs, gates, model_files, signatures
from . import events as ev
from .capture.autolog import last_fit, params_of
from .exceptions import BadReference, GateRefused, NotFound, StoreError, VersionRetired
from .store import Store, db
from .store.ingest import ingest
from .store.lock import hold
from .store.queries.models import (
    alias_state,
    alias_version,
    latest_version,
    next_version,
    run_metrics,
    version_record,
)
from .store.team.aliases import alias_lock
from .tracking import tracker
from .tracking.decisions import record_now

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
#: Versions are positive and fit DuckDB's BIGINT; anything else is refused before a query.
MAX_VERSION = 2**63 - 1


@dataclass
class ModelVersion:
    name: str
    version: int
    run_id: str | None = None
    artifact: str | None = None
    format: str | None = None
    flavor: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    signature: dict[str, Any] | None = None
    retired: Any = None  # when it was retired (None: it is not)

    def __repr__(self) -> str:
        return f"ModelVersion({self.name}, {self.version})"


def _check_name(kind: str, value: str) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise ValueError(f"{kind} {value!r} is not valid: use letters, digits, '.', '_' or "
                         f"'-' (at most 128), starting with a letter or digit")
    return value


@dataclass(frozen=True)
class Ref:
    """A parsed model reference: ``name@alias``, ``name:3``, or ``name`` (its latest)."""

    name: str
    alias: str | None = None
    version: int | None = None


def parse_version(value: Any, ref: str | None = None, *, text: bool = True) -> int:
    """``value`` (an integer, or ASCII digits when ``text``) as a version, or
    :class:`BadReference`: every non-version (``-1``, ``10**50``, ``"²"``, ``"x"``) gets the
    same message, naming ``ref`` when the version came from one."""
    if text and type(value) is str and value.isascii() and value.isdigit() and len(value) < 20:
        value = int(value)
    elif isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = int(value)  # numpy and pandas integers too
    if type(value) is not int or not 1 <= value <= MAX_VERSION:
        where = f" in {ref!r:.60}" if ref is not None else ""
        shown = f"{value!r:.40}" if not isinstance(value, int) or value.bit_length() < 128 \
            else f"{value.bit_length()} bits long"  # its repr fails past 4300 digits
        raise BadReference(f"version {shown}{where} is not valid: versions are whole "
                           f"numbers from 1 to {MAX_VERSION}, as in churn:3")
    return value


def model_ref(text: str) -> Ref | None:
    """The model version ``name@alias`` or ``name:3`` names, checked; ``None`` for text that
    is neither (a bare name, or a run id). The one parser of references: the registry,
    lineage and the server all read them here."""
    if "@" in text:
        name, alias = text.split("@", 1)
        _check_ref_name(name, text)
        _check_ref_name(alias, text)
        return Ref(name, alias=alias)
    if ":" in text:
        name, number = text.rsplit(":", 1)
        _check_ref_name(name, text)
        return Ref(name, version=parse_version(number, text))
    return None


def _check_ref_name(name: str, text: str) -> None:
    if not _NAME.match(name):
        raise BadReference(f"{text!r:.60} is not a model reference: write name@alias or "
                           f"name:3 with a name of letters, digits, '.', '_' or '-'")


def register(model: Any, name: str, *, metrics: dict[str, float] | None = None,
             data: list[str] | None = None, input_example: Any = None) -> ModelVersion:
    """Store the fitted model as the next version of ``name``.

    Metrics default to the latest metrics of the active run; ``data`` lists the fingerprints
    of the datasets it was trained on (by default what autolog saw it fitted on).
    ``input_example``: a DataFrame like the model's input, recorded as its signature with
    the categories seen (by default the signature comes from autolog's record of the fit).
    """
    _check_name("model name", name)
    model_files.check_fitted(model)
    fit = last_fit(model) or {}
    signature = signatures.for_model(model, fit.get("schema"), input_example)
    if data is None:
        data = fit.get("inputs")
    t = tracker()
    store = t.store
    blob, fmt = model_files.dump_model(model)
    sha = blobs.put(store, blob)
    run_id = t.ensure_run()
    # in a team store, the next number is the team's: registrations of a model wait on each other
    with alias_lock(store, name, offline=True), hold(store, exclusive=True):
        ingest(store)
        with db.connect(store, write=False, threads=1) as con:
            version = next_version(con, name)
            if metrics is None:
                metrics = run_metrics(con, run_id)
        flavor = f"{type(model).__module__}.{type(model).__qualname__}"
        record_now(store, ev.Event(ev.MODEL_VERSION, {
            "run_id": run_id, "name": name, "version": version, "artifact": sha,
            "format": fmt, "flavor": flavor, "metrics": metrics, "params": params_of(model),
            "data": list(data or []), "size": len(blob), "fit": fit.get("fit"),
            "signature": signature}))
    return ModelVersion(name, version, run_id, sha, fmt, flavor, dict(metrics), params_of(model),
                        signature=signature)


def resolve(store: Store, ref: str | tuple[str, int]) -> ModelVersion:
    """``"name@alias"``, ``"name:3"``, ``"name"`` (latest) or ``("name", 3)``."""
    from .store.queries import reading

    with reading(store) as con:
        return resolve_on(con, ref)


def resolve_on(con: Any, ref: str | tuple[str, int]) -> ModelVersion:
    """:func:`resolve` on an open connection (for callers reading several things at once)."""
    if isinstance(ref, tuple):
        parsed = Ref(ref[0], version=parse_version(ref[1]))
    elif not isinstance(ref, str):
        raise TypeError(f"a model reference is a string like 'churn@champion' or 'churn:3', "
                        f"or a (name, version) tuple, not {type(ref).__name__}")
    else:
        parsed = model_ref(ref) or Ref(ref)
    name, version = parsed.name, parsed.version
    if parsed.alias is not None:
        version = alias_version(con, name, parsed.alias)
        if version is None:
            raise NotFound(f"model {name!r} has no alias {parsed.alias!r}. `jupyter mlops "
                           f"models` lists versions and aliases.")
    elif version is None:
        version = latest_version(con, name)
    found = None if version is None else version_record(con, name, version)
    if version is None or found is None:
        raise NotFound(f"no model version {ref!r}. `jupyter mlops models` lists them.")
    if found["retired"] is not None and parsed.alias is not None:
        raise VersionRetired(f"{name}@{parsed.alias} points at {name}:{version}, which is "
                             f"retired: promote another version to @{parsed.alias}, or name "
                             f"{name}:{version} explicitly to audit it")
    return ModelVersion(name, version, **found)


def warn_retired(version: ModelVersion) -> None:
    if version.retired is not None:
        warnings.warn(f"{version.name}:{version.version} is retired (since "
                      f"{version.retired:%Y-%m-%d}); loaded for audit only", stacklevel=3)


def load_model(ref: str | tuple[str, int], *, trusted: bool = False, data: Any = None,
               strict: bool = False) -> Any:
    """The exact fitted object of a version, its artifact's hash verified.

    Without ``trusted=True`` only files made of data types and the estimators of
    scikit-learn, XGBoost and LightGBM load: anything else (a type that could run code) is
    refused, naming it, since anyone who can write to a shared store can write a model.
    ``data``: a DataFrame checked against the version's signature first (see
    :mod:`jupyter_mlops.signatures`; ``strict`` makes extra columns and unseen categories
    errors too). A retired version loads only by explicit version, with a warning.
    """
    store = tracker().store
    version = resolve(store, ref)
    warn_retired(version)
    if data is not None:
        signatures.enforce(version.signature, data, f"{version.name}:{version.version}",
                           strict=strict)
    return load_version(store, version, trusted=trusted)


def load_version(store: Store, version: ModelVersion, *, trusted: bool = False) -> Any:
    """The fitted object of a resolved ``version``."""
    if version.artifact is None or version.format is None:
        raise StoreError(f"{version.name}:{version.version} has no stored model file (its "
                         f"registration recorded none); register the model again")
    return model_files.load_model_bytes(blobs.get(store, version.artifact), version.format,
                                      trusted=trusted)


def promote(name: str, version: int, alias: str = "champion", *,
            gate: dict[str, str] | None = None, by: str | None = None,
            store: Store | None = None) -> ModelVersion:
    """Point ``name@alias`` at ``version`` if the gate holds; refused with the reason if not.

    ``gate={"auc": ">= 0.85", "f1": "> champion + 0.01"}``: each condition is checked
    against the version's recorded metrics; ``champion`` is the version the alias points
    at now. A refusal changes nothing. ``store``: where (default: the store this process
    records into). In a team store the promotion needs PostgreSQL (docs/team.md).
    """
    _check_name("alias", alias)
    version = parse_version(version)
    store = store or tracker().store  # the server passes the store it serves
    label = f"{name}:{version} to @{alias}"
    # in a team store, the team's alias moves of this model wait on each other
    with alias_lock(store, name), hold(store, exclusive=True):
        ingest(store)
        refusal = None
        with db.connect(store, write=False, threads=1) as con:
            target = resolve_on(con, (name, version))
            if target.retired is not None:
                raise VersionRetired(f"{name}:{version} is retired and cannot be promoted; "
                                     f"register a new version instead")
            current, last_move = alias_state(con, name, alias)
            champion = resolve_on(con, (name, current)).metrics if current is not None else None
            try:
                gates.check(gate or {}, target.metrics, champion, label, con=con, name=name,
                            version=target.version, champion_version=current)
            except GateRefused as e:
                refusal = e
        if refusal is not None:  # recorded: alert rules fire on refusals
            record_now(store, ev.Event(ev.GATE_REFUSED, {
                "run_id": tracker().run_id, "name": name, "version": target.version,
                "alias": alias, "reason": str(refusal)}))
            raise refusal
        if current == target.version:
            return target
        import getpass

        # after the last move whatever this machine's clock says: the latest move wins
        record_now(store, ev.Event(ev.ALIAS_SET, {
            "run_id": tracker().run_id, "name": name, "alias": alias,
            "version": target.version, "previous": current,
            "set_by": by or getpass.getuser(), "gate": gate or {}}, id=ev.id_after(last_move)))
    return resolve(store, (name, target.version))


def retire(ref: str | tuple[str, int], *, reason: str | None = None, by: str | None = None,
           store: Store | None = None) -> ModelVersion:
    """Archive a version: it can no longer be promoted, loaded or scored by alias (nor as
    its model's latest), while its record, lineage and file stay for audit and it still
    loads by explicit version (``name:3``), with a warning. An alias pointing at it is left
    as history; resolving it is refused until another version is promoted there."""
    import getpass

    store = store or tracker().store
    with hold(store, exclusive=True):
        ingest(store)
        with db.connect(store, write=False, threads=1) as con:
            target = resolve_on(con, ref)
        if target.retired is None:
            record_now(store, ev.Event(ev.MODEL_RETIRED, {
                "run_id": tracker().run_id, "name": target.name, "version": target.version,
                "set_by": by or getpass.getuser(), "reason": reason}))
    return resolve(store, (target.name, target.version))
