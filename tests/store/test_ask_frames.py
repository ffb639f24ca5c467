"""The DataFrames of the Python API have the columns docs/sql.md lists (ask.FRAMES), and
``best`` of a metric follows its documented direction; on stores filled by real kernels."""

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.exceptions import BadQuery
from jupyter_mlops.store.ask import FRAMES
from jupyter_mlops.store.queries.runs import best_direction

LOG = """import jupyter_mlops as mlops
for step, (auc, loss) in enumerate(zip({aucs}, {losses})):
    mlops.log_metric("auc", auc, step=step)
    mlops.log_metric("val_loss", loss, step=step)
mlops.log_metric("score", {score})
"""


@pytest.fixture
def two_runs(store, kernel_factory):
    k = kernel_factory()
    k.record([("log", LOG.format(aucs=[0.6, 0.8, 0.7], losses=[0.5, 0.2, 0.3], score=1)),
              ("next", "%mlops run start"),
              ("log", LOG.format(aucs=[0.7, 0.75, 0.9], losses=[0.4, 0.1, 0.35], score=2))])
    return k


def test_best_of_a_metric_by_its_name_or_as_asked(store, two_runs):
    found = mlops.runs(metrics=["auc:best", "val_loss:best", "score:best"])
    assert found[["metrics.auc:best", "metrics.val_loss:best",
                  "metrics.score:best"]].values.tolist() == [[0.9, 0.1, 2], [0.8, 0.2, 1]]
    lower = mlops.runs(metrics=["score:best"], best={"score": "min"})
    assert lower["metrics.score:best"].tolist() == [2, 1]  # each run logged one score
    # a where or order_by naming the column adds it; sorting by the best, not the last
    ordered = mlops.runs(order_by='"metrics.val_loss:best" ASC', limit=1)
    assert ordered["metrics.val_loss:best"].tolist() == [0.1]
    assert ordered["metrics.val_loss"].tolist() == [0.35]
    chosen = mlops.runs(where='"metrics.auc:best" < 0.85')
    assert chosen["metrics.auc:best"].tolist() == [0.8] and len(chosen) == 1
    with pytest.raises(BadQuery, match=r"best=\{'auc': 'up'\}: say \"min\""):
        mlops.runs(metrics=["auc:best"], best={"auc": "up"})
    with pytest.raises(BadQuery, match="KEY:min, KEY:max or KEY:best"):
        mlops.runs(metrics=["auc:top"])


@pytest.mark.parametrize(("key", "direction"), [
    ("auc", "max"), ("val_loss", "min"), ("logloss", "min"), ("rmse", "min"),
    ("fit_time", "min"), ("Error Rate", "min"), ("accuracy", "max"), ("f1", "max")])
def test_best_direction_from_the_name(key, direction):
    assert best_direction(key) == direction
    assert best_direction(key, {key: "max"}) == "max"


def test_frames_have_their_documented_columns(store, kernel_factory):
    k = kernel_factory()
    k.record([("data", "import pandas as pd\ndf = pd.DataFrame({'x': [1, 2, 3]})"),
              ("model", "from sklearn.linear_model import LinearRegression\n"
                        "m = LinearRegression().fit(df, df.x)\n"
                        "import jupyter_mlops as mlops\nv = mlops.register(m, 'lin')")])
    run_id = mlops.runs()["run_id"][0]
    for name, found in (("mlops.cells(run)", mlops.cells(run_id)),
                        ("mlops.datasets(run)", mlops.datasets(run_id)),
                        ("mlops.models()", mlops.models()),
                        ("mlops.jobs.history()", mlops.jobs.history())):
        assert found.columns.tolist() == [c for c, _ in FRAMES[name]], name
    assert mlops.cells(run_id).cell_id.tolist() == ["data", "model"]
    assert "df" in mlops.datasets(run_id).name.tolist()
    assert mlops.models()[["name", "version"]].values.tolist() == [["lin", 1]]
    # the same names mean the same in the SQL views
    view = mlops.sql("SELECT * FROM cells LIMIT 0").columns
    assert set(mlops.cells(run_id).columns) <= set(view)
