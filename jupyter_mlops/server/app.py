"""The jupyter_server extension: ``MLOpsApp``, enabled by the wheel's jupyter-config file."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Float, Int, Type, Unicode

from ..alerts import delivery
from ..config import HOME_ENV
from ..store import Store
from .cache import Answers
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
    store_class = Type(default_value=Store, klass=Store, config=True,
                       help="The Store class the server opens its store with (a team store "
                            "subclasses Store).")
    service_class = Type(default_value=Service, klass=Service, config=True,
                         help="The Service class the endpoints call: promotions, schedules, "
                              "lineage walks over the store.")
    ingest_interval = Float(1.0, config=True,
                            help="Seconds between checks for new spool to ingest (0: never).")
    workers = Int(4, config=True, help="Threads that run store queries off the event loop.")
    deliver_alerts = Bool(True, config=True,
                          help="Send the store's alerts from this server (the scheduler daemon "
                               "does too; each message is sent by one of them).")

    def initialize_settings(self) -> None:
        server = self.serverapp
        assert server is not None, "jupyter_server links an extension before its settings"
        store = self.store_class.open(self.store or None,
                                      ingest_on_read=self.ingest_interval <= 0)
        self.service = self.service_class(store, root_dir=Path(server.root_dir).resolve())
        self.answers = Answers(store, workers=self.workers)
        self.settings["jupyter_mlops"] = self.service
        # The kernels this server starts for notebooks record into the store it serves: the
        # environment the session manager gives each kernel names it. This process's own
        # environment is left alone; what the server records names its store explicitly.
        sessions = server.session_manager
        kernel_env = sessions.get_kernel_env

        def with_store(path: str | None, name: Any = None) -> dict[str, str]:
            return {**kernel_env(path, name), HOME_ENV: str(store.root)}

        sessions.get_kernel_env = with_store
        self.log.info("jupyter-mlops: serving the store at %s", store.root)

    def initialize_handlers(self) -> None:
        self.handlers.extend(routes(self.service, self.answers))

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        self._ingesting = None
        self._stop_alerts = delivery.start(self.service.store) if self.deliver_alerts else None
        if self.ingest_interval > 0:
            self._ingesting = asyncio.ensure_future(
                self.service.background.forever(self.ingest_interval, self.answers.run))

    async def stop_extension(self) -> None:
        task = getattr(self, "_ingesting", None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        stop_alerts = getattr(self, "_stop_alerts", None)
        if stop_alerts is not None:  # waits for the messages in flight
            await asyncio.get_running_loop().run_in_executor(None, stop_alerts)
        self.answers.shutdown()
        self.service.shutdown()
