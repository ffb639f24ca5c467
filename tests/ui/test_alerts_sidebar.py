"""Alerts in JupyterLab: a notification when an alert is raised while Lab is open, and the
Alerts tab listing the rules and what was delivered (real JupyterLab, Chromium, receiver)."""

from __future__ import annotations

from jupyter_mlops import events as ev
from jupyter_mlops.alerts import config
from jupyter_mlops.store import Store
from jupyter_mlops.store.spool import SpoolWriter
from tests.alerts.receivers import hook
from tests.ui.conftest import Lab, Tab
from tests.ui.test_sidebar import PANEL, no_extension_errors, open_panel, view


def test_a_new_alert_is_notified_and_listed(tab: Tab, lab: Lab) -> None:
    store = Store.open(lab.store)
    with hook() as h:
        config.add_channel(store, "ui-hook", {"type": "webhook", "url": h.url}, replace=True)
        config.add_rule(store, "ui-rule", {"on": ["user"], "channels": ["ui-hook"]},
                        replace=True)
        open_panel(tab, lab)
        view(tab, "Alerts")
        tab.page.locator(f'{PANEL} li[data-rule="ui-rule"]').wait_for(timeout=30_000)
        tab.page.wait_for_timeout(12_000)  # the notifier's first look: the history as seen
        writer = SpoolWriter(store)
        writer.append(ev.Event(ev.ALERT, {"title": "shown in Lab", "text": "AUC fell",
                                          "severity": "critical"}))
        writer.flush()
        writer.close()
        toast = tab.page.locator(".Toastify__toast", has_text="shown in Lab — AUC fell")
        toast.wait_for(timeout=60_000)
        row = tab.page.locator(f"{PANEL} .jp-mlops-alert-history tr",
                               has_text="[critical] shown in Lab")
        row.locator(".jp-mlops-alert-delivered").wait_for(timeout=60_000)
        assert h.wait(1)[0]["body"]["title"] == "shown in Lab"
        tab.screenshot("sidebar-alerts")
    no_extension_errors(tab)


def test_an_alerts_link_opens_its_run_in_the_main_area(tab: Tab, lab: Lab) -> None:
    """What a message links to (``rules.link``) is JupyterLab with the run's detail shown,
    in a tab of the main area."""
    from jupyter_mlops.alerts.rules import link
    from jupyter_mlops.store import queries

    run_id = queries.runs(Store.open(lab.store), limit=1).run_id.iloc[0]
    url = link(lab.url, {"kind": "job_failed", "run_id": run_id})
    assert url == f"{lab.url}/lab?mlops-run={run_id}"
    tab.page.goto(f"{url}&reset&token={lab.token}")
    tab.page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)
    # the run's detail, once loaded, names it
    tab.page.locator("#jp-main-dock-panel .jp-mlops-main-run .jp-mlops-detail",
                     has_text=run_id).wait_for(timeout=30_000)
    tab.screenshot("sidebar-alert-link")
    no_extension_errors(tab)


def test_a_drift_alerts_link_opens_its_report_in_the_main_area(tab: Tab, lab: Lab) -> None:
    """A drift alert links to its report (``?mlops-drift=``): its main-area tab opens."""
    import json

    from jupyter_mlops.alerts.rules import link
    from jupyter_mlops.store import queries

    report = queries.drift_reports(Store.open(lab.store), limit=1).iloc[0]
    url = link(lab.url, {"kind": "drift", "detail": json.dumps({"report": report.id})})
    assert url and "mlops-drift=" in url
    tab.page.goto(f"{url}&reset&token={lab.token}")
    tab.page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)
    verdict = tab.page.locator("#jp-main-dock-panel .jp-mlops-main-drift .jp-mlops-verdict",
                               has_text="columns")  # not a model's performance verdict
    verdict.wait_for(timeout=30_000)
    assert f"{report.columns_drifted} of {report.columns_compared} columns" in (
        verdict.inner_text())
    no_extension_errors(tab)
