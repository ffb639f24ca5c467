"""The capture corpus (issue 13): real public notebooks, each recorded interactively and run
as a job, against hand-checked expectations (format: ``README.md``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from jupyter_mlops.store import Store, queries
from tests.corpus import corpus

pytestmark = pytest.mark.corpus

CASES = corpus.cases()
IDS = [case.slug for case in CASES]
PINNED = re.compile(r"^https://github\.com/[^/]+/[^/]+/blob/[0-9a-f]{40}/\S+$")
LICENCES = {"BSD-3-Clause", "MIT", "Apache-2.0", "CC0-1.0", "CC-BY-4.0"}
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def test_the_corpus_is_there() -> None:
    assert len(CASES) >= 13, [case.slug for case in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_expectations_are_well_formed(case: corpus.Case) -> None:
    """An expect file that does not match its notebook would test nothing: each entry
    names the cell it is for, and every index points at a code cell."""
    e = case.expect
    assert PINNED.match(e.get("source", "")), f"{case.slug}: source must be pinned to a commit"
    assert e.get("licence") in LICENCES, f"{case.slug}: licence {e.get('licence')!r}"
    assert e.get("about") and e.get("checked") == "by hand", case.slug
    assert len(e["cells"]) == len(case.sources), (
        f"{case.slug}: {len(e['cells'])} entries for {len(case.sources)} code cells")
    for index, cell in enumerate(e["cells"]):
        assert cell["first"] == case.first(index), (
            f"{case.where(index)}: entry {index} says first line {cell['first']!r}")
        for what in ("reads", "writes"):
            bad = [n for n in cell[what] if not NAME.match(n) or n.startswith("_")]
            assert not bad, f"{case.where(index)}: {what} {bad} are not user names"
    count = len(case.sources)
    for target, kept in (e.get("slices") or {}).items():
        assert 0 <= target < count and kept == sorted(set(kept)) and kept[-1] == target, (
            f"{case.slug}: slice {target}: {kept} must be ordered indices ending at {target}")
    for fit in e.get("fits") or []:
        assert 0 <= fit["cell"] < count and fit["estimator"] and fit["method"], (
            f"{case.slug}: fit {fit}")
    assert all(0 <= n < count for n in e.get("random_outputs") or []), case.slug


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_notebook(case: corpus.Case, tmp_path: Path) -> None:
    """Interactively, capture records each cell's reads and writes, each target's slice and
    the user's fits as a person reads them; as a job its outputs are those of plain
    papermill, and nothing capture says ever reaches a cell's output. (The job and the
    plain run go on while the interactive session runs: the corpus stays a few minutes.)"""
    job_root, session_root = tmp_path / "job-store", tmp_path / "store"
    job, job_out = corpus.start_job(case, job_root, tmp_path)
    plain, plain_out = corpus.start_plain(case, tmp_path)
    work = tmp_path / "session"
    work.mkdir()
    recorded = corpus.record(case, session_root, work)
    corpus.finish(job, "jupyter mlops run")
    corpus.finish(plain, "papermill")

    problems = list(recorded.printed)
    if recorded.failed:
        problems.append(recorded.failed)
    else:
        problems += [str(d) for d in corpus.compare(case, recorded) if not d.same]

    ran, baseline = (json.loads(p.read_text()) for p in (job_out, plain_out))
    problems += [f"{case.slug} as a job, {line}" for line in corpus.printed_by_capture(ran)]
    random_cells = set(case.expect.get("random_outputs") or [])
    for index, (got, want) in enumerate(zip(corpus.outputs(ran, random_cells),
                                            corpus.outputs(baseline, random_cells), strict=True)):
        if got != want:
            problems.append(f"{case.where(index)}: job output differs from plain papermill:"
                            f"\n  job:   {str(got)[:400]}\n  plain: {str(want)[:400]}")
    store = Store.open(job_root)
    job_cells = queries.cells(store, queries.runs(store, kind="job")["run_id"].iloc[0])
    if sorted(job_cells["status"]) != ["ok"] * case.executed:
        problems.append(f"{case.slug} as a job: recorded {len(job_cells)} cells "
                        f"({sorted(set(job_cells['status']))}) for {case.executed}")
    assert not problems, "\n".join(problems)
