"""Alerts (issue 18): event → webhook latency with the scheduler daemon running (its default
1 s tick), delivery throughput, and messages lost across the fault scenario (receiver down,
daemon killed -9 twice mid-delivery). Baseline: a bare HTTP POST to the same receiver."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path

from jupyter_mlops import events as ev
from jupyter_mlops.store import Store
from jupyter_mlops.store.spool import SpoolWriter
from tests.alerts.receivers import Hook, configure, daemon, free_port, hook, wait_for
from tests.bench import Result

LATENCY_ROUNDS = 40
BURST = 500
FAULT_MESSAGES = 100


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def _bare_posts(h: Hook, count: int) -> list[float]:
    """Seconds per plain POST of a small JSON body to the receiver."""
    times = []
    for i in range(count):
        t = time.perf_counter()
        request = urllib.request.Request(h.url, data=json.dumps({"i": i}).encode(),
                                         headers={"Content-Type": "application/json",
                                                  "X-MLOps-Dedup-Key": str(i)})
        with urllib.request.urlopen(request, timeout=10):
            pass
        times.append(time.perf_counter() - t)
    return times


def _latency_and_throughput(folder: Path) -> list[Result]:
    store = Store.open(folder / "a")
    store.ensure()
    writer = SpoolWriter(store)
    with hook() as h:
        configure(store, h.port)
        bare = _bare_posts(h, LATENCY_ROUNDS)
        h.requests.clear()
        process = daemon(store, tick_s=1.0)
        try:
            latencies = []
            for i in range(LATENCY_ROUNDS):
                sent = time.time()
                writer.append(ev.Event(ev.ALERT, {"title": f"l{i}", "severity": "error"}))
                writer.flush()
                wait_for(lambda n=i + 1: len(h.requests) >= n, timeout=60)
                latencies.append(h.requests[-1]["at"] - sent)
                time.sleep(0.05)
            h.requests.clear()
            t = time.time()
            writer.write(ev.Event(ev.ALERT, {"title": f"b{i}", "severity": "error"})
                         for i in range(BURST))
            writer.flush()
            wait_for(lambda: len(h.requests) >= BURST, timeout=300)
            burst_s = h.requests[-1]["at"] - t
        finally:
            process.terminate()
            process.wait(30)
        bare_burst = sum(_bare_posts(h, BURST))
    writer.close()
    p95, bare_p95 = _p95(latencies), _p95(bare)
    return [
        Result("alerts: event → webhook latency, daemon running, p95", p95 * 1000, "ms",
               "<= 2000 ms", p95 <= 2.0, f"bare POST p95 {bare_p95 * 1000:.2f} ms; "
               f"p50 {statistics.median(latencies) * 1000:.0f} ms",
               f"{p95 / bare_p95:,.0f}x a bare POST (ingest and the daemon's tick dominate)"),
        Result(f"alerts: delivery throughput, {BURST} messages at once", BURST / burst_s,
               "messages/s", "(no target)", True,
               f"{BURST} bare POSTs one after another: {BURST / bare_burst:,.0f}/s",
               f"{bare_burst / burst_s:.2f}x bare POSTs"),
    ]


def _faults(folder: Path) -> Result:
    """Receiver down, then back slowly; the daemon killed -9 twice while delivering."""
    store = Store.open(folder / "b")
    store.ensure()
    port = free_port()
    configure(store, port)
    writer = SpoolWriter(store)
    writer.write(ev.Event(ev.ALERT, {"title": f"f{i}", "severity": "error"})
                 for i in range(FAULT_MESSAGES))
    writer.flush()
    writer.close()
    process = daemon(store)
    time.sleep(3)  # every message tried against nothing, waiting for its retry
    kills = 0
    with hook(port=port, delay_s=0.2) as h:
        t = time.time()
        for _ in range(2):
            more = len(h.requests) + 3
            wait_for(lambda n=more: len(h.requests) >= n, timeout=60)
            process.kill()
            process.wait()
            kills += 1
            process = daemon(store)
        try:
            wait_for(lambda: len(set(h.keys())) >= FAULT_MESSAGES, timeout=300)
        except AssertionError:
            pass  # counted as lost below
        finally:
            process.terminate()
            process.wait(30)
        keys = h.keys()
        took = time.time() - t
    lost = FAULT_MESSAGES - len(set(keys))
    return Result("alerts: messages lost, receiver down + daemon killed -9 mid-delivery",
                  lost, "messages", "0", lost == 0,
                  f"{FAULT_MESSAGES} messages, {kills} kills, all delivered {took:.1f} s "
                  f"after the receiver came back",
                  f"{len(keys) - len(set(keys))} repeats, each with its message's dedup key")


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        return [*_latency_and_throughput(Path(tmp)), _faults(Path(tmp))]
