"""``GET /runs/{run_id}/cells/history`` over real HTTP, on runs a real kernel recorded: the
cell made slower and the cell that started raising come back with their executions."""

from jupyter_mlops.server import schemas as S
from jupyter_mlops.server.cell_endpoints import CELL_HISTORY
from jupyter_mlops.store import queries
from jupyter_mlops.store.ingest import ingest

WORK = "import time\ntime.sleep({delay})\nassert not {fail}, 'broken'"


def _record(kernel_factory, store):
    """Five runs of one notebook cell ("work"): three quick, one slow, one raising; ingested
    (the server ingests in the background)."""
    k = kernel_factory()
    k.run("%load_ext jupyter_mlops")
    for delay, fail in [(0.02, False), (0.03, False), (0.02, False), (0.5, False),
                        (0.02, True)]:
        assert k.run("%mlops run start", cell_id="start")["status"] == "ok"
        k.run(WORK.format(delay=delay, fail=fail), cell_id="work")
    ingest(store)


def _schema_check(body):
    """The answer matches the schema the OpenAPI document declares for it."""
    S.check_body({**CELL_HISTORY, "components": {"schemas": S.COMPONENTS}}, body)


async def test_flagged_cells_of_a_run_with_their_history(api, store, kernel_factory):
    _record(kernel_factory, store)
    runs = queries.runs(store, limit=5)["run_id"].tolist()[::-1]
    code, body = await api("runs", runs[3], "cells", "history")
    assert code == 200, body
    assert body["run_id"] == runs[3]
    [cell] = [c for c in body["cells"] if c["cell_id"] == "work"]  # "start" may be, by chance
    assert (cell["cell_id"], cell["flag"], cell["executions"]) == ("work", "slower", 4)
    assert cell["source"] == "import time" and cell["duration_ms"] >= 3 * cell["median_ms"]
    assert [h["run_id"] for h in cell["history"]] == runs[:4]  # up to this run
    assert [h["flag"] for h in cell["history"]] == [None, None, None, "slower"]
    assert cell["history"][0]["started"].endswith("+00:00")
    code, failing = await api("runs", runs[4], "cells", "history")
    [cell] = [c for c in failing["cells"] if c["cell_id"] == "work"]
    assert cell["flag"] == "failing" and cell["history"][-1]["status"] == "error"
    code, quiet = await api("runs", runs[1], "cells", "history")
    assert code == 200 and "work" not in [c["cell_id"] for c in quiet["cells"]]
    code, every = await api("runs", runs[1], "cells", "history", cells="all")
    assert [c["cell_id"] for c in every["cells"]] == ["start", "work"]
    assert len(every["cells"][1]["history"]) == 2
    _schema_check(body)


async def test_bad_requests(api, run_id):
    code, body = await api("runs", run_id, "cells", "history", cells="some")
    assert code == 400 and "cells must be one of flagged, all" in body["detail"]
    code, body = await api("runs", "ffffffffffff", "cells", "history")
    assert code == 404 and "unknown run id" in body["detail"]


async def test_one_cell_by_id_or_run_and_seq(api, store, kernel_factory):
    _record(kernel_factory, store)
    code, body = await api("cells", "history", cell="work")
    assert code == 200, body
    flags = [e["flag"] for e in body["executions"]]
    assert flags == [None, None, None, "slower", "failing"]
    assert {e["cell_id"] for e in body["executions"]} == {"work"}
    _schema_check_one(body)
    last = body["executions"][-1]
    code, same = await api("cells", "history", cell=f"{last['run_id']}/{last['seq']}", limit=2)
    assert code == 200 and [e["flag"] for e in same["executions"]] == ["slower", "failing"]
    code, body = await api("cells", "history", cell="nope")
    assert code == 404 and "no recorded cell has the id 'nope'" in body["detail"]
    code, body = await api("cells", "history")
    assert code == 400 and "cell is required" in body["detail"]


def _schema_check_one(body):
    from jupyter_mlops.server.cell_endpoints import ONE_CELL

    S.check_body({**ONE_CELL, "components": {"schemas": S.COMPONENTS}}, body)
