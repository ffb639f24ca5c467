"""``alerts …``: rules and channels (``<store>/alerts.toml``), a test message, the history."""

from __future__ import annotations

import json
from typing import Any

import click

from ..store import Store
from .common import json_option, pass_store, print_frame


@click.group()
def alerts() -> None:
    """Alerts: rules over events, sent to webhooks and email (docs/alerts.md)."""


@alerts.group("add")
def alerts_add() -> None:
    """Add a channel (where messages go) or a rule (what sends them)."""


@alerts_add.command("channel")
@click.argument("name")
@click.option("--webhook", "url", help="Post to this http(s) URL.")
@click.option("--format", "fmt", type=click.Choice(["json", "slack", "teams", "mattermost"]),
              help="The webhook's payload (default json).")
@click.option("--smtp", "host", help="Mail through this SMTP server (HOST or HOST:PORT).")
@click.option("--security", type=click.Choice(["starttls", "ssl", "none"]),
              help="How to talk to the SMTP server (default starttls).")
@click.option("--sender", help="The From address of the mails.")
@click.option("--to", multiple=True, help="A recipient (repeat for more).")
@click.option("--username", help="The SMTP login.")
@click.option("--password-env", help="The environment variable holding the SMTP password.")
@click.option("--password-file", help="The file holding the SMTP password.")
@click.option("--replace", is_flag=True, help="Replace a channel of the same name.")
@pass_store
def add_channel(store: Store, name: str, url: str | None, fmt: str | None,
                host: str | None, security: str | None, sender: str | None,
                to: tuple[str, ...], username: str | None, password_env: str | None,
                password_file: str | None, replace: bool) -> None:
    """Add the channel NAME: a webhook (--webhook) or email (--smtp)."""
    from ..alerts import add_channel as add

    if bool(url) == bool(host):
        raise click.UsageError("give one of --webhook URL or --smtp HOST")
    if url:
        spec: dict[str, Any] = {"type": "webhook", "url": url, "format": fmt}
    else:
        server, _, port = (host or "").partition(":")
        if port and not port.isdigit():
            raise click.UsageError(f"--smtp {host}: the port after ':' must be a number")
        spec = {"type": "email", "host": server, "port": int(port) if port else None,
                "security": security, "sender": sender, "to": list(to), "username": username,
                "password_env": password_env, "password_file": password_file}
    add(store, name, spec, replace=replace)
    click.echo(f"channel {name} added; `jupyter mlops alerts test {name}` sends a test message")


@alerts_add.command("rule")
@click.argument("name")
@click.option("--on", "kinds", multiple=True, required=True,
              help="An event it fires on: job_failed, job_timed_out, job_kernel_died, "
                   "job_lost, job_succeeded, schedule_missed, run_died, drift, "
                   "performance_drift, gate_refused, alias_moved, user (repeat for more).")
@click.option("--channel", "channels", multiple=True, required=True,
              help="A channel it sends to (repeat for more).")
@click.option("-e", "--experiment", help="Only events of this experiment's runs.")
@click.option("--schedule", help="Only events of this schedule's jobs.")
@click.option("--model", help="Only events of this model.")
@click.option("--min-severity", type=click.Choice(["info", "warning", "error", "critical"]),
              help="Only events at least this severe.")
@click.option("--rate-limit", type=int, help="At most this many messages per window; the "
              "rest are kept in the history, not sent.")
@click.option("--rate-window", "rate_window_s", type=float,
              help="The rate limit's window in seconds (default 3600).")
@click.option("--replace", is_flag=True, help="Replace a rule of the same name.")
@pass_store
def add_rule(store: Store, name: str, kinds: tuple[str, ...], channels: tuple[str, ...],
             replace: bool, **filters: Any) -> None:
    """Add the rule NAME: it fires on events from now on."""
    from ..alerts import add_rule as add

    add(store, name, {"on": list(kinds), "channels": list(channels), **filters},
        replace=replace)
    click.echo(f"rule {name}: {', '.join(kinds)} → {', '.join(channels)}")


@alerts.command("set")
@click.option("--base-url", help="The JupyterLab server messages link to.")
@click.option("--timeout", "timeout_s", type=float, help="Seconds a receiver gets to answer.")
@click.option("--backoff", "backoff_s", type=float, help="Seconds before the first retry "
              "(doubling after each failure).")
@click.option("--max-backoff", "max_backoff_s", type=float, help="The longest wait between "
              "retries.")
@click.option("--give-up-after", "give_up_after_s", type=float,
              help="Seconds after which a message that keeps failing is marked failed.")
@pass_store
def alerts_set(store: Store, **settings: Any) -> None:
    """Change the delivery settings."""
    from ..alerts import config

    current = config.load(store)
    current.settings.update({k: v for k, v in settings.items() if v is not None})
    config.save(store, current)
    click.echo(json.dumps(current.settings))


@alerts.command("remove")
@click.argument("what", type=click.Choice(["rule", "channel"]))
@click.argument("name")
@pass_store
def alerts_remove(store: Store, what: str, name: str) -> None:
    """Remove a rule or a channel."""
    from ..alerts import remove

    remove(store, what, name)
    click.echo(f"{what} {name} removed")


@alerts.command("list")
@json_option()
@pass_store
def alerts_list(store: Store, as_json: bool) -> None:
    """The settings, channels and rules."""
    from ..alerts import listing

    found = listing(store)
    if as_json:
        click.echo(json.dumps(found))
        return
    for name, channel in found["channels"].items():
        target = channel.get("url") or f"{', '.join(channel['to'])} via {channel['host']}"
        click.echo(f"channel {name}: {channel['type']} {target}")
    for name, rule in found["rules"].items():
        filters = " ".join(f"{k}={rule[k]}" for k in ("experiment", "schedule", "model",
                                                      "min_severity", "rate_limit") if k in rule)
        click.echo(f"rule {name}: {', '.join(rule['on'])} → {', '.join(rule['channels'])}"
                   + (f" ({filters})" if filters else ""))
    if not found["channels"]:
        click.echo("(no channels: `jupyter mlops alerts add channel NAME --webhook URL`)")


@alerts.command("test")
@click.argument("channel")
@pass_store
def alerts_test(store: Store, channel: str) -> None:
    """Send a test message through CHANNEL now."""
    from ..alerts import test

    click.echo(f"{channel}: {test(store, channel)}")


@alerts.command("history")
@click.option("--rule", help="Only this rule's messages.")
@click.option("--state", type=click.Choice(["queued", "suppressed", "claimed", "retry",
                                            "delivered", "failed"]))
@click.option("-n", "--limit", type=int, default=50, show_default=True)
@json_option()
@pass_store
def alerts_history(store: Store, rule: str | None, state: str | None, limit: int,
                   as_json: bool) -> None:
    """The messages, newest first: state, attempts, last error."""
    from ..alerts import history

    frame = history(store, rule=rule, state=state, limit=limit)
    if not as_json and not frame.empty:
        frame = frame[["created", "rule", "channel", "state", "attempts", "title",
                       "last_error"]]
    print_frame(frame, as_json)


COMMANDS = [alerts]
