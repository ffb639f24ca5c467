"""``GET /runs?order=-metrics.auc``: the runs table's header sort asks the server, which pages
through every run in the column's order (runs without the metric last) without repeating or
skipping one, and names the columns it can sort by when given another."""

import math

from jupyter_mlops.store.ingest import ingest
from tests.bench.bench_compare_render import SWEEP, fill_sweep

RUNS = 120


async def _all_pages(api, **params):
    """Every page of a listing, following next_cursor, as one list of runs."""
    code, body = await api("runs", **params)
    assert code == 200, body
    runs = body["runs"]
    while body["next_cursor"]:
        code, body = await api("runs", cursor=body["next_cursor"], **params)
        assert code == 200, body
        runs += body["runs"]
    return runs


async def test_pages_sorted_by_a_metric_in_order_without_repeats(api, store):
    fill_sweep(store, RUNS)
    ingest(store)
    runs = await _all_pages(api, experiment=SWEEP, order="-metrics.auc", limit=25)
    assert len(runs) == RUNS
    assert len({r["run_id"] for r in runs}) == RUNS
    auc = [r["metrics"].get("auc", math.nan) for r in runs]
    having = [a for a in auc if not math.isnan(a)]
    assert having == sorted(having, reverse=True)
    assert all(math.isnan(a) for a in auc[len(having):])  # runs without auc come last
    assert len(having) < RUNS
    lr = [r["params"]["lr"] for r in await _all_pages(api, experiment=SWEEP,
                                                      order="params.lr", limit=40)]
    assert lr == sorted(lr)


async def test_an_unknown_sort_column_names_the_choices(api, store):
    fill_sweep(store, 3)
    ingest(store)
    code, body = await api("runs", order="-metrics.no_such_metric")
    assert code == 400, body
    assert "metrics.no_such_metric" in body["detail"] and "params.KEY" in body["detail"]
    code, first = await api("runs", order="name", limit=1)
    assert code == 200 and first["next_cursor"]
    code, body = await api("runs", order="-name", cursor=first["next_cursor"])
    assert code == 400 and "same order" in body["detail"]
