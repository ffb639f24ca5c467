"""A promoter on one simulated machine: ``python -m tests.team.promoter STORE MODEL V1,V2,…``
moves MODEL@champion to each version in turn (the team test runs two at once)."""

from __future__ import annotations

import sys

from jupyter_mlops.registry import promote
from jupyter_mlops.store import Store
from jupyter_mlops.tracking import use_store

if __name__ == "__main__":
    store = Store.open(sys.argv[1])
    use_store(store)
    for version in sys.argv[3].split(","):
        promote(sys.argv[2], int(version), "champion", store=store)
