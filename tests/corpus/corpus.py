"""The capture corpus: real public notebooks and what a person says capture must record.

One comparison serves the test (``test_corpus.py``, which fails on any difference) and the
figures (``tests/bench/bench_corpus.py``, which counts them): see ``README.md`` for the format.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from jupyter_mlops import lineage, tracking
from jupyter_mlops.store import Store, queries
from tests.conftest import Kernel

HERE = Path(__file__).resolve().parent
# Text that only capture could have put in a cell's output.
OURS = re.compile(r"jupyter[_-]mlops", re.IGNORECASE)
CELL_TIMEOUT = 300  # seconds; a shared machine under load is slow, and papermill has none


@dataclass
class Case:
    """One notebook of the corpus and its hand-checked expectations."""

    slug: str
    notebook: dict[str, Any]
    expect: dict[str, Any]

    @property
    def sources(self) -> list[str]:
        """The code cells' sources, in order (index = position among code cells)."""
        return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                for c in self.notebook["cells"] if c["cell_type"] == "code"]

    @property
    def executed(self) -> int:
        """How many code cells run: an empty one is never sent to the kernel."""
        return sum(1 for source in self.sources if source.strip())

    @property
    def cell_ids(self) -> list[str]:
        """The code cells' nbformat ids; a notebook older than 4.5 has none, so each cell
        gets one as JupyterLab would give it on opening (stable here, for readable errors)."""
        code = [c for c in self.notebook["cells"] if c["cell_type"] == "code"]
        return [c.get("id") or f"{self.slug}-{n}" for n, c in enumerate(code)]

    def first(self, index: int) -> str:
        """The first non-blank line of a code cell, as the expect file quotes it."""
        return next((line.strip() for line in self.sources[index].splitlines()
                     if line.strip()), "")

    def where(self, index: int | None) -> str:
        """notebook, cell index and first line: where a mismatch is."""
        if index is None:
            return f"{self.slug} (no cell)"
        return f"{self.slug} cell {index} `{self.first(index)}`"


def cases() -> list[Case]:
    """Every ``*.expect.yaml`` in the corpus with its notebook."""
    found = []
    for path in sorted(HERE.glob("*.expect.yaml")):
        slug = path.name.removesuffix(".expect.yaml")
        notebook = json.loads((HERE / f"{slug}.ipynb").read_text())
        found.append(Case(slug, notebook, yaml.safe_load(path.read_text())))
    return found


@dataclass
class Recorded:
    """What capture recorded for one interactive session of a notebook."""

    reads: dict[int, set[str]] = field(default_factory=dict)  # code cell index -> names
    writes: dict[int, set[str]] = field(default_factory=dict)
    slices: dict[int, list[int] | str] = field(default_factory=dict)  # or the error
    fits: list[tuple[int | None, str, str]] = field(default_factory=list)
    failed: str | None = None  # a cell that failed in the kernel: nothing else is compared
    printed: list[str] = field(default_factory=list)  # capture's text found in outputs


@contextlib.contextmanager
def _reading_from(store: Store) -> Iterator[None]:
    """Point this process's tracker at ``store``, for the library calls that read through
    it (``lineage.slice``)."""
    saved, tracking._tracker = tracking._tracker, tracking.Tracker(store)
    try:
        yield
    finally:
        tracking._tracker = saved


def record(case: Case, root: Path, work: Path) -> Recorded:
    """Run the notebook in a real kernel as JupyterLab does (extension loaded first, each
    code cell sent with its cell id) recording into a new store at ``root``; read back
    the run's cells, the slice of each target cell, and its fits."""
    env = {**os.environ, "JUPYTER_MLOPS_HOME": str(root), "MPLBACKEND": "Agg"}
    out = Recorded()
    kernel = Kernel(env, work)
    try:
        kernel.run("%load_ext jupyter_mlops")
        for index, (cell_id, source) in enumerate(zip(case.cell_ids, case.sources, strict=True)):
            if not source.strip():  # JupyterLab (and nbclient) never send an empty cell:
                out.reads[index] = out.writes[index] = set()  # it reads and writes nothing
                continue
            reply = kernel.run(source, cell_id=cell_id, timeout=CELL_TIMEOUT)
            if OURS.search(reply["stdout"]):
                out.printed.append(f"{case.where(index)} printed: {reply['stdout']!r}")
            if reply["status"] != "ok":
                out.failed = (f"{case.where(index)} failed in the kernel: "
                              f"{reply.get('ename')}: {reply.get('evalue')}")
                return out
    finally:
        kernel.shutdown()
    store = Store.open(root)
    run_id = queries.runs(store, kind="interactive")["run_id"].iloc[0]
    cells = queries.cells(store, run_id)
    index_of = {cell_id: n for n, cell_id in enumerate(case.cell_ids)}
    seq_of: dict[int, int] = {}
    for row in cells.itertuples():
        if row.cell_id in index_of:
            n = index_of[row.cell_id]
            seq_of[n] = row.seq
            out.reads[n], out.writes[n] = set(row.reads), set(row.writes)
    by_seq = {seq: n for n, seq in seq_of.items()}
    with _reading_from(store):
        for target in case.expect.get("slices") or {}:
            try:
                kept = lineage.slice(f"{run_id}/{seq_of[target]}")
                out.slices[target] = [by_seq.get(seq, -1) for seq in kept["seq"]]
            except Exception as e:  # the message is the mismatch shown
                out.slices[target] = f"{type(e).__name__}: {e}"
    out.fits = [(by_seq.get(row.seq), row.estimator.rsplit(".", 1)[-1], row.method)
                for row in queries.fits(store, run_id).itertuples()]
    return out


@dataclass
class Diff:
    """One compared item: a cell's reads or writes, a slice, or the fits."""

    where: str
    what: str  # "reads", "writes", "slice", "fits"
    expected: list[Any]
    recorded: list[Any] | str  # a string when recording it failed

    @property
    def hits(self) -> int:
        return 0 if isinstance(self.recorded, str) else len(
            set(map(str, self.expected)) & set(map(str, self.recorded)))

    @property
    def same(self) -> bool:
        if isinstance(self.recorded, str):
            return False
        if self.what in ("reads", "writes"):
            return set(self.expected) == set(self.recorded)
        return list(self.expected) == list(self.recorded)

    def __str__(self) -> str:
        return f"{self.where}: {self.what} expected {self.expected}, recorded {self.recorded}"


def compare(case: Case, rec: Recorded) -> list[Diff]:
    """Every expectation of ``case`` beside what ``rec`` recorded for it."""
    diffs = []
    for index, cell in enumerate(case.expect["cells"]):
        for what, got in (("reads", rec.reads), ("writes", rec.writes)):
            recorded: list[str] | str = (sorted(got[index]) if index in got
                                         else "(cell not recorded)")
            diffs.append(Diff(case.where(index), what, sorted(cell[what]), recorded))
    for target, expected in (case.expect.get("slices") or {}).items():
        diffs.append(Diff(case.where(target), "slice", list(expected),
                          rec.slices.get(target, "(not recorded)")))
    expected_fits = [(f["cell"], f["estimator"], f["method"])
                     for f in case.expect.get("fits") or []]
    diffs.append(Diff(f"{case.slug} fits", "fits", expected_fits, rec.fits))
    return diffs


@dataclass
class Tally:
    """Counts over many diffs of one kind, for precision/recall and exact-match share."""

    items: int = 0
    exact: int = 0
    hits: int = 0
    expected: int = 0
    recorded: int = 0

    def add(self, diff: Diff) -> None:
        self.items += 1
        self.exact += diff.same
        self.hits += diff.hits
        self.expected += len(diff.expected)
        self.recorded += 0 if isinstance(diff.recorded, str) else len(diff.recorded)

    @property
    def precision(self) -> float:
        return self.hits / self.recorded if self.recorded else float(self.expected == 0)

    @property
    def recall(self) -> float:
        return self.hits / self.expected if self.expected else 1.0


def tally(diffs: list[Diff]) -> dict[str, Tally]:
    """Per kind of item ("reads", "writes", "slice", "fits"): the counts."""
    out: dict[str, Tally] = {}
    for diff in diffs:
        out.setdefault(diff.what, Tally()).add(diff)
    return out


# ---- as a job: the same notebook with and without capture, outputs compared -------------

_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
_TIMING = re.compile(r"\b\d+(?:\.\d+)?(?:e-?\d+)?\s?(?:s|ms|µs|μs|us|ns|sec|seconds)\b")


def _text(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else value


def _normal(text: str) -> str:
    """Timings and memory addresses differ between any two runs: nothing else is removed."""
    return _TIMING.sub("<time>", _ADDRESS.sub("0x<address>", text))


def _streams_joined(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Adjacent stream outputs of one name as one: how a stream's text is cut into messages
    depends on timing, not on what was printed."""
    joined: list[dict[str, Any]] = []
    for o in outputs:
        if (o["output_type"] == "stream" and joined and joined[-1]["output_type"] == "stream"
                and joined[-1]["name"] == o["name"]):
            joined[-1] = {**o, "text": _text(joined[-1]["text"]) + _text(o["text"])}
        else:
            joined.append(o)
    return joined


def outputs(notebook: dict[str, Any], random_cells: set[int]) -> list[list[Any]]:
    """Each code cell's outputs, in a form two runs can be compared in; a cell whose
    outputs are random keeps only their kinds."""
    found = []
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    for index, cell in enumerate(code):
        shown: list[Any] = []
        for o in _streams_joined(cell.get("outputs", [])):
            kind = o["output_type"]
            if index in random_cells:
                shown.append((kind, o.get("name") or sorted(o.get("data", {}))))
            elif kind == "stream":
                shown.append((kind, o["name"], _normal(_text(o["text"]))))
            elif kind == "error":
                shown.append((kind, o["ename"], _normal(o["evalue"])))
            else:
                shown.append((kind, {mime: _normal(_text(v)) if isinstance(v, (str, list))
                                     else v for mime, v in o["data"].items()}))
        found.append(shown)
    return found


def printed_by_capture(notebook: dict[str, Any]) -> list[str]:
    """Outputs of an executed notebook containing text only capture could have written."""
    found = []
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    for index, cell in enumerate(code):
        for o in cell.get("outputs", []):
            text = json.dumps(o.get("text") or o.get("data") or o.get("traceback") or "")
            if OURS.search(text):
                found.append(f"cell {index}: {text[:300]}")
    return found


def start_job(case: Case, root: Path, work: Path) -> tuple[subprocess.Popen[str], Path]:
    """``jupyter mlops run`` on a copy of the notebook (its folder is the job's working
    directory), recording into the store at ``root``; started, not awaited."""
    source = work / "job" / f"{case.slug}.ipynb"
    source.parent.mkdir(parents=True)
    shutil.copy(HERE / f"{case.slug}.ipynb", source)
    out = work / "job" / "out.ipynb"
    env = {**os.environ, "JUPYTER_MLOPS_HOME": str(root), "MPLBACKEND": "Agg"}
    cli = Path(sys.executable).parent / "jupyter-mlops"  # what `jupyter mlops` runs
    return subprocess.Popen([str(cli), "run", str(source), "-o", str(out)],
                            env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT), out


# papermill's CLI, without the module the job process skips too (jobs/child.py: ~1.5 s of
# CPU at import, used only for "iri" formats no notebook schema has): the same execution.
_PAPERMILL = ("import sys; sys.modules['rfc3987_syntax'] = None; "
              "from papermill.cli import papermill; sys.exit(papermill())")


def start_plain(case: Case, work: Path) -> tuple[subprocess.Popen[str], Path]:
    """Plain papermill, no extension anywhere: the baseline outputs; started, not awaited."""
    folder = work / "plain"
    folder.mkdir()
    out = folder / "out.ipynb"
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_MLOPS_HOME"}
    return subprocess.Popen(
        [sys.executable, "-c", _PAPERMILL, "--kernel", "python3", "--start-timeout", "180",
         "--cwd", str(folder),
         str(HERE / f"{case.slug}.ipynb"), str(out)],
        env={**env, "MPLBACKEND": "Agg"}, text=True, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT), out


def finish(process: subprocess.Popen[str], what: str) -> None:
    """Wait for a started run; a failure shows its own output."""
    text, _ = process.communicate(timeout=600)
    assert process.returncode == 0, f"{what} exited {process.returncode}:\n{text[-3000:]}"
