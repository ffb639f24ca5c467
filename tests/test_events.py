import json
import subprocess
import sys

import pytest

from jupyter_mlops import events as ev


def test_ids_sort_in_creation_order_and_are_unique():
    ids = [ev.new_id() for _ in range(20000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 32 for i in ids)


def test_ids_from_two_processes_never_collide():
    code = ("from jupyter_mlops.events import new_id\n"
            "print('\\n'.join(new_id() for _ in range(5000)))")
    outs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.split() for _ in range(2)]
    assert not set(outs[0]) & set(outs[1])


def test_event_round_trips_through_a_line():
    e = ev.Event(ev.METRICS, {"run_id": "r", "metrics": {"auc": 0.5}, "obj": object()})
    line = e.to_line()
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    back = ev.Event.from_dict(json.loads(line))
    assert (back.id, back.type, back.ts) == (e.id, e.type, e.ts)
    assert back.payload["obj"].startswith("<object object")  # non-JSON values become repr


@pytest.mark.parametrize("bad", [{}, {"id": "x", "type": 3, "ts": 1, "payload": {}},
                                 {"id": "x", "type": "cell", "ts": "no", "payload": {}},
                                 {"id": "x", "type": "cell", "ts": 1, "payload": []}])
def test_from_dict_rejects_what_is_not_an_event(bad):
    with pytest.raises(ValueError, match="not an event"):
        ev.Event.from_dict(bad)


def test_an_id_after_a_later_clock_still_sorts_after_it():
    """A move recorded on a machine whose clock is behind must still come after the move
    before it (the team's alias chain is ordered by event id)."""
    ahead = f"{int(ev.new_id()[:12], 16) + 3_600_000:012x}ffff{'0' * 16}"  # an hour ahead
    after = ev.id_after(ahead)
    assert after > ahead and len(after) == 32
    assert ev.id_after(after) > after
    assert ev.id_after(None) < ahead  # no previous: this clock's own id
