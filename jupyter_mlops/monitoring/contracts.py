"""Data contracts: the rules a batch must keep before a model scores it or monitoring trusts
it, derived from the training data's profile and editable as YAML or JSON (docs/contracts.md).

``check`` never raises on a bad batch (a missing column, a new category, a wrong dtype, no
rows, all values missing): each broken rule is a :class:`Violation` in the
:class:`Verdict`. It raises only when what it was given is not a contract or not a table.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from .. import events as ev
from ..exceptions import StoreError
from .profiles import Profile, build_profile, is_numeric

#: The form's version; a contract written by a newer one is refused.
VERSION = 1
#: Rules a column may carry (each optional), and the contract's own.
COLUMN_RULES = ("dtype", "nullable", "min", "max", "categories", "unique")
#: Most categories a derived contract lists (a column with more is an identifier: no rule).
MAX_CATEGORIES = 1000
#: How many offending values a violation quotes.
SHOWN = 5


@dataclass(frozen=True)
class Violation:
    column: str | None  # None: the batch as a whole (its rows, its columns)
    rule: str
    observed: Any
    expected: Any


@dataclass
class Verdict:
    """The result of checking one batch: ``ok`` when no rule is broken."""

    contract: str | None
    rows: int
    violations: list[Violation] = field(default_factory=list)
    id: str | None = None

    @property
    def ok(self) -> bool:
        return not self.violations

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(v) for v in self.violations],
                            columns=["column", "rule", "observed", "expected"])

    def __str__(self) -> str:
        name = f"contract {self.contract!r}" if self.contract else "contract"
        if self.ok:
            return f"{name}: kept by all {self.rows:,} rows"
        return f"{name}: {len(self.violations)} violation(s): " + "; ".join(
            f"{v.column or 'batch'} {v.rule} (observed {v.observed}, expected {v.expected})"
            for v in self.violations)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        if self.ok:
            return f"<b>✓ {self}</b>"
        return (f"<b>✗ {len(self.violations)} violation(s) of "
                f"{self.contract or 'the contract'}</b>" + self.to_frame().to_html(index=False))


@dataclass
class Contract:
    """Rules per column plus row-count bounds and whether extra columns are allowed."""

    columns: dict[str, dict[str, Any]]
    min_rows: int = 1
    max_rows: int | None = None
    allow_extra_columns: bool = True
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"version": VERSION, "name": self.name, "min_rows": self.min_rows,
                "max_rows": self.max_rows, "allow_extra_columns": self.allow_extra_columns,
                "columns": self.columns}

    def to_yaml(self) -> str:
        import yaml

        return str(yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Contract:
        """Validated: an unknown rule or a newer form is one clear error."""
        if not isinstance(d, dict) or not isinstance(d.get("columns"), dict):
            raise ValueError("a contract is a mapping with a 'columns' mapping "
                             "(docs/contracts.md shows the form)")
        if int(d.get("version", VERSION)) > VERSION:
            raise ValueError(f"contract form version {d['version']} is newer than this "
                             f"jupyter-mlops reads ({VERSION}): upgrade jupyter-mlops")
        for column, rules in d["columns"].items():
            unknown = sorted(set(rules or {}) - set(COLUMN_RULES))
            if unknown:
                raise ValueError(f"column {column!r}: unknown rule(s) {', '.join(unknown)}; "
                                 f"rules are {', '.join(COLUMN_RULES)}")
        return cls({str(k): dict(v or {}) for k, v in d["columns"].items()},
                   int(d.get("min_rows", 1)), d.get("max_rows"),
                   bool(d.get("allow_extra_columns", True)), d.get("name"))

    @classmethod
    def from_yaml(cls, text: str) -> Contract:
        """YAML (or JSON, which YAML reads too)."""
        import yaml

        return cls.from_dict(yaml.safe_load(text))


def derive(profile: Profile, *, name: str | None = None) -> Contract:
    """Rules a training profile implies: each column present, numeric or not as it was,
    nullable only if it had missing values, within its observed range, its categories
    those seen (up to ``MAX_CATEGORIES``), unique if every category occurred once."""
    columns: dict[str, dict[str, Any]] = {}
    for column in profile.columns.values():
        rules: dict[str, Any] = {"nullable": bool(column.missing)}
        if column.kind == "numeric":
            rules.update(dtype="numeric", min=float(column.values[0]),
                         max=float(column.values[-1]))
        elif column.kind == "categorical" and len(column.counts) <= MAX_CATEGORIES:
            rules["categories"] = sorted(column.counts)
            if len(column.counts) > 1 and max(column.counts.values()) == 1:
                rules["unique"] = True
        columns[column.name] = rules
    return Contract(columns, name=name or profile.name)


def check(contract: Contract, batch: Any) -> Verdict:
    """Every rule of ``contract`` against ``batch`` (a pandas DataFrame)."""
    if not isinstance(contract, Contract):
        raise TypeError(f"check() takes a Contract (mlops.contract(...)), not "
                        f"{type(contract).__name__}")
    if not isinstance(batch, pd.DataFrame):
        raise TypeError(f"the batch must be a pandas DataFrame, not {type(batch).__name__}")
    found: list[Violation] = []
    rows = len(batch)
    if rows < contract.min_rows or (contract.max_rows is not None
                                    and rows > contract.max_rows):
        found.append(Violation(None, "rows", rows,
                               f"{contract.min_rows} to {contract.max_rows or 'any'}"))
    names = [str(c) for c in batch.columns]
    extra = [c for c in names if c not in contract.columns]
    if extra and not contract.allow_extra_columns:
        found.append(Violation(None, "columns", extra[:SHOWN], "no other columns"))
    by_name = {str(c): batch[c] for c in batch.columns}
    for column, rules in contract.columns.items():
        series = by_name.get(column)
        if series is None:
            found.append(Violation(column, "present", "missing", "a column of the batch"))
        elif rows:
            found += _column(column, series, rules)
    return Verdict(contract.name, rows, found)


def _column(column: str, series: pd.Series, rules: dict[str, Any]) -> list[Violation]:
    found: list[Violation] = []
    missing = int(series.isna().sum())
    if missing == series.size:
        return [Violation(column, "all_missing", f"{missing} of {missing}", "some values")]
    if missing and not rules.get("nullable", True):
        found.append(Violation(column, "nullable", f"{missing} missing", "no missing values"))
    if rules.get("dtype") == "numeric" and not is_numeric(series):
        return [*found, Violation(column, "dtype", str(series.dtype), "numeric")]
    present = series.dropna()
    if is_numeric(series):
        values = present.to_numpy(dtype=float)
        low, high = rules.get("min"), rules.get("max")
        if low is not None and values.min() < low:
            found.append(Violation(column, "min", float(values.min()), low))
        if high is not None and values.max() > high:
            found.append(Violation(column, "max", float(values.max()), high))
    if rules.get("categories") is not None:
        allowed = {str(c) for c in rules["categories"]}
        new = sorted({str(v) for v in present.unique()} - allowed)
        if new:
            found.append(Violation(column, "categories", new[:SHOWN],
                                   f"one of {len(allowed)} known"))
    if rules.get("unique"):
        repeated = int(present.duplicated().sum())
        if repeated:
            found.append(Violation(column, "unique", f"{repeated} repeated", "unique values"))
    return found


def contract(source: Any, *, name: str | None = None, model: str | None = None,
             save: bool = True) -> Contract:
    """Derive a data contract from a profile, a stored profile's name (or fingerprint), or
    a DataFrame; saved with ``model`` (``"churn:3"``, ``"churn@champion"``) unless told not.
    Edit it (``c.columns["age"]["max"] = 120``, or ``Contract.from_yaml``) and save it
    again with :func:`save`."""
    if isinstance(source, str):
        from .records import load_profile

        source = load_profile(source)
    elif isinstance(source, pd.DataFrame):
        source = build_profile(source, fingerprint=False)
    if not isinstance(source, Profile):
        raise TypeError(f"contract() takes a Profile, a stored profile's name or a DataFrame,"
                        f" not {type(source).__name__}")
    derived = derive(source, name=name)
    if save:
        derived.name = derived.name or model
        _save(derived, model, source.fingerprint)
    return derived


def save(rules: Contract, *, model: str | None = None) -> None:
    """Store an (edited) contract; the latest saved under a name or model is the one used."""
    if not rules.name and not model:
        raise ValueError("give the contract a name (contract.name = 'churn-input') or a model")
    _save(rules, model, None)


def _save(rules: Contract, model: str | None, fingerprint: str | None) -> None:
    from ..tracking import tracker
    from .records import _model_version

    t = tracker()
    t.emit(ev.CONTRACT, {"run_id": t.run_id, "name": rules.name,
                         "model": _model_version(t, model), "fingerprint": fingerprint,
                         "contract": rules.to_dict()})


def load(key: str, *, resolved: bool = False) -> Contract:
    """The latest contract saved under this name or model version (``resolved``: exact)."""
    from ..store import queries
    from ..tracking import tracker
    from .records import _model_version

    t = tracker()
    body = queries.contract_body(t.store, key if resolved else _model_version(t, key) or key)
    if body is None:
        raise StoreError(f"no contract saved for {key!r}. Derive one with "
                         f"mlops.contract(profile, model={key!r}).")
    return Contract.from_dict(json.loads(body))


def check_contract(rules: Contract | str, batch: Any, *, model: str | None = None,
                   save: bool = True) -> Verdict:
    """Check ``batch`` against a contract, or the one saved under a name or for a model
    version (``"churn@champion"``; if none was saved, one is derived from the profile
    stored under the version's name, ``churn:3`` as train.ipynb stores it, and saved). The
    verdict is stored as an event (violations alert as ``contract_violated``) unless
    ``save=False``."""
    if isinstance(rules, str):
        model = model or rules
        rules = _rules_for(rules)
    verdict = check(rules, batch)
    if save:
        from ..tracking import tracker
        tracker().writer.append(check_event(verdict, model))
    return verdict


def check_event(verdict: Verdict, model: str | None, id: str | None = None) -> ev.Event:
    """A verdict's ``contract_check`` event; ``score`` gives it the batch's id."""
    from ..tracking import tracker
    from .records import _clean, _model_version

    t = tracker()
    event = ev.Event(ev.CONTRACT_CHECK, {
        "run_id": t.run_id, "contract": verdict.contract, "model": _model_version(t, model),
        "ok": verdict.ok, "rows": verdict.rows, "violations": [
            {"column": v.column, "rule": v.rule, "observed": json.dumps(_clean(v.observed)),
             "expected": json.dumps(_clean(v.expected))} for v in verdict.violations]},
        id=id or ev.new_id())
    verdict.id = event.id
    return event


def _rules_for(key: str) -> Contract:
    """The contract saved under ``key``, else one derived from its version's profile."""
    try:
        return load(key)
    except StoreError:
        from ..tracking import tracker
        from .records import _model_version

        version = _model_version(tracker(), key) or key
        try:
            return contract(version, model=key)
        except StoreError:
            raise StoreError(f"no contract or profile for {key!r}: store the training "
                             f"data's profile with mlops.profile(X_train, name="
                             f"{version!r})") from None


def check_batch(model_ref: str, df: Any) -> Verdict:
    """A version's contract on a DataFrame (``score`` uses :mod:`..scoring.contract`)."""
    return check_contract(model_ref, df, model=model_ref)
