"""Rules over alertable events: which rule fires on which event, the message it sends, and
the rate limit that keeps 500 failed jobs from becoming 500 mails.

Evaluation is a pure function of the store's rows and the configuration, and each message's
key is a hash of (rule, channel, event): evaluating the same event twice (a deliverer killed
before its marks were recorded, two deliverers at once) queues the same message, which the
store keeps once (docs/alerts.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from .config import SEVERITIES, Config

_DEFAULT_SEVERITY = {"job_succeeded": "info", "alias_moved": "info", "drift": "warning",
                     "performance_drift": "warning", "gate_refused": "warning",
                     "schedule_missed": "warning", "run_died": "warning",
                     "job_cancelled": "warning", "job_interrupted": "warning",
                     "contract_violated": "warning"}


def severity(source: dict[str, Any]) -> str:
    """The event's severity: what ``mlops.alert`` was given, else its kind's (a failed,
    timed-out, lost or refused job: error)."""
    given = source.get("severity")
    if given in SEVERITIES:
        return str(given)
    return _DEFAULT_SEVERITY.get(source["kind"], "error")


def _model_name(model: Any) -> str | None:
    """``churn:3`` and ``churn@champion`` name the model ``churn``."""
    return None if model is None else str(model).split(":")[0].split("@")[0]


def matches(rule: dict[str, Any], source: dict[str, Any]) -> bool:
    """Whether ``rule`` fires on ``source``: its kind, its filters, events since the rule."""
    if source["kind"] not in rule["on"] or source["ts"] < rule.get("created", 0):
        return False
    if SEVERITIES.index(severity(source)) < SEVERITIES.index(rule.get("min_severity", "info")):
        return False
    wanted = {"experiment": source.get("experiment"), "schedule": source.get("schedule"),
              "model": _model_name(source.get("model"))}
    return all(rule.get(key) in (None, value) for key, value in wanted.items())


def dedup_key(rule: str, channel: str, source_id: str) -> str:
    """The message's key: the same for every delivery of it, so a receiver drops repeats."""
    return hashlib.sha256(f"{rule}\0{channel}\0{source_id}".encode()).hexdigest()[:32]


def _title_text(s: dict[str, Any]) -> tuple[str, str]:
    kind, run = s["kind"], s.get("run_name") or (s.get("run_id") or "")[:12]
    detail = json.loads(s["detail"]) if s.get("detail") else {}
    where = "".join(f" ({k} {s[k]})" for k in ("schedule", "experiment") if s.get(k))
    if kind.startswith("job_"):
        return f"job {run} {kind[4:].replace('_', ' ')}{where}", s.get("text") or ""
    if kind == "run_died":
        return f"run {run} died{where}", "its process ended without ending the run"
    if kind == "drift":
        columns = detail.get("columns") or []
        return (f"drift found{' for ' + s['model'] if s.get('model') else ''}: "
                f"{len(columns)} column{'s' * (len(columns) != 1)}",
                f"drifted columns: {', '.join(columns)}")
    if kind == "alias_moved":
        return (f"{s['model']}@{detail.get('alias')} moved to version {detail.get('version')}",
                f"was version {detail.get('previous')}; set by {detail.get('set_by')}")
    if kind == "gate_refused":
        return (f"promotion of {s['model']}:{detail.get('version')} to "
                f"@{detail.get('alias')} refused", s.get("text") or "")
    if kind == "performance_drift":
        return (f"performance drift: {detail.get('metric')} {detail.get('reference'):.4g} → "
                f"{detail.get('current'):.4g}{where}",
                f"95% CI of the change [{detail.get('ci_low'):+.4g}, "
                f"{detail.get('ci_high'):+.4g}], p = {detail.get('p_value'):.3g}")
    if kind == "contract_violated":
        broken = detail.get("violations") or []
        return (f"contract {detail.get('contract')} violated"
                f"{' for ' + s['model'] if s.get('model') else ''}: {len(broken)} rule"
                f"{'s' * (len(broken) != 1)}", f"{', '.join(broken)}")
    if kind == "schedule_missed":
        return (f"schedule {s.get('schedule')} missed its {detail.get('scheduled_for')} slot",
                s.get("text") or "")
    return s.get("title") or kind, s.get("text") or ""


def link(base_url: str, s: dict[str, Any]) -> str | None:
    """Where the event can be seen in JupyterLab at ``base_url`` (None: no base URL): the
    main area opens the drift report or the run (a job's run detail links its executed
    notebook) that the query names (labextension/src/links.ts)."""
    if not base_url:
        return None
    lab = base_url.rstrip("/") + "/lab"
    detail = json.loads(s["detail"]) if s.get("detail") else {}
    if s["kind"] == "drift" and detail.get("report"):
        return f"{lab}?{urlencode({'mlops-drift': detail['report']})}"
    if s.get("run_id"):
        return f"{lab}?{urlencode({'mlops-run': s['run_id']})}"
    return lab


def evaluate(config: Config, sources: Iterable[dict[str, Any]],
             recent: Iterable[dict[str, Any]], now: float) -> list[dict[str, Any]]:
    """The messages (``alert_queued`` payloads) the rules make of ``sources``; a message
    over its rule's rate limit (``recent``: messages queued lately) is queued suppressed,
    kept in the history but not sent."""
    sent: dict[str, list[float]] = {}
    for message in recent:
        if not message["suppressed"]:
            sent.setdefault(message["rule"], []).append(message["created"])
    queued = []
    for source in sources:
        for name, rule in config.rules.items():
            if not matches(rule, source):
                continue
            window = float(rule.get("rate_window_s", 3600))
            times = [t for t in sent.get(name, []) if t > now - window]
            suppressed = "rate_limit" in rule and len(times) >= rule["rate_limit"]
            if not suppressed:
                sent[name] = [*times, now]
            title, text = _title_text(source)
            for channel in rule["channels"]:
                queued.append({
                    "key": dedup_key(name, channel, source["id"]), "rule": name,
                    "channel": channel, "source": source["id"], "kind": source["kind"],
                    "severity": severity(source), "title": title, "text": text,
                    "link": link(config.settings["base_url"], source),
                    "run_id": source.get("run_id"), "suppressed": suppressed})
    return queued
