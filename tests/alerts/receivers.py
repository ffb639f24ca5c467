"""Real receivers on loopback for the alerts tests and bench: an HTTP server that records
what it is sent (answering as told: 200, 500 a few times first, or never in time), and an
SMTP server (aiosmtpd) keeping the mails."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


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
