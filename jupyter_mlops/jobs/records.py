"""Reading job records safely: what a record names is not trusted.

A job record is an event anyone who can write to the store folder can forge, so the
executed notebook it names is served only from inside the store: its file when that lies
in the store's ``jobs/`` folder (resolved, so no symlink leads out), else the copy kept as
a content-addressed artifact.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .. import artifacts
from ..store import NotFound, Store, StoreError

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def jobs_folder(store: Store) -> Path | None:
    """The store's ``jobs/`` folder, resolved; None when it is a symlink (it may lead out)."""
    folder = store.root.resolve() / "jobs"
    return None if folder.is_symlink() else folder


def executed_notebook(store: Store, job: dict[str, Any]) -> bytes:
    """The bytes of ``job``'s executed notebook, read only from inside the store;
    NotFound when there are none there."""
    recorded, sha = job.get("output"), job.get("output_sha")
    folder = jobs_folder(store)
    if isinstance(recorded, str) and folder is not None:
        path = Path(recorded).resolve()
        if path.is_relative_to(folder) and path.is_file():
            return path.read_bytes()
    if isinstance(sha, str) and _SHA256.match(sha):
        try:
            return artifacts.get(store, sha)
        except StoreError:
            pass
    raise NotFound(f"job {job['run_id'][:12]} ({job['status']}) left no executed notebook "
                   f"in the store. GET jobs lists the jobs that did.")
