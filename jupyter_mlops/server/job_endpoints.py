"""The REST API's jobs and schedules: executions, their notebooks, and schedule controls."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..events import JOB_STATUSES
from ..exceptions import NotFound
from . import schemas as S
from .endpoint import MAX_PAGE, RUN_ID_PARAM, SCHEDULE_PARAM, Endpoint
from .params import NAME, Param
from .values import jsonable, records

if TYPE_CHECKING:
    from .service import Service


def _jobs(service: Service, args: dict[str, Any]) -> Any:
    from ..jobs.records import listing

    return {"jobs": records(listing(service.store, status=args["status"],
                                    schedule=args["schedule"], limit=args["limit"]))}


def _job_output(service: Service, args: dict[str, Any]) -> Any:
    from ..jobs.records import executed_notebook, one

    job = one(service.store, args["run_id"])
    content = executed_notebook(service.store, job)
    try:
        notebook = json.loads(content)
    except ValueError:
        raise NotFound(f"the executed notebook of job {job['run_id'][:12]} is not JSON; "
                       f"run the job again") from None
    output = Path(job["output"]).resolve() if isinstance(job["output"], str) else None
    # Where the file browser can open the recorded file, its path under the server's
    # root; else the sidebar opens the copy sent here.
    path = None
    if service.root_dir and output and output.is_file() and output.is_relative_to(
            service.root_dir):
        relative = output.relative_to(service.root_dir)
        if not any(part.startswith(".") for part in relative.parts):
            path = relative.as_posix()
    name = output.name if output else f"{job['run_id']}.ipynb"
    return {"path": path, "name": name, "notebook": notebook}


def _schedules(service: Service, args: dict[str, Any]) -> Any:
    from ..jobs.schedules import listing

    return {"schedules": records(listing(service.store))}


def _run_schedule(service: Service, args: dict[str, Any]) -> Any:
    return service.run_schedule(args["name"], (args["body"] or {}).get("params", {}))


def _pause(service: Service, args: dict[str, Any]) -> Any:
    return jsonable(service.set_paused(args["name"], True))


def _resume(service: Service, args: dict[str, Any]) -> Any:
    return jsonable(service.set_paused(args["name"], False))


JOB_ENDPOINTS: list[Endpoint] = [
    Endpoint("GET", "/jobs", "Recent job executions, newest first: status, why it ended, "
             "params, and where the executed notebook is.",
             _jobs, S.JOBS,
             params=(Param("status", "only jobs with this status", enum=JOB_STATUSES),
                     Param("schedule", "only jobs of this schedule", pattern=NAME),
                     Param("limit", "how many jobs", type="integer", minimum=1,
                           maximum=MAX_PAGE, default=50))),
    Endpoint("GET", "/jobs/{run_id}/output", "A job's executed notebook (nbformat JSON), "
             "read only from inside the store (its jobs folder, or the copy kept when the "
             "job ended), and its path under the server's root when the file browser can "
             "open it there.",
             _job_output, S.JOB_OUTPUT,
             params=(RUN_ID_PARAM,), errors=(400, 404, 503), cached=False),  # files change
    Endpoint("GET", "/schedules", "Every schedule: its notebook, cron, parameters, misfire "
             "policy, whether paused, its next fire time and its last job.",
             _schedules, S.SCHEDULES),
    Endpoint("POST", "/schedules/{name}/run", "Run a schedule now: queued for the scheduler "
             "daemon when one runs on the store (request id), else started by this server "
             "(run id).", _run_schedule, S.SCHEDULE_RUN, params=(SCHEDULE_PARAM,),
             body={**S.closed([], params=S.MAP), "nullable": True}, errors=(400, 404, 503),
             cached=False),
    Endpoint("POST", "/schedules/{name}/pause", "Stop firing a schedule until resumed.",
             _pause, S.SCHEDULE_STATE, params=(SCHEDULE_PARAM,), errors=(400, 404, 503),
             cached=False),
    Endpoint("POST", "/schedules/{name}/resume", "Fire a schedule again, from now on.",
             _resume, S.SCHEDULE_STATE, params=(SCHEDULE_PARAM,), errors=(400, 404, 503),
             cached=False),
]
