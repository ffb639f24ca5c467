"""Spool consumers: each reader of the spool keeps its own offsets, and a sealed spool file
is archived only when every registered consumer has passed it.

Ingest is one consumer (:data:`INGEST`; its offsets live in the database, committed with the
rows they produced). Any other (a shipper sending events to a team store, say) registers a
name once, reads spool files from its offsets, and records how far it got with
:func:`advance`. A registered consumer that stops advancing holds its files in ``spool/``:
:func:`unregister` lets them go.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..exceptions import StoreError
from . import Store, replace_file

#: The consumer that applies events to the database.
INGEST = "ingest"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _folder(store: Store) -> Path:
    return store.root / "consumers"


def _path(store: Store, name: str) -> Path:
    if not _NAME.match(name) or name == INGEST:
        raise StoreError(f"{name!r} cannot name a spool consumer: use letters, digits, '.', "
                         f"'_' or '-' (not {INGEST!r}, which is ingest's own)")
    return _folder(store) / f"{name}.json"


def register(store: Store, name: str) -> None:
    """Make ``name`` a consumer of this store's spool (from the files in it now); idempotent."""
    path = _path(store, name)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, "{}")


def unregister(store: Store, name: str) -> None:
    """Stop holding spool files for ``name``; the next ingest archives what it passed."""
    _path(store, name).unlink(missing_ok=True)


def registered(store: Store) -> list[str]:
    """The consumers registered besides ingest."""
    try:
        return sorted(p.stem for p in _folder(store).glob("*.json"))
    except OSError:
        return []


def offsets(store: Store, name: str) -> dict[str, int]:
    """How far ``name`` has read each spool file (bytes; absent: not started)."""
    try:
        found = json.loads(_path(store, name).read_text())
    except FileNotFoundError:
        raise StoreError(f"{name!r} is not a registered spool consumer: register it "
                         f"first (jupyter_mlops.store.consumers.register)") from None
    except ValueError:
        return {}
    return {str(k): int(v) for k, v in found.items()} if isinstance(found, dict) else {}


def advance(store: Store, name: str, moved: dict[str, int]) -> None:
    """Record that ``name`` has consumed spool files up to these byte offsets (each the end
    of a complete line). Offsets never go back; files no longer in the spool are dropped."""
    current = offsets(store, name)
    present = {p.name for p in store.spool_dir.glob("*.jsonl")}
    merged = {f: max(o, current.get(f, 0)) for f, o in {**current, **moved}.items()
              if f in present}
    replace_file(_path(store, name), json.dumps(merged))


def all_passed(store: Store, file: str, size: int) -> bool:
    """Whether every registered consumer (ingest aside) has read ``file`` to ``size``."""
    return all(offsets(store, name).get(file, 0) >= size for name in registered(store))
