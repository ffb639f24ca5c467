"""Real receivers on loopback for the alerts tests and bench: an HTTP server that records
what it is sent (answering as told: 200, 500 a few times first, or never in time), and an
SMTP server (aiosmtpd) keeping the mails; and the scheduler daemon that delivers to them."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from jupyter_mlops.alerts import config
from jupyter_mlops.store import Store


class Hook:
    """The recording webhook: ``requests`` (headers, body, arrival time), ``fail_first``
    requests answered 500, each answer delayed ``delay_s``."""

    def __init__(self, fail_first: int = 0, delay_s: float = 0.0, port: int = 0) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail_first, self.delay_s = fail_first, delay_s
        self.answered = 0
        self.lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(hook.delay_s)
                with hook.lock:
                    hook.answered += 1
                    failing = hook.answered <= hook.fail_first
                    if not failing:
                        headers = {k.lower(): v for k, v in self.headers.items()}
                        hook.requests.append({"headers": headers, "at": time.time(),
                                              "body": json.loads(data), "path": self.path})
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def keys(self) -> list[str]:
        with self.lock:
            return [r["headers"]["x-mlops-dedup-key"] for r in self.requests]

    def wait(self, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.requests)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def hook(**options: Any) -> Iterator[Hook]:
    h = Hook(**options)
    try:
        yield h
    finally:
        h.close()


@contextmanager
def smtp(**options: Any) -> Iterator[Any]:
    """An aiosmtpd server on loopback; yields its handler (``handler.mails``) and port."""
    from aiosmtpd.controller import Controller

    class Keeper:
        def __init__(self) -> None:
            self.mails: list[Any] = []

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            from email import message_from_bytes

            self.mails.append((envelope, message_from_bytes(envelope.content)))
            return "250 OK"

    keeper = Keeper()
    with socket.socket() as probe:  # aiosmtpd checks it is up by connecting: no port 0
        probe.bind(("127.0.0.1", 0))
        keeper.port = probe.getsockname()[1]  # type: ignore[attr-defined]
    controller = Controller(keeper, hostname="127.0.0.1", port=keeper.port, **options)  # type: ignore[attr-defined]
    controller.start()
    try:
        yield keeper
    finally:
        controller.stop()


def daemon(store: Store, tick_s: float = 0.2) -> subprocess.Popen[bytes]:
    """``jupyter mlops scheduler`` on ``store``: it delivers the alerts."""
    return subprocess.Popen([sys.executable, "-m", "jupyter_mlops.cli", "--store",
                             str(store.root), "scheduler", "--tick", str(tick_s),
                             "--shutdown-grace", "1"], stderr=subprocess.DEVNULL)


def wait_for(predicate: Callable[[], Any], timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := predicate():
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def configure(store: Store, port: int) -> None:
    """A webhook on ``port``, a rule on users' alerts, short leases and back-offs."""
    config.add_channel(store, "ops", {"type": "webhook",
                                      "url": f"http://127.0.0.1:{port}/hook"})
    config.add_rule(store, "mine", {"on": ["user"], "channels": ["ops"]})
    settings = config.load(store)
    settings.settings.update(backoff_s=0.2, max_backoff_s=1.0, lease_s=3.0, timeout_s=2.0)
    config.save(store, settings)
