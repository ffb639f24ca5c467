"""One job in its own process: ``python -m jupyter_mlops.jobs.child SPEC``.

The runner starts this process per job so that papermill's ``cwd`` and the kernel belong
to this job alone, and so that a timeout or a cancel can kill the whole tree. This process
owns the job's run: it records the start, the parameters and the end, while the kernel,
started with the capture extension, records the cells under the same run id.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import logging
import socket
import sys
from pathlib import Path
from typing import Any

from jupyter_client.session import Session
from traitlets import Dict

from .. import blobs
from .. import events as ev
from ..exceptions import JobError
from ..store import Store
from ..tracking import tracker
from .params import check_against
from .spec import JobResult, JobSpec

EXIT_OK, EXIT_FAILED, EXIT_REFUSED = 0, 1, 2


class _CellIdSession(Session):
    """Sends the executing cell's nbformat id with its execute_request, as JupyterLab does
    and nbclient does not, so the kernel records job cells by their notebook ids."""

    #: A trait, so that the clone each kernel client gets shares this very dict.
    executing = Dict()

    def on_cell_execute(self, cell: Any, cell_index: int) -> None:
        self.executing["id"] = cell.get("id")

    def msg(self, msg_type: str, content: Any = None, parent: Any = None, header: Any = None,
            metadata: Any = None) -> dict[str, Any]:
        if msg_type == "execute_request" and self.executing.get("id"):
            metadata = {**(metadata or {}), "cellId": self.executing["id"]}
        return super().msg(msg_type, content, parent, header, metadata)


def _kernel(spec: JobSpec, nb: Any) -> str:
    """The kernel to run: ``--kernel``, else the notebook's; JobError naming the installed
    ones when it is not installed here (a notebook from elsewhere: python2, a conda env)."""
    from jupyter_client.kernelspec import KernelSpecManager

    name = spec.kernel_name or nb.metadata.get("kernelspec", {}).get("name") or "python3"
    installed = sorted(KernelSpecManager().find_kernel_specs())
    if name.lower() not in installed:
        source = "asked for" if spec.kernel_name else "named by the notebook's kernelspec"
        raise JobError(f"the kernel {name!r} {source} is not installed here (installed: "
                       f"{', '.join(installed) or 'none'}); choose one with --kernel NAME "
                       f"(-k NAME), or kernel_name= in Python")
    return name


def stable_ids(nb: Any, name: str) -> None:
    """Give every cell an id derived from the notebook's file name, the cell's position and
    its source, for a notebook saved without ids (nbformat < 4.5, most notebooks on the
    web): nbformat's upgrade gives random ones, so each run would see new cells."""
    for index, cell in enumerate(nb.cells):
        key = f"{name}\n{index}\n{cell.source}".encode()
        cell.id = hashlib.sha256(key).hexdigest()[:16]


def _load(spec: JobSpec) -> tuple[dict[str, Any], str, str]:
    """The parameters the notebook's ``parameters`` cell declares, the kernel to run it with
    and the file to execute (a copy with stable cell ids when the notebook has none);
    JobError if the file is not a notebook, a parameter is not one of them, or the kernel is
    not installed."""
    import nbformat
    import papermill

    path = Path(spec.source)
    try:
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        without_ids = (nb.nbformat, nb.get("nbformat_minor", 0)) < (4, 5)
        nb = nbformat.v4.upgrade(nbformat.convert(nb, 4))  # to 4.5, as papermill does
    except FileNotFoundError:
        raise JobError(f"no notebook at {path}") from None
    except Exception as e:  # nbformat raises many types for a file that is not a notebook
        raise JobError(f"{path} is not a Jupyter notebook ({type(e).__name__}: "
                       f"{str(e).splitlines()[0] if str(e) else 'unreadable'})") from None
    declared = papermill.inspect_notebook(str(path))
    check_against(str(path), declared, spec.params)
    kernel = _kernel(spec, nb)
    if not without_ids:
        return declared, kernel, str(path)
    stable_ids(nb, Path(spec.notebook).name)
    copy = spec.folder / "with-ids.ipynb"
    nbformat.write(nb, copy)
    return declared, kernel, str(copy)


def _effective_params(declared: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """The notebook's literal defaults overridden by the given values: what the run used."""
    params = {}
    for name, info in declared.items():
        with contextlib.suppress(ValueError, SyntaxError):  # code is not a recordable value
            params[name] = ast.literal_eval(info.get("default") or "")
    return {**params, **given}


def _outcome(spec: JobSpec, nb: Any, error: BaseException | None,
             replies: dict[int, dict[str, Any]]) -> JobResult:
    """How the job ended, from the exception papermill raised and, when it raised nothing,
    from the cells: ``sys.exit(0)`` stops a notebook with no exception at all.

    ``replies`` are the kernel's error replies by cell index: a cell failing in a magic
    (a ``UsageError``) shows no error output, so papermill names it only
    "CellExecutionError"; the kernel's reply says what it was."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    result = JobResult(spec.run_id, "succeeded", output=spec.output)
    if isinstance(error, PapermillExecutionError):
        reply = replies.get(error.cell_index, {}) if not error.traceback else {}
        result.status, result.failed_cell = "failed", error.cell_index
        result.error_type = reply.get("ename") or error.ename
        result.error_message = reply.get("evalue") or error.evalue
        result.traceback = "\n".join(reply.get("traceback") or error.traceback)
        result.reason = (f"cell {error.cell_index} raised {result.error_type}: "
                         f"{result.error_message}")
    elif isinstance(error, CellTimeoutError):
        result.status, result.reason = "timed_out", f"a cell timed out: {error}"
    elif isinstance(error, DeadKernelError):
        result.status, result.reason = "kernel_died", f"the kernel died: {error}"
    elif error is not None:
        result.status, result.error_type = "failed", type(error).__name__
        result.reason = result.error_message = str(error) or type(error).__name__
    else:
        for index, cell in enumerate(nb.cells):
            state = cell.metadata.get("papermill", {}).get("status")
            if cell.cell_type == "code" and state in ("failed", "pending"):
                errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
                result.status, result.failed_cell = "failed", index
                if errors:
                    result.error_type = errors[0].get("ename")
                    result.error_message = errors[0].get("evalue")
                why = f" ({result.error_type}: {result.error_message})" if errors else ""
                result.reason = f"the notebook stopped at cell {index}{why}, skipping the rest"
                break
    return result


def run(spec: JobSpec) -> JobResult:
    """Execute the job; record its run, parameters and end. Never raises for a bad job."""
    import papermill

    try:
        declared, kernel, executed = _load(spec)
    except JobError as e:
        return JobResult(spec.run_id, "refused", reason=str(e))
    store = Store.open(spec.store)
    t = tracker()
    t.start_run(spec.experiment or Path(spec.notebook).stem, kind="job", run_id=spec.run_id,
                notebook=spec.notebook, source=spec.source if spec.cwd else None)
    source = Path(spec.source).read_bytes()
    t.emit(ev.JOB_STARTED, {
        "run_id": spec.run_id, "notebook": spec.notebook, "params": spec.params,
        "notebook_sha": blobs.put(store, source), "schedule": spec.schedule,
        "trigger": spec.trigger, "request": spec.request, "reproduces": spec.reproduces,
        "parent_run": spec.parent_run, "executor": spec.executor, "timeout_s": spec.timeout_s,
        "scheduled_for": spec.scheduled_for, "host": socket.gethostname(),
        "pid": spec.runner_pid, "pid_started": spec.runner_started, "output": spec.output})
    t.log_params(_effective_params(declared, spec.params))
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.utils import run_sync

    session = _CellIdSession()
    km = AsyncKernelManager(kernel_name=kernel, session=session)
    error: BaseException | None = None
    replies: dict[int, dict[str, Any]] = {}
    Path(spec.output).parent.mkdir(parents=True, exist_ok=True)
    try:
        nb = papermill.execute_notebook(
            executed, spec.output, parameters=spec.params, kernel_name=kernel,
            progress_bar=spec.progress, cwd=spec.cwd or str(Path(spec.notebook).parent),
            km=km, start_timeout=KERNEL_START_TIMEOUT_S,
            on_cell_execute=session.on_cell_execute, extra_arguments=["--ext=jupyter_mlops"],
            on_cell_error=lambda cell, cell_index, execute_reply: replies.setdefault(
                cell_index, execute_reply["content"]))
    except Exception as e:
        error = e
    finally:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    if error is not None:
        import nbformat

        try:
            nb = nbformat.read(spec.output, as_version=4)
        except Exception:
            nb = None
    result = _outcome(spec, nb, error, replies)
    end = {"run_id": spec.run_id, "status": result.status, "reason": result.reason,
           "failed_cell": result.failed_cell, "error_type": result.error_type,
           "error_message": result.error_message, "traceback": result.traceback,
           "output": spec.output, "output_sha": None}
    if Path(spec.output).exists():  # the executed notebook, kept even if the file is moved
        end["output_sha"] = blobs.put(store, Path(spec.output).read_bytes())
    t.emit(ev.JOB_ENDED, end)
    t.wait_environment()
    t.end_run(result.status)
    return result


#: How long a job waits for its kernel's first reply. papermill's 60 s default fails jobs on a
#: busy server (several kernels starting at once on few cores); a kernel that truly cannot
#: start still fails, with papermill's own message, after this.
KERNEL_START_TIMEOUT_S = 180

#: Imported by jsonschema (under nbformat, under papermill) only to check "iri" formats,
#: which no notebook schema uses; where it is installed (JupyterLab brings it) it builds a
#: grammar at import, ~1.5 s of CPU per job. Its absence is a case jsonschema handles.
_UNUSED = ("rfc3987_syntax",)


def main(argv: list[str] | None = None) -> int:
    for name in _UNUSED:  # this process is the job's own: skipping them changes nothing else
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    spec = JobSpec.load((argv or sys.argv[1:])[0])
    logging.getLogger("papermill").setLevel(logging.INFO if spec.progress else logging.WARNING)
    result = run(spec)
    result.save(spec.folder)
    return {"succeeded": EXIT_OK, "refused": EXIT_REFUSED}.get(result.status, EXIT_FAILED)


if __name__ == "__main__":
    sys.exit(main())
