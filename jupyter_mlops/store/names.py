"""Run names people read: ``train-3f2a`` (the notebook's stem and four hex digits), or
``brisk-otter`` for a run without a notebook.

A name is derived from the run's id (and notebook) by one rule written twice, in Python
(:func:`derive`, for the tracker that names a run when it starts) and in SQL
(:func:`derive_sql`, for runs whose ``run_started`` carries no name: those written before
names existed, named the same way by the migration and by a rebuild). md5 is used because
both sides have it and it never changes between versions, unlike DuckDB's ``hash``.
"""

from __future__ import annotations

import hashlib
import re

ADJECTIVES = (
    "amber", "bold", "brave", "brisk", "calm", "clever", "cosy", "crisp", "daring", "deft",
    "eager", "fair", "fancy", "fleet", "fresh", "gentle", "glad", "golden", "grand", "happy",
    "hardy", "jolly", "keen", "kind", "lively", "lucky", "merry", "mellow", "misty", "nimble",
    "noble", "plucky", "polite", "proud", "quick", "quiet", "rapid", "rosy", "rustic", "shiny",
    "silent", "sleek", "snowy", "steady", "sunny", "swift", "tidy", "vivid", "warm", "witty",
    "young", "zesty",
)
NOUNS = (
    "badger", "bear", "beaver", "bison", "crane", "crow", "deer", "dolphin", "eagle", "falcon",
    "ferret", "finch", "fox", "gecko", "heron", "hare", "ibis", "jackal", "koala", "lark",
    "lemur", "lion", "lynx", "marten", "mole", "moose", "newt", "otter", "owl", "panda",
    "puffin", "quail", "raven", "robin", "salmon", "seal", "shrew", "sparrow", "stoat", "swan",
    "tapir", "tiger", "toad", "trout", "turtle", "viper", "walrus", "whale", "wolf", "wren",
    "yak", "zebra",
)

#: How much of a notebook's stem a name keeps.
STEM = 24

#: What a name may be: one line of printable text, not blank, at most this long.
MAX_LENGTH = 80


def stem(notebook: str | None) -> str:
    """The notebook's file name without its extension, cut to :data:`STEM` characters."""
    if not notebook:
        return ""
    return re.sub(r"\.[^.]*$", "", notebook.rsplit("/", 1)[-1])[:STEM]


def derive(run_id: str, notebook: str | None, salt: int = 0) -> str:
    """The name of run ``run_id`` (``salt`` > 0: the next candidate after a clash)."""
    digest = hashlib.md5((run_id if salt == 0 else f"{run_id}:{salt}").encode()).hexdigest()
    base = stem(notebook)
    if base:
        return f"{base}-{digest[:4]}"
    return (f"{ADJECTIVES[int(digest[4:8], 16) % len(ADJECTIVES)]}-"
            f"{NOUNS[int(digest[8:12], 16) % len(NOUNS)]}")


def _words(items: tuple[str, ...]) -> str:
    """A word list as a DuckDB list literal."""
    return "[" + ", ".join(f"'{w}'" for w in items) + "]"


def derive_sql(run_id: str, notebook: str) -> str:
    """:func:`derive` (salt 0) in DuckDB SQL, over the SQL expressions ``run_id`` and
    ``notebook``."""
    digest = f"md5({run_id})"
    base = f"left(regexp_replace(regexp_extract(coalesce({notebook}, ''), '[^/]*$'), " \
           f"'\\.[^.]*$', ''), {STEM})"
    pick = "list_extract({}, 1 + ('0x' || substr({}, {}, 4))::INTEGER % {})"
    return f"""CASE WHEN {base} <> '' THEN {base} || '-' || left({digest}, 4)
        ELSE {pick.format(_words(ADJECTIVES), digest, 5, len(ADJECTIVES))} || '-' ||
             {pick.format(_words(NOUNS), digest, 9, len(NOUNS))} END"""


def distinct(run_id: str, notebook: str | None, taken: set[str]) -> str:
    """:func:`derive`, or the first salted candidate no run in ``taken`` has."""
    salt = 0
    while (name := derive(run_id, notebook, salt)) in taken and salt < 100:
        salt += 1
    return name


def problem(name: object) -> str | None:
    """Why ``name`` cannot be a run's name, or None."""
    if not isinstance(name, str) or not name.strip():
        return f"a run's name must be non-blank text, not {name!r}"
    if len(name) > MAX_LENGTH or not name.isprintable():
        return (f"a run's name must be one line of at most {MAX_LENGTH} printable "
                f"characters, not {name[:MAX_LENGTH]!r}")
    return None


#: How much of a cell's first meaningful line its label keeps.
CELL_LINE = 40


def cell_label(seq: int | None, source: str | None) -> str:
    """``#4 model.fit(X, y)``: the cell's position and its first line that is not blank, a
    comment or a magic, cut to :data:`CELL_LINE` characters."""
    line = next((s.strip() for s in (source or "").splitlines()
                 if s.strip() and not s.lstrip().startswith(("#", "%", "!"))), "")
    if len(line) > CELL_LINE:
        line = line[:CELL_LINE - 1].rstrip() + "…"
    return f"#{seq if seq is not None else '?'} {line}".rstrip()


def dataset_label(name: str | None, kind: str | None, shape: object) -> str:
    """``train_df · DataFrame 1,000×12``: the variable that held the data, its kind and
    shape (what is known of them)."""
    dims = list(shape) if isinstance(shape, (list, tuple)) else []
    size = "×".join(f"{d:,}" if isinstance(d, int) else str(d) for d in dims)
    what = " ".join(p for p in (kind, size) if p)
    return " · ".join(p for p in (name, what) if p) or "data"


def version_label(name: str, version: int | str, aliases: list[str] | None = None) -> str:
    """``churn:3 @champion @staging``."""
    return " ".join([f"{name}:{version}", *(f"@{a}" for a in aliases or [])])
