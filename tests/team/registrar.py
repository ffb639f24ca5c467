"""A registrar on one simulated machine: ``python -m tests.team.registrar STORE MODEL N``
registers N versions of MODEL (a small fitted model) and prints their numbers."""

from __future__ import annotations

import sys

import numpy as np
from sklearn.linear_model import LogisticRegression

from jupyter_mlops.registry import register
from jupyter_mlops.store import Store
from jupyter_mlops.tracking import use_store

if __name__ == "__main__":
    use_store(Store.open(sys.argv[1]))
    x = np.arange(20, dtype=float).reshape(10, 2)
    model = LogisticRegression().fit(x, np.arange(10) % 2)
    print(",".join(str(register(model, sys.argv[2], metrics={}).version)
                   for _ in range(int(sys.argv[3]))))
