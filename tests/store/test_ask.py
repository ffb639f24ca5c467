"""mlops.runs / mlops.metrics / mlops.sql and %%mlops sql, on stores filled by real kernels."""

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.exceptions import BadQuery, NotFound

RUN = """import jupyter_mlops as mlops
mlops.log_params(model={model!r}, max_depth={depth})
for step, auc in enumerate({aucs}):
    mlops.log_metric("auc", auc, step=step)
"""


@pytest.fixture
def recorded(store, kernel_factory):
    """Two runs recorded by a real kernel (the second after `%mlops run start`)."""
    k = kernel_factory()
    k.record([("a1", RUN.format(model="rf", depth=3, aucs=[0.6, 0.8, 0.7])),
              ("a2", "%mlops run start"),
              ("a3", RUN.format(model="gbm", depth=5, aucs=[0.7, 0.75, 0.9]))])
    return k


def test_runs_metrics_and_sql_from_a_kernel(store, recorded):
    runs = mlops.runs()
    assert runs["params.model"].tolist() == ["gbm", "rf"]  # newest first
    assert runs["metrics.auc"].tolist() == pytest.approx([0.9, 0.7])
    assert str(runs["started"].dt.tz) == "UTC"
    best = mlops.runs(where="params.model = 'rf'", metrics=["auc:max", "auc:min"])
    assert best[["metrics.auc", "metrics.auc:max", "metrics.auc:min"]].values.tolist() == [
        pytest.approx([0.7, 0.8, 0.6])]
    assert best["cells"].tolist() == [1]  # the cell that logged (a2 ended the run)
    ordered = mlops.runs(order_by='"params.max_depth" ASC')
    assert ordered["params.model"].tolist() == ["rf", "gbm"]
    history = mlops.metrics(best["run_id"][0])
    assert history.columns.tolist() == ["run_id", "key", "step", "value", "ts", "seq"]
    assert history["value"].tolist() == pytest.approx([0.6, 0.8, 0.7])
    assert history["step"].tolist() == [0, 1, 2] and history["seq"].tolist() == [1, 1, 1]
    assert str(history["ts"].dt.tz) == "UTC"
    assert mlops.metrics(best["run_id"][0], "nope").empty
    cells = mlops.sql("SELECT run_id, seq, cell_id FROM cells ORDER BY started")
    assert cells["cell_id"].tolist()[-3:] == ["a1", "a2", "a3"]


def test_sql_cell_magic_in_a_kernel(store, recorded):
    reply = recorded.run('%%mlops sql -o best\nSELECT "params.model", "metrics.auc" '
                         'FROM runs_wide ORDER BY "metrics.auc" DESC LIMIT 1')
    assert reply["status"] == "ok", reply
    shown = recorded.run("print(type(best).__name__, best['params.model'][0])")
    assert shown["stdout"] == "DataFrame gbm\n"
    refused = recorded.run("%%mlops sql\nSELECT * FROM read_csv('/etc/passwd')")
    assert (refused["status"], refused["ename"]) == ("error", "UsageError")
    assert refused["evalue"].startswith("%%mlops sql: table function read_csv() is not allowed")
    other = recorded.run("%%mlops runs\nx")
    assert "only `%%mlops sql [-o NAME]` is a cell magic" in other["evalue"]
    bad_name = recorded.run("%%mlops sql -o 1x\nSELECT 1")
    assert "usage: %%mlops sql [-o NAME]" in bad_name["evalue"]


def test_where_and_order_by(churn):
    assert mlops.runs(where='"metrics.auc" > 1', order_by="metrics.auc DESC")[
        "params.max_depth"].tolist() == [2, 1]
    assert mlops.runs(where="params.max_depth >= 1 AND experiment = 'churn'",
                      order_by="params.max_depth")["params.max_depth"].tolist() == [1, 2]
    assert len(mlops.runs(limit=None)) == 3 and len(mlops.runs(limit=2)) == 2
    default, filtered = mlops.runs(), mlops.runs(where="true")  # the same frame either way
    assert default.columns.tolist() == filtered.columns.tolist()
    assert default.dtypes["params.max_depth"] == filtered.dtypes["params.max_depth"]
    assert default["params.model"].tolist() == filtered["params.model"].tolist()
    assert len(mlops.runs(where="true", limit=1)) == 1
    assert mlops.runs(experiment="other", where="true").empty
    assert mlops.runs("churn", status="running", where="true")["run_id"].nunique() == 3


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"where": "1=1) UNION SELECT * FROM runs --"}, "cannot parse the SQL"),
    ({"where": "run_id IN (SELECT id FROM runs)"}, "where may not hold a subquery"),
    ({"where": "EXISTS (SELECT 1)"}, "where may not hold a subquery"),
    ({"where": "status = 'running' ORDER BY 1"}, "cannot parse the SQL"),
    ({"where": "true; DELETE FROM runs"}, "cannot parse the SQL"),
    ({"where": "nope > 1"}, 'column "nope" not found'),
    ({"order_by": "started LIMIT 1"}, "order_by must be columns with ASC/DESC"),
    ({"order_by": "started; DROP TABLE runs"}, "give one SELECT statement"),
    ({"order_by": "(SELECT max(id) FROM runs)"}, "order_by may not hold a subquery"),
    ({"metrics": ["auc"]}, "give KEY:min, KEY:max or KEY:best"),
    ({"limit": 0}, "limit must be a whole number of at least 1"),
])
def test_runs_refuses_what_is_not_a_predicate_or_an_order(churn, kwargs, message):
    with pytest.raises(BadQuery) as e:
        mlops.runs(**kwargs)
    assert message in str(e.value)


def test_an_unknown_column_lists_the_runs_columns(churn):
    with pytest.raises(BadQuery) as e:
        mlops.runs(where="metrics.nope > 1")
    assert "runs_wide: run_id, name, experiment" in str(e.value)
    assert '"metrics.auc"' not in str(e.value) and "metrics.auc" in str(e.value)


def test_metrics_of_an_unknown_run(churn):
    with pytest.raises(NotFound, match="unknown run id"):
        mlops.metrics("zzzzzzzz")
