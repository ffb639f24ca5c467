"""``python -m tests.bench [--write docs/benchmarks.md] [NAME …]``: run and print the figures."""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

from tests.bench import Result
from tests.conftest import ROOT

BENCHES = ["bench_capture", "bench_log_metric", "bench_fingerprint", "bench_store",
           "bench_drift", "bench_autolog", "bench_lineage", "bench_jobs", "bench_server",
           "bench_corpus"]


def _table(results: list[Result]) -> str:
    rows = ["| benchmark | figure | target | baseline (same run) | ratio |",
            "|---|---|---|---|---|"]
    for r in results:
        value = f"{r.value:,.0f}" if r.value >= 1000 else f"{r.value:.3g}"
        rows.append(f"| {r.name} | {value} {r.unit} {'✓' if r.ok else '✗'} | {r.target} "
                    f"| {r.baseline} | {r.ratio} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("names", nargs="*", default=BENCHES)
    parser.add_argument("--write", type=Path, help="replace the figures in this Markdown file")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one, print JSON
    args = parser.parse_args()
    if args.one:
        found = importlib.import_module(f"tests.bench.{args.one}").run()
        print(json.dumps([dataclasses.asdict(r) for r in found], default=float))
        return 0
    results: list[Result] = []
    for name in args.names:  # each in a fresh process: one bench's memory cannot skew the next
        print(f"running {name} …", file=sys.stderr, flush=True)
        t = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "tests.bench", "--one", name],
                              capture_output=True, text=True, cwd=ROOT)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 2
        results += [Result(**r) for r in json.loads(done.stdout.splitlines()[-1])]
        print(f"  {time.perf_counter() - t:.0f} s", file=sys.stderr)
    table = _table(results)
    print(table)
    if args.write:
        head = args.write.read_text().split("<!-- figures -->")[0]
        stamp = (f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, "
                 f"Python {platform.python_version()}, by `make bench`.")
        args.write.write_text(f"{head}<!-- figures -->\n{stamp}\n\n{table}\n")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
