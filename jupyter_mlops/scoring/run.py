"""``mlops.score``: a model version scores a Parquet or CSV file chunk by chunk into another,
while challengers score it in its shadow or serve a canary's share; the batch is recorded
with the versions and the input's fingerprint, so lineage runs input -> batch -> output."""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from .. import events as ev
from .. import signatures
from ..exceptions import ScoringError, SignatureMismatch, SignatureWarning
from ..monitoring.contracts import Contract, Verdict
from ..tracking import tracker
from ..tracking.decisions import record_now
from . import contract as contracts
from .contract import FileCheck
from .files import (
    Output,
    chunk_rows_for,
    file_fingerprint,
    fingerprint_soon,
    open_input,
    read_ahead,
)
from .frames import Frames
from .slices import Slices
from .versions import Scorer, parse_canary, scorer

Progress = Callable[[int, "int | None"], None]


@dataclass
class ScoreResult:
    """A scored batch: its id (what ``mlops.label`` takes), the versions and rows."""

    batch_id: str
    model: str
    rows: int
    chunks: int
    output: str
    duration_s: float
    versions: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    contract: Verdict | None = None  # the input's check against the data contract, if any

    def __repr__(self) -> str:
        return (f"ScoreResult({self.model}, {self.rows} rows -> {self.output}, "
                f"batch {self.batch_id})")


def score(model: str, input: str | os.PathLike[str], out: str | os.PathLike[str], *,
          shadow: Sequence[str] = (), canary: str | tuple[str, float] | None = None,
          keep: Sequence[str] = (), chunk_rows: int | None = None, strict: bool = False,
          trusted: bool = False, contract: Contract | str | None = None,
          progress: Progress | None = None) -> ScoreResult:
    """Score ``input`` (Parquet/CSV) with ``model`` (``"churn@champion"``) into ``out``.

    Read and written ``chunk_rows`` rows at a time (by default ~96 MB of the columns read),
    so files larger than memory work; only the columns used are read. The
    output holds the ``keep`` columns of the input, ``prediction`` and, with a canary,
    ``version`` (which version served the row). ``shadow``: versions that score every row
    too, their predictions kept in the store; ``canary``: ``"churn@challenger:0.1"``, a
    version that serves that fraction of rows (chosen at random, seeded by the batch id).
    Each batch is checked against every version's signature (:mod:`..signatures`): a
    missing column or a wrong dtype stops it before anything is written. Returns the
    batch; ``mlops.label(batch_id, labels)`` later computes each version's realized metrics.
    ``contract``: the data contract checked (a Contract, or the name it was saved under;
    ``"off"`` skips it); by default the one saved for the champion's version, if any. A
    broken rule warns (the verdict is on the result and stored once per file), or with
    ``strict`` stops the batch before its output is written.
    """
    if chunk_rows is not None and (not isinstance(chunk_rows, int) or chunk_rows < 1):
        raise ScoringError(f"chunk_rows must be a positive integer, not {chunk_rows!r}")
    started = time.perf_counter()
    output = Output(out)  # a bad name is refused before any model is loaded
    input_fingerprint = fingerprint_soon(input)
    t = tracker()
    batch_id = ev.new_id()
    fraction = 0.0
    scorers = [scorer(t.store, model, "champion", batch_id, trusted=trusted)]
    scorers += [scorer(t.store, ref, "shadow", batch_id, trusted=trusted)
                for ref in _refs(shadow)]
    if canary is not None:
        ref, fraction = parse_canary(canary)
        scorers.append(scorer(t.store, ref, "canary", batch_id, trusted=trusted))
    source = open_input(input)
    given = {name: source.schema.field(name).type for name in source.schema.names}
    verdict = _check_schema(scorers, given, keep, strict)
    champion = f"{scorers[0].version.name}:{scorers[0].version.version}"
    rules = contracts.contract_for(champion, contract)
    checked = FileCheck(rules, source.schema.names) if rules is not None else None
    columns = _columns(scorers[0], source.schema.names, keep)
    read = [n for n in source.schema.names
            if n in columns or n in keep or (checked is not None and n in checked.columns)]
    rows = chunks = 0
    ok = False
    try:
        import numpy as np

        rng = np.random.default_rng(int(batch_id[-16:], 16))
        frames = Frames(columns, scorers[0].version.signature)
        with Slices([s.model for s in scorers]) as slices:
            for batch in read_ahead(source.read(read, chunk_rows or chunk_rows_for(len(read)))):
                if batch.num_rows == 0:
                    continue
                check_batch(scorers, batch, verdict, checked)
                index = np.arange(rows, rows + batch.num_rows, dtype=np.int64)
                routed = rng.random(batch.num_rows) < fraction if fraction else None
                output.write(_served(scorers, frames, batch, index, routed, keep, slices))
                rows += batch.num_rows
                chunks += 1
                if progress is not None:
                    progress(rows, source.rows)
        if rows == 0:
            raise ScoringError(f"{source.path} has no rows: nothing to score (no output "
                               f"written)")
        _finish(verdict, strict)
        kept = None if checked is None else contracts.record(t, checked, champion, batch_id)
        if kept is not None and strict:
            contracts.refuse(kept)
        ok = True
    finally:
        output.close(ok)
        for s in scorers:
            s.predictions.close(ok)
    result = _record(t, batch_id, scorers, (source, input_fingerprint()), output, given, rows,
                     chunks, verdict.warnings, time.perf_counter() - started)
    result.contract = kept
    for line in result.warnings:
        warnings.warn(line, SignatureWarning, stacklevel=2)
    if kept is not None and not kept.ok:
        warnings.warn(str(kept), UserWarning, stacklevel=2)
    return result


def _refs(refs: Iterable[str] | str) -> list[str]:
    return [refs] if isinstance(refs, str) else list(refs)


def _check_schema(scorers: list[Scorer], given: dict[str, Any], keep: Sequence[str],
                  strict: bool) -> signatures.Verdict:
    """Every version's signature against the file's columns, before a row is read."""
    missing_keep = [k for k in keep if k not in given]
    if missing_keep:
        raise ScoringError(f"--keep column(s) {', '.join(missing_keep)} are not in the input")
    verdict = signatures.Verdict()
    for s in scorers:
        if s.version.signature:
            found = signatures.check_schema(
                s.version.signature, {k: v for k, v in given.items() if k not in keep},
                strict=strict)
            if found.errors:
                raise SignatureMismatch(f"the input does not fit {s.label}: {found.message()}")
            verdict.warnings += [f"{s.label}: {w}" for w in found.warnings]
    return verdict


def check_batch(scorers: list[Scorer], batch: Any, verdict: signatures.Verdict,
                contract: FileCheck | None) -> None:
    """The checks each record batch passes before it is scored: its values against the
    champion's signature (unseen categories, all-null columns) and its data contract's
    column rules (judged for the whole file at its end)."""
    if scorers[0].version.signature:
        signatures.check_values(scorers[0].version.signature, batch, verdict)
    if contract is not None:
        contract.chunk(batch)


def _finish(verdict: signatures.Verdict, strict: bool) -> None:
    signatures.finish(verdict, strict=strict)
    if verdict.errors:
        raise SignatureMismatch(f"the input does not fit the model: {verdict.message()}")


def _columns(champion: Scorer, names: list[str], keep: Sequence[str]) -> list[str]:
    """The columns the models get: the signature's, in its order; without one, every
    column of the input but the ``keep`` ones."""
    if champion.version.signature:
        return signatures.names(champion.version.signature)
    return [n for n in names if n not in keep]


def _served(scorers: list[Scorer], frames: Frames, batch: Any, index: Any, routed: Any,
            keep: Sequence[str], slices: Slices) -> Any:
    """The output's chunk: the kept columns and what was served to each row; every
    shadow scores the whole chunk on the side."""
    import numpy as np
    import pyarrow as pa

    champion = scorers[0]
    columns = {k: batch.column(k) for k in keep}  # arrays or, from a table, chunked arrays
    whole = partial(frames.part, batch)
    if routed is None:
        columns["prediction"] = pa.array(champion.predict(whole, index, slices))
    else:
        canary = scorers[-1]
        frame = frames(batch)
        served = np.empty(batch.num_rows, dtype=object)
        for scorer_, rows in ((champion, ~routed), (canary, routed)):
            if rows.any():
                served[rows] = scorer_.predict(partial(_rows, frame[rows]), index[rows],
                                               slices)
        columns["prediction"] = pa.array(served.tolist())
        columns["version"] = pa.array(np.where(routed, canary.label, champion.label))
    for shadow in scorers[1:len(scorers) - (routed is not None)]:
        shadow.predict(whole, index, slices)
    return pa.table(columns)


def _rows(frame: Any, start: int, stop: int) -> Any:
    return frame.iloc[start:stop]


def _record(t: Any, batch_id: str, scorers: list[Scorer], hashed: tuple[Any, str | None],
            output: Output, given: dict[str, Any], rows: int, chunks: int, notes: list[str],
            seconds: float) -> ScoreResult:
    """The batch as one event: lineage reaches the input file (by its bytes' fingerprint,
    ``hashed`` with it), every version that took part, and the output."""
    source, fingerprint = hashed
    schema = {k: str(v) for k, v in given.items()}
    data = [{"fingerprint": found, "kind": "file", "shape": [rows, width],
             "schema": schema if role == "input" else None, "nbytes": os.path.getsize(path),
             "name": os.path.basename(path), "role": role}
            for role, path, found, width in (
                ("input", source.path, fingerprint, len(given)),
                ("output", str(output.path), file_fingerprint(output.path), None))]
    data[1]["shape"] = [rows]
    versions = [{"name": s.version.name, "version": s.version.version, "role": s.role,
                 "rows": s.rows, "predictions": s.file} for s in scorers]
    champion = scorers[0].version
    record_now(t.store, ev.Event(ev.SCORE, {
        "run_id": t.ensure_run(), "batch_id": batch_id, "name": champion.name,
        "version": champion.version, "input": os.path.abspath(source.path),
        "output": os.path.abspath(output.path), "data": data, "versions": versions,
        "rows": rows, "chunks": chunks, "duration_s": seconds, "warnings": notes}),
        apply=False)  # the next read applies it: one ingest per score, the first read's
    return ScoreResult(batch_id, f"{champion.name}:{champion.version}", rows, chunks,
                       str(output.path), seconds, versions, notes)
