"""The alerts configuration: one TOML file in the store, ``<store>/alerts.toml``.

Read with the standard library's ``tomllib``; written by :func:`save`, a writer for the
few shapes the schema allows (strings, numbers, booleans, lists of strings, one level of
named tables), so no TOML writer is a dependency. Everything is validated on the way in and
out: a rule naming an unknown channel, a webhook URL that is not http(s), an email channel
whose credentials are not there are refused when written, with the reason (docs/alerts.md).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..exceptions import AlertConfigError
from ..store import Store, replace_file

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FILE = "alerts.toml"
#: What a rule can fire on.
KINDS = ("job_failed", "job_timed_out", "job_kernel_died", "job_lost", "job_succeeded",
         "job_cancelled", "job_interrupted", "job_refused", "schedule_missed", "run_died",
         "drift", "performance_drift", "gate_refused", "alias_moved", "user",
         "contract_violated")
#: Severities, lowest first.
SEVERITIES = ("info", "warning", "error", "critical")
FORMATS = ("json", "slack", "teams", "mattermost")
SECURITY = ("starttls", "ssl", "none")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SETTINGS: dict[str, Any] = {"base_url": "", "timeout_s": 10.0, "backoff_s": 2.0,
                             "max_backoff_s": 300.0, "give_up_after_s": 86400.0,
                             "lease_s": 60.0}
_CHANNEL = {"webhook": {"type", "url", "format"},
            "email": {"type", "host", "port", "security", "sender", "to", "username",
                      "password_env", "password_file", "ca_file"}}
_RULE = {"on", "channels", "experiment", "schedule", "model", "min_severity", "rate_limit",
         "rate_window_s", "created"}


@dataclass
class Config:
    """The parsed file: ``settings`` (defaults filled in), ``channels`` and ``rules`` by
    name, each a plain dict as written."""

    settings: dict[str, Any] = field(default_factory=lambda: dict(_SETTINGS))
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)


def path(store: Store) -> Path:
    return store.root / FILE


def load(store: Store) -> Config:
    """The store's configuration (an empty one when there is no file), validated."""
    try:
        text = path(store).read_text()
    except FileNotFoundError:
        return Config()
    except OSError as e:
        raise AlertConfigError(f"cannot read {path(store)}: {e.strerror}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise AlertConfigError(f"{path(store)} is not valid TOML ({e}); fix it or remove "
                               f"it and add the rules again") from None
    unknown = set(raw) - {"settings", "channels", "rules"}
    if unknown:
        raise AlertConfigError(f"{path(store)}: unknown section {sorted(unknown)[0]!r}; "
                               f"the sections are settings, channels and rules")
    config = Config({**_SETTINGS, **raw.get("settings", {})}, raw.get("channels", {}),
                    raw.get("rules", {}))
    validate(config, credentials=False)
    return config


def save(store: Store, config: Config) -> None:
    """Validate (credentials included: they must be reachable from this process) and write
    the file whole."""
    validate(config, credentials=True)
    store.root.mkdir(parents=True, exist_ok=True)
    settings = {k: v for k, v in config.settings.items() if _SETTINGS.get(k) != v}
    replace_file(path(store), "# jupyter-mlops alerts: see docs/alerts.md\n" + "".join(
        _table(f"{section}.{name}" if name else section, values)
        for section, name, values in [("settings", "", settings)]
        + [("channels", n, c) for n, c in sorted(config.channels.items())]
        + [("rules", n, r) for n, r in sorted(config.rules.items())] if values))


def _table(header: str, values: dict[str, Any]) -> str:
    return f"\n[{header}]\n" + "".join(f"{k} = {_value(v)}\n" for k, v in values.items())


def _value(value: Any) -> str:
    """A TOML value: JSON's string escapes are TOML's basic-string escapes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise AlertConfigError(f"{value!r} cannot be written to {FILE}")


def add_channel(store: Store, name: str, spec: dict[str, Any], *,
                replace: bool = False) -> dict[str, Any]:
    """Add (or with ``replace``, change) a channel; refused with the reason if it cannot
    work."""
    config = load(store)
    if name in config.channels and not replace:
        raise AlertConfigError(f"a channel named {name!r} exists; pass replace (--replace) "
                               f"to change it")
    config.channels[name] = {k: v for k, v in spec.items() if v is not None}
    save(store, config)
    return config.channels[name]


def add_rule(store: Store, name: str, spec: dict[str, Any], *,
             replace: bool = False) -> dict[str, Any]:
    """Add (or with ``replace``, change) a rule; it fires on events from now on."""
    config = load(store)
    if name in config.rules and not replace:
        raise AlertConfigError(f"a rule named {name!r} exists; pass replace (--replace) to "
                               f"change it")
    created = config.rules.get(name, {}).get("created", time.time())
    config.rules[name] = {**{k: v for k, v in spec.items() if v is not None},
                          "created": created}
    save(store, config)
    return config.rules[name]


def remove(store: Store, section: str, name: str) -> None:
    """Remove a rule or a channel (a channel no rule uses)."""
    config = load(store)
    table = config.rules if section == "rule" else config.channels
    if name not in table:
        raise AlertConfigError(f"no {section} named {name!r}; `jupyter mlops alerts list` "
                               f"lists them")
    del table[name]
    save(store, config)


def validate(config: Config, *, credentials: bool) -> None:
    """Raise :class:`AlertConfigError` naming the first problem and its fix."""
    s = config.settings
    _known("settings", s, set(_SETTINGS))
    for key in set(_SETTINGS) - {"base_url"}:
        if not isinstance(s[key], (int, float)) or isinstance(s[key], bool) or s[key] <= 0:
            raise AlertConfigError(f"settings.{key} = {s[key]!r}: give a number of seconds "
                                   f"above 0")
    if s["lease_s"] <= s["timeout_s"]:
        raise AlertConfigError(f"settings.lease_s ({s['lease_s']}) must be longer than "
                               f"timeout_s ({s['timeout_s']}): a claim must outlast a send")
    if s["base_url"]:
        _url("settings.base_url", s["base_url"])
    for name, channel in config.channels.items():
        _channel(name, channel, credentials)
    for name, rule in config.rules.items():
        _rule(name, rule, config.channels)


def _known(where: str, values: Any, allowed: set[str]) -> None:
    if not isinstance(values, dict):
        raise AlertConfigError(f"{where} must be a table of settings")
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise AlertConfigError(f"{where}: unknown setting {unknown[0]!r}; it takes "
                               f"{', '.join(sorted(allowed))}")


def _url(where: str, url: Any) -> None:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise AlertConfigError(f"{where}: {url!r} is not an http(s) URL; write it like "
                               f"https://hooks.example.com/path")


def _channel(name: str, c: Any, credentials: bool) -> None:
    where = f"channel {name!r}"
    if not _NAME.match(name):
        raise AlertConfigError(f"{where}: use letters, digits, '_' or '-' in names")
    kind = c.get("type") if isinstance(c, dict) else None
    if kind not in _CHANNEL:
        raise AlertConfigError(f"{where}: type {kind!r} is unknown; use webhook or email")
    _known(where, c, _CHANNEL[kind])
    if kind == "webhook":
        _url(where, c.get("url"))
        if c.get("format", "json") not in FORMATS:
            raise AlertConfigError(f"{where}: format {c['format']!r} is unknown; use "
                                   f"{', '.join(FORMATS)}")
        return
    if not isinstance(c.get("host"), str) or not c["host"]:
        raise AlertConfigError(f"{where}: give the SMTP server's host")
    if not isinstance(c.get("port", 587), int) or not 0 < c.get("port", 587) < 65536:
        raise AlertConfigError(f"{where}: port {c.get('port')!r} is not a TCP port")
    if c.get("security", "starttls") not in SECURITY:
        raise AlertConfigError(f"{where}: security {c['security']!r} is unknown; use "
                               f"{', '.join(SECURITY)}")
    for address in [c.get("sender"), *(c.get("to") or [None])]:
        if not isinstance(address, str) or "@" not in address:
            raise AlertConfigError(f"{where}: {address!r} is not an email address; give "
                                   f"sender and at least one recipient (to)")
    if c.get("ca_file") and not Path(c["ca_file"]).is_file():
        raise AlertConfigError(f"{where}: ca_file {c['ca_file']!r} is not a file (the PEM "
                               f"certificates its server's certificate is checked against)")
    if c.get("username") and not (c.get("password_env") or c.get("password_file")):
        raise AlertConfigError(f"{where}: a username needs a password: name the environment "
                               f"variable (password_env) or file (password_file) holding it; "
                               f"the password itself is never written")
    if credentials:
        password(name, c)


def password(name: str, c: dict[str, Any]) -> str | None:
    """An email channel's password, from the environment or a file (never from the event
    log or this configuration); a clear error if it is named but not there."""
    if c.get("password_env"):
        value = os.environ.get(c["password_env"])
        if value is None:
            raise AlertConfigError(f"channel {name!r}: the environment variable "
                                   f"{c['password_env']} holding its password is not set")
        return value
    if c.get("password_file"):
        try:
            return Path(c["password_file"]).read_text().strip()
        except OSError as e:
            raise AlertConfigError(f"channel {name!r}: cannot read its password file "
                                   f"{c['password_file']}: {e.strerror}") from None
    return None


def _rule(name: str, r: Any, channels: dict[str, Any]) -> None:
    where = f"rule {name!r}"
    if not _NAME.match(name):
        raise AlertConfigError(f"{where}: use letters, digits, '_' or '-' in names")
    _known(where, r, _RULE)
    kinds = r.get("on")
    if not kinds or not isinstance(kinds, list):
        raise AlertConfigError(f"{where}: say what it fires on (on = [...]): "
                               f"{', '.join(KINDS)}")
    for kind in kinds:
        if kind not in KINDS:
            raise AlertConfigError(f"{where}: {kind!r} is not an event it can fire on; use "
                                   f"{', '.join(KINDS)}")
    named = r.get("channels")
    if not named or not isinstance(named, list):
        raise AlertConfigError(f"{where}: name the channels it sends to (channels = [...])")
    for channel in named:
        if channel not in channels:
            raise AlertConfigError(f"{where}: no channel named {channel!r}; add it first "
                                   f"(`jupyter mlops alerts add channel`) or use one of: "
                                   f"{', '.join(sorted(channels)) or 'none yet'}")
    if r.get("min_severity", "info") not in SEVERITIES:
        raise AlertConfigError(f"{where}: min_severity {r['min_severity']!r} is unknown; "
                               f"use {', '.join(SEVERITIES)}")
    for key in ("rate_limit", "rate_window_s"):
        value = r.get(key, 1)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            raise AlertConfigError(f"{where}: {key} = {value!r}: give a number above 0")
