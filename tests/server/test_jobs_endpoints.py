"""Jobs and schedules over the REST API: list, pause/resume, run now (no daemon: the server
starts the job itself)."""

import asyncio
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jupyter_mlops as mlops
from jupyter_mlops import events as ev
from jupyter_mlops.jobs import schedules
from jupyter_mlops.store.ingest import ingest
from jupyter_mlops.store.spool import SpoolWriter
from tests.jobs.conftest import write_notebook


async def test_jobs_and_schedules(api, store, tmp_path, jp_serverapp):
    await jp_serverapp.extension_manager.start_all_extensions()  # the background ingest
    nb = write_notebook(tmp_path / "score.ipynb", "y = alpha * n")
    done = await asyncio.to_thread(mlops.jobs.run, str(nb), {"alpha": 2})
    assert done.ok, done
    await asyncio.to_thread(schedules.add, str(nb), "0 6 * * *", name="daily",
                            params={"n": 4})
    code, body = await api("jobs")
    assert code == 200 and [j["run_id"] for j in body["jobs"]] == [done.run_id]
    job = body["jobs"][0]
    assert job["status"] == "succeeded" and job["params"] == {"alpha": 2}
    assert job["output"].endswith("score.ipynb") and job["trigger"] == "api"
    code, body = await api("schedules")
    (daily,) = body["schedules"]
    assert daily["name"] == "daily" and daily["cron"] == "0 6 * * *" and not daily["paused"]
    assert daily["params"] == {"n": 4}
    next_run = datetime.fromisoformat(daily["next_run"])  # ISO 8601 with its UTC offset
    assert next_run.utcoffset() == timedelta(0) and next_run > datetime.now(timezone.utc)
    assert next_run.minute == 0
    code, body = await api("jobs", status="won")
    assert code == 400 and "status must be one of running, succeeded, failed" in body["detail"]

    code, body = await api("schedules", "daily", "pause", method="POST", body=None)
    assert code == 200 and body["paused"] is True
    code, body = await api("schedules")
    assert body["schedules"][0]["paused"] is True and body["schedules"][0]["next_run"] is None
    code, body = await api("schedules", "daily", "resume", method="POST", body=None)
    assert code == 200 and body["paused"] is False

    code, body = await api("schedules", "daily", "run", method="POST",
                           body={"params": {"alpha": 3}})
    assert code == 200 and body["request"] is None and body["run_id"]
    started = body["run_id"]
    for _ in range(120):
        code, body = await api("jobs", schedule="daily")
        if body["jobs"] and body["jobs"][0]["status"] != "running":
            break
        await asyncio.sleep(0.5)
    job = body["jobs"][0]
    assert job["run_id"] == started and job["status"] == "succeeded"
    assert job["trigger"] == "run_now" and job["params"] == {"n": 4, "alpha": 3}

    code, body = await api("schedules", "nope", "run", method="POST", body=None)
    assert code == 404 and "no schedule named 'nope'" in body["detail"]
    code, body = await api("schedules", "daily", "run", method="POST",
                           body={"params": {"x=print(1);y": 1}})
    assert code == 400 and "not a Python identifier" in body["detail"]
    code, body = await api("jobs", status="failed")
    assert (code, body["jobs"]) == (200, [])


async def test_job_output_notebook(api, store, tmp_path, jp_root_dir, jp_serverapp):
    """The sidebar opens a job's executed notebook: by its path when under the server's
    root (not hidden), else from the notebook sent."""
    await jp_serverapp.extension_manager.start_all_extensions()  # the background ingest
    nb = write_notebook(tmp_path / "score.ipynb", "y = alpha * n")
    outside = await asyncio.to_thread(mlops.jobs.run, str(nb), {"alpha": 2})
    inside = await asyncio.to_thread(mlops.jobs.run, str(nb), {"alpha": 5},
                                     output=str(jp_root_dir / "out" / "scored.ipynb"))
    hidden = await asyncio.to_thread(mlops.jobs.run, str(nb), {"alpha": 7},
                                     output=str(jp_root_dir / ".cache" / "scored.ipynb"))
    for _ in range(100):  # the sidebar offers a job's output once the server has seen it end
        code, body = await api("jobs")
        if all(j["status"] == "succeeded" for j in body["jobs"]) and len(body["jobs"]) == 3:
            break
        await asyncio.sleep(0.1)
    code, body = await api("jobs", outside.run_id, "output")
    assert code == 200 and body["path"] is None and body["name"] == "score.ipynb"
    assert any("alpha = 2" in "".join(c["source"]) for c in body["notebook"]["cells"])
    code, body = await api("jobs", inside.run_id, "output")
    assert (code, body["path"], body["name"]) == (200, "out/scored.ipynb", "scored.ipynb")
    code, body = await api("jobs", hidden.run_id, "output")
    assert (code, body.get("path")) == (200, None), body
    (jp_root_dir / "out" / "scored.ipynb").unlink()  # the copy kept in the store is sent
    code, body = await api("jobs", inside.run_id, "output")
    assert (code, body["path"], body["name"]) == (200, None, "scored.ipynb")
    assert any("alpha = 5" in "".join(c["source"]) for c in body["notebook"]["cells"])


async def test_job_output_is_served_only_from_inside_the_store(api, store, tmp_path,
                                                               jp_serverapp):
    """A forged job record naming the server's runtime file (it holds the token), a file
    of the store outside its jobs folder, or a symlink in the jobs folder leading out: 404."""
    await jp_serverapp.extension_manager.start_all_extensions()  # the background ingest
    runtime = Path(jp_serverapp.info_file)
    assert runtime.is_file() and "token" in runtime.read_text()
    outside = tmp_path / "secret.ipynb"
    outside.write_text(json.dumps({"cells": [], "secret": True}))
    link = store.root / "jobs" / "forged" / "out.ipynb"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    inside = store.root / "jobs" / "forged" / "real.ipynb"
    inside.write_text(json.dumps({"cells": [], "nbformat": 4}))
    targets = [runtime, store.root / "state.json", store.root / "jobs" / ".." / "state.json",
               link, outside, inside]
    ids = [ev.new_id() for _ in targets]
    writer = SpoolWriter(store)
    for run_id, target in zip(ids, targets, strict=True):
        writer.write([ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": "x",
                                                "kind": "job"}),
                      ev.Event(ev.JOB_STARTED, {"run_id": run_id, "output": str(target),
                                                "output_sha": "../../../etc/passwd"})])
    writer.close()
    await asyncio.to_thread(ingest, store)
    for run_id in ids[:-1]:
        code, body = await api("jobs", run_id, "output")
        assert code == 404 and "left no executed notebook in the store" in body["detail"]
    code, body = await api("jobs", ids[-1], "output")
    assert code == 200 and body["notebook"] == {"cells": [], "nbformat": 4}


async def test_jobs_listing_tolerates_records_missing_fields(api, store, jp_serverapp):
    await jp_serverapp.extension_manager.start_all_extensions()  # the background ingest
    writer = SpoolWriter(store)
    ids = [ev.new_id(), ev.new_id()]
    writer.write([ev.Event(ev.JOB_STARTED, {"run_id": ids[0], "params": None}),
                  ev.Event(ev.JOB_STARTED, {"run_id": ids[1]})])
    writer.close()
    await asyncio.to_thread(ingest, store)
    code, body = await api("jobs")
    assert code == 200
    assert {j["run_id"]: j["params"] for j in body["jobs"]} == {ids[0]: None, ids[1]: None}
