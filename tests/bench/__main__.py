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
           "bench_drift", "bench_autolog", "bench_boosting", "bench_lineage", "bench_jobs",
           "bench_server", "bench_diff", "bench_cell_history", "bench_compare_render",
           "bench_gc", "bench_corpus", "bench_alerts", "bench_soak", "bench_artifacts",
           "bench_team", "bench_performance", "bench_score", "bench_profile",
           "bench_views"]
#: Benches whose figures have a section of their own in the page, between
#: ``<!-- NAME -->`` and ``<!-- /NAME -->``; the others share the table at its end.
OWN_SECTION = {"bench_soak": "soak"}


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
    sections: dict[str, list[Result]] = {}
    for name in args.names:  # each in a fresh process: one bench's memory cannot skew the next
        print(f"running {name} …", file=sys.stderr, flush=True)
        t = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "tests.bench", "--one", name],
                              capture_output=True, text=True, cwd=ROOT)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 2
        found = [Result(**r) for r in json.loads(done.stdout.splitlines()[-1])]
        if name in OWN_SECTION:
            sections[OWN_SECTION[name]] = found
        else:
            results += found
        print(f"  {time.perf_counter() - t:.0f} s", file=sys.stderr)
    for found in (results, *sections.values()):
        if found:
            print(_table(found))
    if args.write:
        stamp = (f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, "
                 f"Python {platform.python_version()}, by `make bench`.")
        text = args.write.read_text()
        for section, found in sections.items():
            before, rest = text.split(f"<!-- {section} -->")
            after = rest.split(f"<!-- /{section} -->")[1]
            text = (f"{before}<!-- {section} -->\n{stamp}\n\n{_table(found)}\n"
                    f"<!-- /{section} -->{after}")
        if results:
            head = text.split("<!-- figures -->")[0]
            text = f"{head}<!-- figures -->\n{stamp}\n\n{_table(results)}\n"
        args.write.write_text(text)
    return 0 if all(r.ok for found in (results, *sections.values()) for r in found) else 1


if __name__ == "__main__":
    sys.exit(main())
