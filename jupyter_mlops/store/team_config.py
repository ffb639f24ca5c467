"""Where a store's team store is (docs/team.md): ``$JUPYTER_MLOPS_TEAM_URL``, else ``url`` in
``<store>/team.toml``. Apart from :mod:`.team` so that what only asks "is this store in a
team?" (ingest announcing a death) does not depend on the shipping and pulling machinery,
which itself runs ingest.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ..exceptions import StoreError
from . import Store, replace_file

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: The team store's URL, when set in the environment (it wins over ``team.toml``).
URL_ENV = "JUPYTER_MLOPS_TEAM_URL"


def config_path(store: Store) -> Path:
    return store.root / "team.toml"


def team_url(store: Store) -> str | None:
    """The team store's URL, or None when this store is on its own."""
    env = os.environ.get(URL_ENV)
    if env:
        return check_url(env, stored=False)
    try:
        text = config_path(store).read_text()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise StoreError(f"cannot read {config_path(store)}: {e.strerror}") from None
    try:
        url = tomllib.loads(text).get("url")
    except tomllib.TOMLDecodeError as e:
        raise StoreError(f"{config_path(store)} is not TOML ({e}): fix it or run "
                         f"`jupyter mlops team init URL` again") from None
    return check_url(url, stored=True) if url else None


def check_url(url: object, *, stored: bool) -> str:
    """A ``postgresql://`` URL; one that would keep a password in the store is refused."""
    if not isinstance(url, str) or urlsplit(url).scheme not in ("postgresql", "postgres"):
        raise StoreError(f"the team store URL must start with postgresql:// (got "
                         f"{redact(str(url))!r})")
    if stored and (urlsplit(url).password is not None or "password=" in urlsplit(url).query):
        raise StoreError("the team store URL must not hold a password (it would be written "
                         "into the store): put it in PGPASSWORD or ~/.pgpass instead")
    return url


def save_url(store: Store, url: str) -> None:
    """Write ``team.toml`` (no password ever: :func:`check_url` refuses one)."""
    check_url(url, stored=True)
    store.root.mkdir(parents=True, exist_ok=True)
    escaped = url.replace("\\", "\\\\").replace('"', '\\"')
    replace_file(config_path(store), f'url = "{escaped}"\n')


def redact(url: str) -> str:
    """The URL as it may be shown: the password replaced."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")
    user = netloc[0].partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[2]}"))

