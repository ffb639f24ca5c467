"""Reproduce a job: run its recorded notebook content with its recorded parameters.

What changed since (the notebook file, the git commit, Python and packages) is announced
as warnings before the run; the data the cells read and the metrics are compared after.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import blobs
from ..capture import environment
from ..store import queries
from ..tracking import tracker
from .runner import execute, prepare
from .spec import JobResult


class ReproducibilityWarning(UserWarning):
    """Something a reproduction cannot hold equal: code, environment or data changed."""


@dataclass
class Reproduction:
    original: str
    result: JobResult
    changes: list[str] = field(default_factory=list)  # before the run
    data: list[str] = field(default_factory=list)  # data read differently
    metrics: pd.DataFrame | None = None  # metric, original, reproduced, difference

    def __str__(self) -> str:
        lines = [f"reproduction of {self.original[:12]}: {self.result}"]
        lines += [f"  changed: {c}" for c in self.changes + self.data]
        if self.metrics is not None and not self.metrics.empty:
            lines.append(self.metrics.to_string(index=False))
        return "\n".join(lines)


def changes(job: dict[str, Any], run: dict[str, Any]) -> list[str]:
    """What differs now from when the job ran, before running anything."""
    found = []
    notebook = Path(job["notebook"])
    if not notebook.exists():
        found.append(f"{notebook} is gone: running the content recorded with the job")
    elif environment.file_hash(notebook) != job["notebook_sha"]:
        found.append(f"{notebook} was edited since: running the content recorded with the job")
    folder = notebook.parent if notebook.parent.exists() else Path.cwd()
    commit, _ = environment.git_state(folder)
    if run.get("git_commit") and commit != run["git_commit"]:
        found.append(f"git commit {run['git_commit'][:10]} then, "
                     f"{commit[:10] if commit else 'no git'} now")
    before = (run.get("environment") or {}).get("packages") or {}
    now = environment.packages()
    moved = [f"{name} {before.get(name, '(none)')} → {now.get(name, '(none)')}"
             for name in sorted(set(before) | set(now)) if before.get(name) != now.get(name)]
    if before and moved:
        found.append(f"{len(moved)} packages differ: {', '.join(moved[:8])}"
                     f"{', …' if len(moved) > 8 else ''}")
    return found


def _reads(run_id: str) -> dict[str, str]:
    frame = queries.cell_data(tracker().store, run_id)
    frame = frame[frame.relation == "reads"]
    return dict(zip(frame.name, frame.fingerprint, strict=True))


def reproduce(run_id: str, *, timeout: str | float | None = None,
              progress: bool = False) -> Reproduction:
    """Run job ``run_id`` again as it was; warns (ReproducibilityWarning) about what
    changed since, and compares data read and metrics afterwards."""
    store = tracker().store
    job = queries.job(store, run_id)
    original = queries.run(store, job["run_id"])
    found = changes(job, original)
    for change in found:
        warnings.warn(change, ReproducibilityWarning, stacklevel=2)
    spec = prepare(job["notebook"], job["params"], timeout=timeout or job["timeout_s"],
                   experiment=original["experiment"], store=store, trigger="reproduce",
                   reproduces=job["run_id"], progress=progress,
                   content=blobs.get(store, job["notebook_sha"]))  # hash verified
    result = execute(spec)
    before_data, after_data = _reads(job["run_id"]), _reads(spec.run_id)
    data = [f"data `{name}` read was {before_data[name][:12]}, now {after_data[name][:12]}"
            for name in sorted(set(before_data) & set(after_data))
            if before_data[name] != after_data[name]]
    then, now = original["metrics"], queries.run(store, spec.run_id)["metrics"]
    metrics = pd.DataFrame(
        [(k, then.get(k), now.get(k)) for k in sorted(set(then) | set(now))],
        columns=["metric", "original", "reproduced"])
    metrics["difference"] = metrics["reproduced"] - metrics["original"]
    return Reproduction(job["run_id"], result, found, data, metrics)
