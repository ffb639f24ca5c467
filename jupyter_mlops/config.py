"""Where the store lives, and the environment variables a job uses to hand context to a kernel."""

from __future__ import annotations

import os
from pathlib import Path

#: The store folder; everything jupyter-mlops writes lives below it.
HOME_ENV = "JUPYTER_MLOPS_HOME"
#: Set by the job runner so the kernel records its cells under the job's run.
RUN_ID_ENV = "JUPYTER_MLOPS_RUN_ID"
EXPERIMENT_ENV = "JUPYTER_MLOPS_EXPERIMENT"
#: Set to "0" to load the extension without recording (e.g. in a shared kernel image).
ENABLED_ENV = "JUPYTER_MLOPS_ENABLED"


def store_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The store folder: explicit, else ``$JUPYTER_MLOPS_HOME``, else the Jupyter data dir."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser().resolve()
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "mlops"


def notebook_path() -> str | None:
    """The notebook this kernel serves, as jupyter_server tells the kernel (if it does)."""
    return os.environ.get("JPY_SESSION_NAME") or None
