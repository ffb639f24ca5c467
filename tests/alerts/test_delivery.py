"""The outbox against real receivers on loopback: content, headers, dedup keys, retries,
giving up, rate limits, one delivery among several deliverers."""

from __future__ import annotations

import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

from jupyter_mlops import events as ev
from jupyter_mlops.alerts import config, history
from jupyter_mlops.alerts.delivery import Deliverer
from jupyter_mlops.store import Store, queries

from .conftest import Events
from .receivers import hook, smtp


def _setup(store: Store, url: str, fmt: str = "json", **rule: object) -> None:
    config.add_channel(store, "ops", {"type": "webhook", "url": url, "format": fmt})
    config.add_rule(store, "failures", {"on": ["job_failed", "job_timed_out"],
                                        "channels": ["ops"], **rule})
    s = config.load(store)
    s.settings.update(backoff_s=0.2, lease_s=5.0, timeout_s=1.0,
                      base_url="http://lab.example:8888/")
    config.save(store, s)


def test_a_failed_job_is_posted_once_with_its_key_and_link(store: Store, events: Events) -> None:
    with hook() as h:
        _setup(store, h.url)
        events.job("a" * 32, "failed", schedule="nightly")
        events.job("b" * 32, "succeeded")  # no rule fires on success
        d = Deliverer(store)
        sent = d.tick()
        assert [m["outcome"] for m in sent] == [ev.ALERT_DELIVERED]
        [request] = h.wait(1)
        body, headers = request["body"], request["headers"]
        name = queries.run(store, "a" * 32)["name"]  # the run's name, not its id
        assert body["title"] == f"job {name} failed (schedule nightly) (experiment churn)"
        assert body["text"] == "a cell raised\nValueError: bad input"
        assert body["severity"] == "error" and body["kind"] == "job_failed"
        assert body["link"] == f"http://lab.example:8888/lab?mlops-run={'a' * 32}"
        assert headers["idempotency-key"] == headers["x-mlops-dedup-key"] == body["key"]
        assert d.tick() == [] and d.tick() == []
        assert len(h.requests) == 1
        found = history(store)
        assert found.state.tolist() == ["delivered"] and found.attempts.tolist() == [1]


def test_slack_and_teams_payloads(store: Store, events: Events) -> None:
    with hook() as h:
        _setup(store, h.url, "slack")
        events.job("c" * 32, "timed_out", reason="ran past its 60 s")
        Deliverer(store).tick()
        text = h.wait(1)[0]["body"]["text"]
        name = queries.run(store, "c" * 32)["name"]
        assert text.startswith(f"*[error] job {name} timed out (experiment churn)*\n")
        assert "ran past its 60 s" in text and "|open>" in text
        config.add_channel(store, "ops", {"type": "webhook", "url": h.url, "format": "teams"},
                           replace=True)
        events.job("d" * 32, "failed")
        Deliverer(store).tick()
        card = h.wait(2)[1]["body"]
        assert card["@type"] == "MessageCard" and card["themeColor"] == "E01E5A"
        link = card["potentialAction"][0]["targets"][0]["uri"]
        assert link.endswith(f"/lab?mlops-run={'d' * 32}")


def test_a_receiver_answering_500_is_retried_with_backoff(store: Store, events: Events) -> None:
    with hook(fail_first=2) as h:
        _setup(store, h.url)
        events.job("e" * 32, "failed")
        d = Deliverer(store)
        assert [m["outcome"] for m in d.tick()] == [ev.ALERT_RETRY]
        assert d.tick() == []  # not yet: the back-off (0.2 s) runs
        time.sleep(0.25)
        assert [m["outcome"] for m in d.tick()] == [ev.ALERT_RETRY]
        time.sleep(0.45)  # the second back-off doubles
        assert [m["outcome"] for m in d.tick()] == [ev.ALERT_DELIVERED]
        assert h.answered == 3 and len(h.requests) == 1
        row = history(store).iloc[0]
        assert row.state == "delivered" and row.attempts == 3
        assert "HTTP 500" in row.last_error


def test_a_receiver_that_times_out_is_given_up_and_shown(store: Store, events: Events) -> None:
    with hook(delay_s=2.0) as h:
        _setup(store, h.url)
        s = config.load(store)
        s.settings.update(timeout_s=0.3, give_up_after_s=0.5)
        config.save(store, s)
        events.job("f" * 32, "failed")
        d = Deliverer(store)
        assert [m["outcome"] for m in d.tick()] == [ev.ALERT_FAILED]
        row = history(store, state="failed").iloc[0]
        assert "timed out" in row.last_error
        assert d.tick() == []


def test_a_rate_limit_keeps_a_storm_to_a_few(store: Store, events: Events) -> None:
    with hook() as h:
        _setup(store, h.url, rate_limit=2, rate_window_s=3600)
        for i in range(6):
            events.job(f"{i:032x}", "failed")
        Deliverer(store).tick()
        assert len(h.wait(2)) == 2
        found = history(store)
        assert sorted(found.state) == ["delivered"] * 2 + ["suppressed"] * 4


def test_two_deliverers_send_each_message_once(store: Store, events: Events) -> None:
    with hook() as h:
        _setup(store, h.url)
        for i in range(20):
            events.job(f"{i:032x}", "failed")
        deliverers = [Deliverer(store), Deliverer(store)]
        threads = [threading.Thread(target=d.tick) for d in deliverers for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(h.keys()) == sorted(set(h.keys())) and len(h.keys()) == 20


def test_email_over_smtp_with_credentials_from_the_environment(
        store: Store, events: Events, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLOPS_TEST_SMTP_PASSWORD", "s3cret")
    logins = []

    def authenticate(server: object, session: object, envelope: object, mechanism: str,
                     auth_data: object) -> object:
        from aiosmtpd.smtp import AuthResult

        logins.append((auth_data.login, auth_data.password))  # type: ignore[attr-defined]
        return AuthResult(success=True)

    with smtp(authenticator=authenticate, auth_require_tls=False) as server:
        config.add_channel(store, "mail", {
            "type": "email", "host": "127.0.0.1", "port": server.port, "security": "none",
            "sender": "mlops@example.com", "to": ["oncall@example.com"], "username": "mlops",
            "password_env": "MLOPS_TEST_SMTP_PASSWORD"})
        config.add_rule(store, "mine", {"on": ["user"], "channels": ["mail"]})
        events.write(ev.ALERT, {"title": "AUC fell", "text": "0.71 < 0.8",
                                "severity": "critical"})
        [sent] = Deliverer(store).tick()
        assert sent["outcome"] == ev.ALERT_DELIVERED
        [(envelope, mail)] = server.mails
        assert envelope.rcpt_tos == ["oncall@example.com"]
        assert mail["Subject"] == "[critical] AUC fell"
        assert mail["Message-ID"] == f"<{sent['key']}@jupyter-mlops>"
        assert mail["X-MLOps-Dedup-Key"] == sent["key"]
        assert "0.71 < 0.8" in mail.get_payload()
        assert logins == [(b"mlops", b"s3cret")]
    log = b"".join(p.read_bytes() for p in (store.root).rglob("*.jsonl"))
    assert b"s3cret" not in log


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_email_over_tls_checks_the_server_certificate(store: Store, events: Events,
                                                      tmp_path: Path, security: str) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    options = ({"tls_context": context, "require_starttls": True} if security == "starttls"
               else {"ssl_context": context})
    with smtp(**options) as server:
        channel = {"type": "email", "host": "127.0.0.1", "port": server.port,
                   "security": security, "sender": "a@example.com", "to": ["b@example.com"]}
        config.add_channel(store, "untrusted", channel)
        config.add_channel(store, "mail", {**channel, "ca_file": str(cert)})
        config.add_rule(store, "mine", {"on": ["user"], "channels": ["mail", "untrusted"]})
        events.write(ev.ALERT, {"title": "over TLS", "severity": "error"})
        sent = {m["channel"]: m for m in Deliverer(store).tick()}
        assert sent["mail"]["outcome"] == ev.ALERT_DELIVERED
        assert sent["untrusted"]["outcome"] == ev.ALERT_RETRY  # a certificate it cannot trust
        [(_, mail)] = server.mails
        assert mail["Subject"] == "[error] over TLS"
    assert "CERTIFICATE_VERIFY_FAILED" in history(store, state="retry").last_error.iloc[0]
