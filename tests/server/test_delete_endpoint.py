"""``DELETE /runs/{run_id}`` on a real server: a protected run is refused with the reason, an
unprotected one disappears from every read, and who deleted it is recorded."""

from __future__ import annotations

from jupyter_mlops import events as ev
from jupyter_mlops.store import db
from jupyter_mlops.store.spool import SpoolWriter

SCRATCH = "5" * 32


async def test_delete_a_run_through_the_api(api, store, run_id):
    code, body = await api("runs", run_id, method="DELETE")
    assert code == 409 and body["error"] == "run protected"
    assert "churn:1, churn:2" in body["detail"]

    w = SpoolWriter(store)
    w.write([ev.Event(ev.RUN_STARTED, {"run_id": SCRATCH, "experiment": "scratch"}),
             ev.Event(ev.METRICS, {"run_id": SCRATCH, "metrics": {"auc": 0.1}}),
             ev.Event(ev.RUN_ENDED, {"run_id": SCRATCH, "status": "finished"})])
    w.close()
    code, body = await api("runs", SCRATCH[:8], method="DELETE")
    assert (code, body) == (200, {"run_id": SCRATCH})
    code, body = await api("runs", SCRATCH)
    assert code == 404
    code, body = await api("runs")
    assert [r["run_id"] for r in body["runs"]] == [run_id]
    code, body = await api("runs", SCRATCH, method="DELETE")
    assert code == 404
    with db.connect(store, write=False) as con:
        (deleted, by, reason), = db.run(con, "SELECT run_id, deleted_by, reason "
                                             "FROM run_deletions")
    assert (deleted, reason) == (SCRATCH, "deleted through the REST API")
    assert by  # the server's user, as a promotion records it
