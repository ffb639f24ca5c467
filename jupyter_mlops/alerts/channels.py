"""Channels: how a message leaves. A webhook (generic JSON, or the payloads Slack, Microsoft
Teams and Mattermost incoming webhooks take) over ``urllib``, and email over ``smtplib``
(STARTTLS, SSL or plain; the password from the environment or a file, read at sending time
and never written anywhere). Every message carries its dedup key: the ``Idempotency-Key``
and ``X-MLOps-Dedup-Key`` headers of a webhook, the ``Message-ID`` and
``X-MLOps-Dedup-Key`` of a mail, so a receiver drops repeats of an at-least-once delivery.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from ..exceptions import AlertConfigError, DeliveryFailed
from .config import password

_COLOURS = {"info": "2EB67D", "warning": "ECB22E", "error": "E01E5A", "critical": "8B0000"}


def send(name: str, channel: dict[str, Any], message: dict[str, Any], timeout: float) -> str:
    """Send ``message`` through ``channel``; returns what the receiver answered, raises
    :class:`DeliveryFailed` with the reason otherwise."""
    try:
        if channel["type"] == "webhook":
            return _post(channel, message, timeout)
        return _mail(name, channel, message, timeout)
    except DeliveryFailed:
        raise
    except AlertConfigError as e:  # its password is gone from the environment or file
        raise DeliveryFailed(str(e)) from None
    except (OSError, smtplib.SMTPException, ValueError) as e:
        raise DeliveryFailed(f"channel {name!r}: {type(e).__name__}: {e}") from None


def body(fmt: str, m: dict[str, Any]) -> dict[str, Any]:
    """The webhook's JSON body in the receiver's format."""
    line = f"[{m['severity']}] {m['title']}"
    if fmt in ("slack", "mattermost"):
        text = f"*{line}*\n{m['text']}" + (f"\n<{m['link']}|open>" if m.get("link") else "")
        return {"text": text}
    if fmt == "teams":  # an Office 365 connector card
        card: dict[str, Any] = {"@type": "MessageCard", "@context": "https://schema.org/extensions",
                                "summary": line, "themeColor": _COLOURS[m["severity"]],
                                "title": line, "text": m["text"] or " "}
        if m.get("link"):
            card["potentialAction"] = [{"@type": "OpenUri", "name": "Open",
                                        "targets": [{"os": "default", "uri": m["link"]}]}]
        return card
    return {k: m.get(k) for k in ("key", "rule", "kind", "severity", "title", "text", "link",
                                  "run_id", "source", "created")}


def _post(channel: dict[str, Any], message: dict[str, Any], timeout: float) -> str:
    data = json.dumps(body(channel.get("format", "json"), message)).encode()
    request = urllib.request.Request(channel["url"], data=data, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "jupyter-mlops-alerts",
        "Idempotency-Key": message["key"], "X-MLOps-Dedup-Key": message["key"]})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return f"HTTP {answer.status}"
    except urllib.error.HTTPError as e:
        raise DeliveryFailed(f"the webhook answered HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        raise DeliveryFailed(f"the webhook could not be reached: {e.reason}") from None


def _mail(name: str, channel: dict[str, Any], message: dict[str, Any], timeout: float) -> str:
    mail = EmailMessage()
    mail["Subject"] = f"[{message['severity']}] {message['title']}"
    mail["From"], mail["To"] = channel["sender"], ", ".join(channel["to"])
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = f"<{message['key']}@jupyter-mlops>"
    mail["X-MLOps-Dedup-Key"] = message["key"]
    mail.set_content("\n\n".join(filter(None, [message["text"], message.get("link")])) + "\n")
    security, host = channel.get("security", "starttls"), channel["host"]
    port = channel.get("port", 465 if security == "ssl" else 587)
    context = ssl.create_default_context(cafile=channel.get("ca_file"))
    smtp: smtplib.SMTP = (smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
                          if security == "ssl" else smtplib.SMTP(host, port, timeout=timeout))
    with smtp:
        if security == "starttls":
            smtp.starttls(context=context)
        if channel.get("username"):
            smtp.login(channel["username"], password(name, channel) or "")
        refused = smtp.send_message(mail)
    if refused:
        raise DeliveryFailed(f"the mail server refused {', '.join(refused)}")
    return f"mailed {len(channel['to'])}"
