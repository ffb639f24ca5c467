"""``python -m tests.corpus``: the corpus's notebooks, where each came from and its licence,
read from the expect files (so the list is never out of date)."""

from __future__ import annotations

from tests.corpus.corpus import cases


def main() -> None:
    print("| notebook | code cells | licence | source |\n|---|---|---|---|")
    for case in cases():
        e = case.expect
        print(f"| {case.slug} | {len(case.sources)} | {e['licence']} | {e['source']} |")


if __name__ == "__main__":
    main()
