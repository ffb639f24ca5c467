"""Environment and git snapshots: what a run needs to be reproduced.

Collected off the kernel's main thread (listing distributions and calling git take tens of
milliseconds); distributions are read once per process.
"""

from __future__ import annotations

import functools
import hashlib
import json
import platform
import socket
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any


@functools.lru_cache(maxsize=1)
def packages() -> dict[str, str]:
    """Installed distributions, name -> version, normalised names, sorted."""
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found[name.lower().replace("_", "-")] = dist.version
    return dict(sorted(found.items()))


def snapshot() -> dict[str, Any]:
    """Python, platform, host, kernel and packages of this process."""
    return {
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "platform": platform.platform(),
        "hostname": socket.gethostname(),
        "kernel": sys.executable,
        "packages": packages(),
    }


def environment_id(env: dict[str, Any]) -> str:
    """A stable id for what makes an environment reproducible (not the host it ran on)."""
    key = {k: env[k] for k in ("python", "implementation", "platform", "packages")}
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]


def git_state(folder: str | Path) -> tuple[str | None, bool | None]:
    """(commit, dirty) of the git work tree containing ``folder``; (None, None) outside git."""
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                                  text=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return None, None
    status = git("status", "--porcelain", "--untracked-files=no")
    return commit, (bool(status) if status is not None else None)


def file_hash(path: str | Path) -> str | None:
    """sha256 of a file's bytes, or None if it cannot be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None
