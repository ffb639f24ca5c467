"""``python -m tests.bench [--write docs/benchmarks.md] [NAME …]``: run and print the figures."""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import time
from pathlib import Path

from tests.bench import Result

BENCHES = ["bench_capture", "bench_log_metric", "bench_fingerprint", "bench_store",
           "bench_drift", "bench_autolog", "bench_lineage"]


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
    args = parser.parse_args()
    results: list[Result] = []
    for name in args.names:
        print(f"running {name} …", file=sys.stderr, flush=True)
        t = time.perf_counter()
        results += importlib.import_module(f"tests.bench.{name}").run()
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
