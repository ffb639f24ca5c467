"""The jupyter_server extension: ``MLOpsApp``, enabled by the wheel's jupyter-config file."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
from typing import Any

from jupyter_server.extension.application import ExtensionApp
from traitlets import Float, Int, Unicode

from ..config import HOME_ENV
from ..store import Store
from .handlers import routes
from .service import Service


class MLOpsApp(ExtensionApp):
    """Serves the store's runs, cells, models, lineage and drift under
    ``{base_url}/jupyter-mlops/api/``, and ingests kernels' spool in the background."""

    name = "jupyter_mlops"
    load_other_extensions = True

    store = Unicode("", config=True,
                    help="The store folder (default: $JUPYTER_MLOPS_HOME, else "
                         "<jupyter data dir>/mlops). Kernels this server starts record there.")
    ingest_interval = Float(1.0, config=True,
                            help="Seconds between checks for new spool to ingest (0: never).")
    workers = Int(4, config=True, help="Threads that run store queries off the event loop.")

    def initialize_settings(self) -> None:
        store = Store.open(self.store or None, ingest_on_read=self.ingest_interval <= 0)
        # What this process records (promotions) and the kernels it starts go to the store
        # it serves, as with the CLI's --store.
        os.environ[HOME_ENV] = str(store.root)
        self.service = Service(store, workers=self.workers)
        self.service.root_dir = Path(self.serverapp.root_dir).resolve()
        self.settings["jupyter_mlops"] = self.service
        self.log.info("jupyter-mlops: serving the store at %s", store.root)

    def initialize_handlers(self) -> None:
        self.handlers.extend(routes(self.service))

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        self._ingesting = None
        if self.ingest_interval > 0:
            self._ingesting = asyncio.ensure_future(
                self.service.ingest_forever(self.ingest_interval))

    async def stop_extension(self) -> None:
        task = getattr(self, "_ingesting", None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.service.executor.shutdown(wait=False, cancel_futures=True)
        if self.service.jobs is not None:  # jobs started here end with the server
            self.service.jobs.shutdown(wait=False)
