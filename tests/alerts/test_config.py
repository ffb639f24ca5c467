"""The alerts file: what is refused when written, with the reason, and what is kept."""

from __future__ import annotations

import pytest

from jupyter_mlops.alerts import config
from jupyter_mlops.alerts.config import tomllib
from jupyter_mlops.exceptions import AlertConfigError
from jupyter_mlops.store import Store

HOOK = {"type": "webhook", "url": "https://hooks.example.com/x", "format": "slack"}


def test_a_rule_and_a_channel_round_trip_through_the_file(store: Store) -> None:
    config.add_channel(store, "ops", HOOK)
    config.add_rule(store, "failures", {"on": ["job_failed", "job_lost"], "channels": ["ops"],
                                        "schedule": 'night "ly"\\\n', "rate_limit": 5})
    raw = tomllib.loads(config.path(store).read_text())
    assert raw["channels"]["ops"] == HOOK
    assert raw["rules"]["failures"]["schedule"] == 'night "ly"\\\n'
    assert raw["rules"]["failures"]["created"] > 0
    assert config.load(store).rules["failures"]["rate_limit"] == 5


@pytest.mark.parametrize(("name", "spec", "reason"), [
    ("sms", {"type": "sms"}, "type 'sms' is unknown; use webhook or email"),
    ("bad", {"type": "webhook", "url": "ftp://x/y"}, "is not an http(s) URL"),
    ("bad", {"type": "webhook", "url": "https://x/y", "format": "irc"}, "format 'irc'"),
    ("bad", {"type": "webhook", "url": "https://x/y", "token": "t"}, "unknown setting 'token'"),
    ("mail", {"type": "email", "host": "smtp.x", "sender": "a@x", "to": ["b@x"],
              "username": "me"}, "a username needs a password"),
    ("mail", {"type": "email", "host": "smtp.x", "sender": "a@x", "to": ["b@x"],
              "username": "me", "password_env": "MLOPS_TEST_NOT_SET"},
     "MLOPS_TEST_NOT_SET holding its password is not set"),
    ("mail", {"type": "email", "host": "smtp.x", "sender": "a@x", "to": ["nobody"]},
     "'nobody' is not an email address"),
])
def test_a_channel_that_cannot_work_is_refused_when_written(
        store: Store, name: str, spec: dict[str, object], reason: str) -> None:
    with pytest.raises(AlertConfigError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        config.add_channel(store, name, spec)
    assert not config.path(store).exists()


def test_a_rule_is_refused_with_the_reason(store: Store) -> None:
    config.add_channel(store, "ops", HOOK)
    with pytest.raises(AlertConfigError, match="no channel named 'pager'; add it first"):
        config.add_rule(store, "r", {"on": ["job_failed"], "channels": ["pager"]})
    with pytest.raises(AlertConfigError, match="'job_exploded' is not an event it can fire on"):
        config.add_rule(store, "r", {"on": ["job_exploded"], "channels": ["ops"]})
    with pytest.raises(AlertConfigError, match="min_severity 'loud' is unknown"):
        config.add_rule(store, "r", {"on": ["user"], "channels": ["ops"],
                                     "min_severity": "loud"})
    assert "r" not in config.load(store).rules


def test_credentials_are_named_never_stored(store: Store,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLOPS_TEST_SMTP_PASSWORD", "s3cret")
    config.add_channel(store, "mail", {"type": "email", "host": "smtp.x", "sender": "a@x",
                                       "to": ["b@x"], "username": "me",
                                       "password_env": "MLOPS_TEST_SMTP_PASSWORD"})
    assert "s3cret" not in config.path(store).read_text()


def test_a_hand_edited_file_that_is_broken_says_where(store: Store) -> None:
    config.path(store).write_text("[rules.x]\non = [\n")
    with pytest.raises(AlertConfigError, match="is not valid TOML"):
        config.load(store)
    config.path(store).write_text("[rules.x]\non = ['user']\nchannels = ['gone']\n")
    with pytest.raises(AlertConfigError, match="no channel named 'gone'"):
        config.load(store)


def test_settings_are_checked(store: Store) -> None:
    settings = config.load(store)
    settings.settings["lease_s"] = 5.0
    with pytest.raises(AlertConfigError, match=r"lease_s \(5.0\) must be longer than timeout_s"):
        config.save(store, settings)
    settings.settings.update(lease_s=60.0, give_up_after_s=-1)
    with pytest.raises(AlertConfigError, match="give_up_after_s = -1: give a number of seconds"):
        config.save(store, settings)
