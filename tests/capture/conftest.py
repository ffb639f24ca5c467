"""The autolog tests' shell: a real IPython shell with the extension loaded, recording into the
test's store, and a DataFrame ``X`` with a binary target ``y`` defined."""

import pytest

from jupyter_mlops import tracking
from jupyter_mlops.capture import autolog
from tests.conftest import ipython

SETUP = """import numpy as np, pandas as pd
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
rng = np.random.default_rng(0)
X = pd.DataFrame(rng.normal(size=(300, 4)), columns=list("abcd"))
y = (X.a > 0).astype(int)"""


@pytest.fixture
def ip(store, monkeypatch):
    monkeypatch.setattr(tracking, "_tracker", tracking.Tracker(store))
    shell = ipython()
    shell.run_line_magic("load_ext", "jupyter_mlops")
    shell.run_cell(SETUP, store_history=True)
    yield shell
    shell.run_line_magic("unload_ext", "jupyter_mlops")
    autolog.autolog(False)
    autolog._user_disabled = False
    shell.reset()
