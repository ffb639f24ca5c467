"""The data contract ``score`` checks: the scored version's saved contract (or one named),
its column rules checked on each record batch and its batch-wide rules (row count,
uniqueness) once for the file, merged into one verdict and one ``contract_check`` event per
file, whose id is the batch id (docs/scoring.md, "Data contracts")."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..exceptions import ScoringError, StoreError
from ..monitoring import contracts
from ..monitoring.contracts import Contract, Verdict, Violation
from ..tracking.decisions import record_now

#: ``contract=`` / ``--contract`` value that skips the check.
OFF = "off"


def contract_for(version: str, choice: Contract | str | None) -> Contract | None:
    """The contract to check: ``choice`` when given (a Contract, or the name or model it was
    saved under), none when ``"off"``/``False``, else the one saved for ``version``
    (``churn:3``) if any: without one, scoring costs one lookup more."""
    if choice == OFF:
        return None
    if isinstance(choice, Contract):
        return choice
    if isinstance(choice, str):
        return contracts.load(choice)
    if choice is not None:
        raise ScoringError(f"contract must be a Contract, a saved contract's name or 'off', "
                           f"not {type(choice).__name__}")
    try:
        return contracts.load(version, resolved=True)  # exact: not resolved once more
    except StoreError:
        return None


class FileCheck:
    """A contract checked over a file chunk by chunk: per-chunk violations merged (the
    lowest minimum, the highest maximum, every new category), missing values counted and a
    unique column's values remembered, so the file's verdict equals ``check`` on all of it."""

    def __init__(self, rules: Contract, names: list[str]) -> None:
        self.rules = rules
        self.columns = [c for c in rules.columns if c in names]
        self.extra = [c for c in names if c not in rules.columns]
        self.rows = 0
        self.missing = dict.fromkeys(self.columns, 0)
        self.seen: dict[str, set[Any]] = {c: set() for c in self.columns
                                          if rules.columns[c].get("unique")}
        self.repeated = dict.fromkeys(self.seen, 0)
        self.found: dict[tuple[str | None, str], Violation] = {}

    def chunk(self, batch: Any) -> None:
        """One Arrow record batch's column rules; nullability and uniqueness are counted
        here and judged for the whole file in :meth:`verdict`."""
        frame = batch.select(self.columns).to_pandas()
        self.rows += len(frame)
        for column in self.columns:
            series = frame[column]
            missing = int(series.isna().sum())
            self.missing[column] += missing
            if missing == len(series):
                continue
            rules = {**self.rules.columns[column], "nullable": True, "unique": False}
            for found in contracts._column(column, series, rules):
                self._merge(found)
            if column in self.seen:
                values = series.dropna().tolist()
                seen = self.seen[column]
                before = len(seen)
                seen.update(values)
                self.repeated[column] += len(values) - (len(seen) - before)

    def _merge(self, found: Violation) -> None:
        key = (found.column, found.rule)
        old = self.found.get(key)
        if old is None:
            self.found[key] = found
        elif found.rule in ("min", "max"):
            pick = min if found.rule == "min" else max
            self.found[key] = replace(old, observed=pick(old.observed, found.observed))
        elif found.rule == "categories":
            new = sorted({*old.observed, *found.observed})[:contracts.SHOWN]
            self.found[key] = replace(old, observed=new)

    def verdict(self) -> Verdict:
        """The file's verdict, its violations in the order ``check`` gives them."""
        rules, found = self.rules, []
        if self.rows < rules.min_rows or (rules.max_rows is not None
                                          and self.rows > rules.max_rows):
            found.append(Violation(None, "rows", self.rows,
                                   f"{rules.min_rows} to {rules.max_rows or 'any'}"))
        if self.extra and not rules.allow_extra_columns:
            found.append(Violation(None, "columns", self.extra[:contracts.SHOWN],
                                   "no other columns"))
        for column, column_rules in rules.columns.items():
            if column not in self.missing:
                found.append(Violation(column, "present", "missing", "a column of the batch"))
                continue
            missing = self.missing[column]
            if missing == self.rows:
                found.append(Violation(column, "all_missing", f"{missing} of {missing}",
                                       "some values"))
                continue
            if missing and not column_rules.get("nullable", True):
                found.append(Violation(column, "nullable", f"{missing} missing",
                                       "no missing values"))
            found += [v for (name, _), v in self.found.items() if name == column]
            if self.repeated.get(column):
                found.append(Violation(column, "unique", f"{self.repeated[column]} repeated",
                                       "unique values"))
        return Verdict(rules.name, self.rows, found)


def record(t: Any, check: FileCheck, version: str, batch_id: str) -> Verdict:
    """The file's verdict stored at once as one ``contract_check`` event with the batch's
    id (a violation raises one ``contract_violated`` alert per file)."""
    verdict = check.verdict()
    t.ensure_run()
    record_now(t.store, contracts.check_event(verdict, version, id=batch_id))
    return verdict


def refuse(verdict: Verdict) -> None:
    """``strict``: a broken rule stops the batch (its output is not written)."""
    if not verdict.ok:
        raise ScoringError(f"the input breaks {verdict}. Nothing was written: fix the data, "
                           f"edit the contract, or score without strict to only warn")
