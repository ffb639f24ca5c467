"""Promotion gates: the conditions a version must meet to take an alias.

A gate maps a metric to a condition: ``">= 0.85"``, ``"> champion + 0.01"``, or either over
the realized history of scored batches, ``"> champion on last 3 batches"``: the metric as
computed from labels on each of the last 3 labeled batches both versions scored (as
shadow, canary or champion: :mod:`jupyter_mlops.scoring`), the condition holding on every
one. That way a retrain wins only on data seen after it was trained. A history condition
with fewer labeled batches than it asks for is refused, saying how to get them.
"""

from __future__ import annotations

import operator
import re
from typing import Any

from .exceptions import GateRefused

_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
        "==": operator.eq}
_GATE = re.compile(r"^\s*(>=|<=|>|<|==)\s*(?:(champion)\s*(?:([+-])\s*([0-9.eE+-]+))?|"
                   r"([+-]?[0-9.eE+-]+))\s*(?:on\s+last\s+([0-9]{1,4})\s+batch(?:es)?)?\s*$")


def check(gate: dict[str, str], metrics: dict[str, float], champion: dict[str, float] | None,
          label: str, *, con: Any = None, name: str = "", version: int = 0,
          champion_version: int | None = None) -> None:
    """Raise :class:`GateRefused` naming the first condition of ``gate`` that does not hold.

    ``metrics``/``champion``: the recorded metrics of the version and of the alias's current
    version; ``con``, ``name``, ``version``, ``champion_version``: where a history
    condition reads the realized metrics per batch.
    """
    for key, condition in gate.items():
        match = _GATE.match(str(condition))
        if not match:
            raise ValueError(f"gate condition {key}: {condition!r} is not understood; write "
                             f"e.g. '>= 0.85', '> champion + 0.01' or "
                             f"'> champion on last 3 batches'")
        op, is_champion, sign, margin, number, last = match.groups()
        offset = float(margin or 0) * (-1 if sign == "-" else 1)
        if last is not None:
            _check_history(key, op, bool(is_champion), offset, number, int(last), label,
                           con, name, version, champion_version)
            continue
        if key not in metrics:
            raise GateRefused(f"promotion of {label} refused: it has no recorded metric "
                              f"{key!r} (it has: {', '.join(sorted(metrics)) or 'none'})")
        if is_champion:
            if champion is None or key not in champion:
                continue  # no champion to beat yet: the condition holds vacuously
            bound = champion[key] + offset
            what = f"champion's {champion[key]:.6g}" + (f" {sign} {margin}" if margin else "")
        else:
            bound, what = float(number), number
        if not _OPS[op](metrics[key], bound):
            raise GateRefused(f"promotion of {label} refused: {key} = {metrics[key]:.6g} is "
                              f"not {op} {what}")


def _check_history(key: str, op: str, against_champion: bool, offset: float,
                   number: str | None, last: int, label: str, con: Any, name: str,
                   version: int, champion_version: int | None) -> None:
    """Every one of the last ``last`` labeled batches holds the condition."""
    from .store.queries.scoring import metric_history

    if last < 1:
        raise ValueError(f"gate condition {key}: 'on last {last} batches' needs at least 1")
    if against_champion and (champion_version is None or champion_version == version):
        return  # no other champion to beat yet: holds vacuously, as without history
    wanted = [version] + ([champion_version] if against_champion and champion_version else [])
    batches = [(batch, values) for batch, values in metric_history(con, name, key, wanted)
               if all(v in values for v in wanted)][:last]
    if len(batches) < last:
        whose = f"{name}:{version}" + (f" and {name}:{champion_version}" if against_champion
                                       else "")
        raise GateRefused(
            f"promotion of {label} refused: the gate needs {key} of {whose} on the last "
            f"{last} labeled batch(es), and there {'is' if len(batches) == 1 else 'are'} "
            f"{len(batches)} so far; score batches with --shadow {name}:{version} and label "
            f"them (mlops.label) first")
    for batch, values in batches:
        best = values.get(champion_version) if champion_version is not None else None
        bound = best + offset if against_champion and best is not None else float(number or 0)
        if not _OPS[op](values[version], bound):
            what = f"champion's {best:.6g}" if best is not None else f"{bound:.6g}"
            raise GateRefused(f"promotion of {label} refused: on batch {batch[:12]}, {key} = "
                              f"{values[version]:.6g} is not {op} {what}"
                              f"{f' {offset:+g}' if against_champion and offset else ''}")
