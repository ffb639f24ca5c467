"""A shared artifact root: blobs stored once for every machine of a team, through fsspec.

Configured by ``$JUPYTER_MLOPS_ARTIFACTS_URL``, else by the first line of the store's
``artifacts.url`` file: a plain path or ``file:///…`` (a shared directory, NFS), or
``s3://bucket/prefix``, ``gs://…`` for those who have the fsspec backend installed (s3fs,
gcsfs). The layout is the local one, ``<root>/<sha256[:2]>/<sha256>``.

Writes go to the root as well as to the local store (its ``artifacts/`` folder is then the
cache): uploaded under a temporary name and moved into place, never over a digest that is
there already. Reads fetch a blob missing locally into the cache, verifying its sha256
before it is moved in: a corrupt or tampered shared file is refused and never cached.
Garbage collection frees local copies only (see docs/sharing.md): another machine may
reference any blob in the root.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .exceptions import StoreError
from .store import Store

URL_ENV = "JUPYTER_MLOPS_ARTIFACTS_URL"
#: The store's own setting, when the environment names none: one line, the URL.
URL_FILE = "artifacts.url"
_CHUNK = 4 << 20


def configured_url(store: Store) -> str | None:
    """The artifact root's URL for ``store``: the environment's, else the store's file."""
    url = os.environ.get(URL_ENV, "").strip()
    if url:
        return url
    try:
        lines = (store.root / URL_FILE).read_text().splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:
        raise StoreError(f"cannot read {store.root / URL_FILE}: {e.strerror}") from None
    return lines[0].strip() if lines and lines[0].strip() else None


@dataclass(frozen=True)
class SharedRoot:
    """One artifact root: its URL, the fsspec filesystem serving it, and its base path."""

    url: str
    fs: Any
    base: str

    def path_of(self, sha256: str) -> str:
        """Where a blob lives in the root (``sha256`` already checked to be 64 hex digits)."""
        return f"{self.base}/{sha256[:2]}/{sha256}"

    def push(self, sha256: str, local: Path) -> None:
        """Copy the local blob ``local`` into the root unless the digest is there already;
        under a temporary name first, so a reader never sees half a blob."""
        target = self.path_of(sha256)
        try:
            if self.fs.exists(target):
                return
            self.fs.makedirs(target.rpartition("/")[0], exist_ok=True)
            tmp = f"{target.rpartition('/')[0]}/.{sha256}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
            self.fs.put_file(str(local), tmp)
            try:
                self.fs.mv(tmp, target)
            except BaseException:
                self.fs.rm_file(tmp)
                raise
        except OSError as e:
            raise StoreError(f"cannot write artifact {sha256[:12]} to the artifact root "
                             f"{self.url}: {e}. Check that it is reachable and writable, or "
                             f"unset {URL_ENV}.") from None

    def fetch(self, sha256: str, local: Path) -> bool:
        """Bring the blob into the local cache at ``local``, verifying its sha256 on the way;
        False when the root does not have it."""
        target = self.path_of(sha256)
        local.parent.mkdir(parents=True, exist_ok=True)
        tmp = local.with_name(f".{sha256}.{os.getpid()}.{threading.get_ident():x}.fetch")
        digest = hashlib.sha256()
        try:
            with self.fs.open(target, "rb") as src, open(tmp, "wb") as dst:
                while piece := src.read(_CHUNK):
                    digest.update(piece)
                    dst.write(piece)
            if digest.hexdigest() != sha256:
                raise StoreError(f"artifact {sha256[:12]} in the artifact root {self.url} does "
                                 f"not match its sha256 (corrupt or modified there); refusing "
                                 f"it. Remove {target} so that a machine holding a good copy "
                                 f"can store it again.")
            tmp.replace(local)
        except FileNotFoundError:
            return False
        except OSError as e:
            raise StoreError(f"cannot read artifact {sha256[:12]} from the artifact root "
                             f"{self.url}: {e}") from None
        finally:
            tmp.unlink(missing_ok=True)
        return True


_roots: dict[str, SharedRoot] = {}


def shared_root(store: Store) -> SharedRoot | None:
    """The store's artifact root (None: blobs live in the store alone); opened once per URL."""
    url = configured_url(store)
    if url is None:
        return None
    if url not in _roots:
        _roots[url] = _open(url)
    return _roots[url]


def _open(url: str) -> SharedRoot:
    """The filesystem for ``url``; a missing fsspec backend is named with its package."""
    try:
        import fsspec
        from fsspec.registry import known_implementations
    except ImportError:
        raise StoreError(f"the artifact root {url} needs fsspec: pip install "
                         f"'jupyter-mlops[shared]' (or unset {URL_ENV})") from None
    protocol = url.split("://", 1)[0] if "://" in url else "file"
    try:
        fs, base = fsspec.core.url_to_fs(url)
    except ImportError:
        hint = known_implementations.get(protocol, {}).get("err", "")
        raise StoreError(f"the artifact root {url} needs the fsspec backend for "
                         f"{protocol}://, which is not installed ({hint}).") from None
    except ValueError as e:
        raise StoreError(f"the artifact root {url} is not a URL fsspec knows ({e}); use a "
                         f"path, file:///…, s3://… or gs://…") from None
    return SharedRoot(url, fs, base.rstrip("/"))
