"""Connections to the team store. psycopg is imported here, lazily: a user without the
``team`` extra gets one line saying how to install it, and nothing else imports it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ...exceptions import StoreError, TeamUnavailable
from . import redact

if TYPE_CHECKING:
    import psycopg

#: Seconds to wait for PostgreSQL before calling it unreachable (unless the URL says).
CONNECT_TIMEOUT = 5


def psycopg_module() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StoreError("the team store needs psycopg: pip install 'jupyter-mlops[team]'"
                         ) from None
    return psycopg


def connect(url: str) -> psycopg.Connection[Any]:
    """A connection to the team store. libpq reads the password from ``PGPASSWORD`` or a
    pgpass file and TLS options (``sslmode``, ``sslrootcert``, …) from the URL."""
    psycopg = psycopg_module()
    options: dict[str, Any] = {"application_name": "jupyter-mlops"}
    if "connect_timeout" not in url:
        options["connect_timeout"] = CONNECT_TIMEOUT
    try:
        return psycopg.connect(url, **options)  # type: ignore[no-any-return]
    except psycopg.Error as e:
        raise TeamUnavailable(f"cannot reach the team store {redact(url)}: "
                              f"{_first_line(e)}") from None


@contextlib.contextmanager
def failures(url: str) -> Iterator[None]:
    """PostgreSQL's errors as one line (a :class:`TeamUnavailable`), the password hidden."""
    psycopg = psycopg_module()
    try:
        yield
    except psycopg.Error as e:
        raise TeamUnavailable(f"the team store {redact(url)} failed: {_first_line(e)}"
                              ) from None


def _first_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]
