"""The capture log: every failure counted and kept in the store, in bounded space, shown by
`jupyter mlops doctor`."""

from jupyter_mlops.capture import incidents
from tests.conftest import cli


def _fail(root, where):
    try:
        {}["missing " + where]
    except KeyError:
        incidents.report(root, where)


def test_doctor_shows_the_count_and_the_last_failures(store):
    assert "capture failures: 0" in cli("doctor").stdout
    for n in range(5):
        _fail(store.root, f"step {n}")
    out = cli("doctor").stdout
    assert f"capture failures: 5 (log: {incidents.log_path(store.root)})" in out
    shown = [line for line in out.splitlines() if "KeyError" in line]
    assert [line.split(" pid ")[1].split(":")[0].split(" ", 1)[1] for line in shown] == [
        "step 2", "step 3", "step 4"]


def test_the_log_is_capped_and_a_failure_to_write_it_is_still_counted(store, monkeypatch):
    monkeypatch.setattr(incidents, "MAX_BYTES", 20_000)
    for n in range(300):
        _fail(store.root, f"loop {n}")
    logs = sorted(p.name for p in incidents.log_path(store.root).parent.iterdir())
    assert logs == ["capture.log", "capture.log.1"]
    assert sum(p.stat().st_size for p in incidents.log_path(store.root).parent.iterdir()) < 45_000
    assert incidents.summary(store.root)["last failures"].endswith("KeyError: 'missing loop 299'")
    before = incidents.count
    _fail(incidents.log_path(store.root), "unwritable")  # a folder below a file
    _fail(None, "no store")
    assert incidents.count == before + 2
    assert incidents.summary(store.root)["last failures"].endswith("'missing loop 299'")
