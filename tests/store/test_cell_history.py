"""mlops.cells.history / mlops.cells.flagged on stores filled by real kernels and real
papermill jobs: a cell made 3× slower by a parameter, a cell that starts raising."""

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.exceptions import BadReference, NotFound
from jupyter_mlops.jobs.schedules import run_here
from jupyter_mlops.store.ask import FRAMES
from tests.jobs.conftest import write_notebook

SLOW_CELL = "import time\ntime.sleep({delay})\nassert not {fail}, 'broken'"


def test_a_cell_across_interactive_runs(store, kernel_factory):
    k = kernel_factory()
    k.run("%load_ext jupyter_mlops")
    plan = [(0.02, False), (0.03, False), (0.02, False), (0.5, False), (0.02, True)]
    for i, (delay, fail) in enumerate(plan):
        if i:
            assert k.run("%mlops run start", cell_id="start")["status"] == "ok"
        k.run("x = 1", cell_id="quick")
        k.run(SLOW_CELL.format(delay=delay, fail=fail), cell_id="slow")
    history = mlops.cells.history("slow")
    assert history.columns.tolist() == [c for c, _ in FRAMES["mlops.cells.history(cell)"]]
    assert len(history) == 5 and history.run_id.nunique() == 5
    assert history.status.tolist() == ["ok"] * 4 + ["error"]
    assert history.flag.tolist() == [None, None, None, "slower", "failing"]
    assert history.median_ms.isna().tolist() == [True, True, False, False, False]
    assert history.median_ms[3] == pytest.approx(history.duration_ms[:3].median())
    assert history.duration_ms[3] >= 3 * history.median_ms[3]
    assert set(history.kind) == {"interactive"} and history.schedule.isna().all()
    assert str(history.started.dt.tz) == "UTC"
    # RUN/SEQ names the same cell; limit keeps the newest
    slow_run, seq = history.run_id[3], history.seq[3]
    same = mlops.cells.history(f"{slow_run}/{seq}", limit=2)
    assert same.run_id.tolist() == history.run_id[3:].tolist()
    # the run detail's question: which of this run's cells are flagged
    flagged = mlops.cells.flagged(slow_run)
    assert flagged.columns.tolist() == [c for c, _ in FRAMES["mlops.cells.flagged(run)"]]
    flagged = flagged[flagged.cell_id != "start"]  # a run's start may be slow, by chance
    assert flagged[["seq", "cell_id", "flag", "executions"]].values.tolist() == [
        [seq, "slow", "slower", 4]]  # executions up to this run
    assert flagged.source.tolist() == ["import time"]
    assert "failing" in mlops.cells.flagged(history.run_id[4]).flag.tolist()
    assert set(mlops.cells.flagged(history.run_id[1]).cell_id) <= {"start"}
    every = mlops.cells.flagged(history.run_id[1], every=True)
    assert every.cell_id.tolist() == ["start", "quick", "slow"] and every.flag.isna().all()


def test_cells_without_an_id_match_by_source(store, kernel_factory):
    k = kernel_factory()
    k.run("%load_ext jupyter_mlops")
    for i in range(3):
        if i:
            k.run("%mlops run start")
        k.run("y = 2")
    newest = mlops.runs()["run_id"][0]
    cells = mlops.cells(newest)
    assert cells.cell_id.isna().all()
    seq = cells[cells.source == "y = 2"].seq.iloc[0]
    history = mlops.cells.history(f"{newest}/{seq}")
    assert len(history) == 3 and history.cell_id.isna().all()
    assert history.run_id.iloc[-1] == newest


def test_bad_references(store, kernel_factory):
    k = kernel_factory()
    k.record([("a", "x = 1")])
    with pytest.raises(NotFound, match="no recorded cell has the id 'nope'"):
        mlops.cells.history("nope")
    with pytest.raises(BadReference, match="RUN/SEQ"):
        mlops.cells.history(" ")
    with pytest.raises(NotFound, match="has no cell 99"):
        mlops.cells.history(f"{mlops.runs()['run_id'][0]}/99")


def test_a_cell_across_jobs_made_slower_by_a_parameter(tracked, tmp_path):
    nb = write_notebook(tmp_path / "nightly.ipynb", "x = delay * 2",
                        SLOW_CELL.format(delay="delay", fail="fail"),
                        parameters="delay = 0.02\nfail = False")
    mlops.jobs.schedule(str(nb), "0 6 * * *", name="nightly")
    for params in ({}, {"delay": 0.03}, {}):
        assert run_here("nightly", params, store=tracked).ok
    slow = mlops.jobs.run(str(nb), {"delay": 0.5})
    failed = mlops.jobs.run(str(nb), {"fail": True})
    assert slow.ok and not failed.ok
    cells = mlops.cells(slow.run_id)
    slow_cell = cells[cells.source.str.startswith("import time")].iloc[0]
    history = mlops.cells.history(slow_cell.cell_id)
    assert history.kind.tolist() == ["job"] * 5
    assert history.schedule.tolist()[:3] == ["nightly"] * 3
    assert history.schedule[3:].isna().all()
    assert history.flag.tolist() == [None, None, None, "slower", "failing"]
    flagged = mlops.cells.flagged(slow.run_id).set_index("cell_id").flag
    assert flagged[slow_cell.cell_id] == "slower"
    assert mlops.cells.flagged(failed.run_id).set_index("cell_id").flag[
        slow_cell.cell_id] == "failing"


def test_recent_executions_set_the_median(store):
    """Slow for good: flagged until the slow runs are most of the previous 20; a run's
    flagged cells (cut to its last executions) agree with the cell's whole history."""
    from jupyter_mlops import events as ev
    from jupyter_mlops.store.ingest import ingest
    from jupyter_mlops.store.spool import SpoolWriter

    w = SpoolWriter(store)
    durations = [100.0] * 30 + [1000.0] * 30
    for i, duration in enumerate(durations):
        run_id = ev.new_id()
        w.write([ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": "e",
                                           "notebook": "/nb.ipynb"}),
                 ev.Event(ev.CELL, {"run_id": run_id, "seq": 1, "cell_id": "c",
                                    "source": "work()", "source_hash": "h",
                                    "status": "error" if i == 55 else "ok",
                                    "duration_ms": duration})])
    w.close()
    ingest(store)
    history = mlops.cells.history("c")
    flags = history.flag.tolist()
    assert flags[:30] == [None] * 30
    assert flags[30:40] == ["slower"] * 10 and flags[40:55] == [None] * 15
    assert flags[55] == "failing" and flags[56:] == [None] * 4
    for i in (35, 45, 55):
        flagged = mlops.cells.flagged(history.run_id[i], every=True)
        assert flagged.flag.tolist() == [flags[i]]
        assert flagged.median_ms[0] == pytest.approx(history.median_ms[i])
        assert flagged.executions[0] == i + 1
