"""What a job is asked to do, and how it ended: the contract between runner and child."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class JobSpec:
    """A job as the runner executes it: the notebook, its run and params, where it writes."""

    notebook: str  # absolute path of the notebook (its folder is the kernel's cwd)
    run_id: str
    store: str
    output: str  # where the executed notebook is written
    params: dict[str, Any] = field(default_factory=dict)
    experiment: str | None = None
    timeout_s: float | None = None  # the whole job's wall time
    kernel_name: str | None = None
    schedule: str | None = None
    trigger: str = "cli"  # cli, api, schedule, run_now, request, reproduce, trigger
    request: str | None = None  # the job_requested event this job answers
    reproduces: str | None = None
    parent_run: str | None = None
    scheduled_for: float | None = None
    executor: str = "local"
    progress: bool = False  # papermill's progress bar (on a terminal)
    runner_pid: int | None = None
    runner_started: int | None = None  # start ticks: with the pid, names the runner
    content: str | None = None  # execute this file instead (reproduce: the recorded content)
    cwd: str | None = None  # the kernel's folder, when not the notebook's (a Dask worker's)

    @property
    def source(self) -> str:
        """The file papermill executes."""
        return self.content or self.notebook

    @property
    def folder(self) -> Path:
        """This job's own folder under the store: spec, result, log."""
        return Path(self.store) / "jobs" / self.run_id

    def save(self) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / "spec.json"
        path.write_text(json.dumps(dataclasses.asdict(self)))
        return path

    @classmethod
    def load(cls, path: str | Path) -> JobSpec:
        return cls(**json.loads(Path(path).read_text()))


@dataclass
class JobResult:
    """How a job ended: its run, status and reason, output notebook, and the failing cell."""

    run_id: str
    status: str
    reason: str | None = None
    output: str | None = None
    failed_cell: int | None = None
    error_type: str | None = None
    error_message: str | None = None
    traceback: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"

    def __str__(self) -> str:
        text = f"job {self.run_id[:12]} {self.status}"
        if self.reason:
            text += f": {self.reason}"
        return text + (f"\n  output: {self.output}" if self.output else "")

    def save(self, folder: Path) -> None:
        tmp = folder / "result.json.tmp"
        tmp.write_text(json.dumps(dataclasses.asdict(self)))
        tmp.replace(folder / "result.json")

    @classmethod
    def load(cls, folder: Path) -> JobResult | None:
        try:
            return cls(**json.loads((folder / "result.json").read_text()))
        except (OSError, ValueError):
            return None
