"""Who in the sidebar: a run's detail and a model's alias history say "by USER@HOST", from
the events' envelope (here one alias move merged from another machine). On a store of its
own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jupyter_mlops import events as ev
from tests.ui.conftest import Lab, Tab, serving_events, tab_on
from tests.ui.test_delete import RUN_TAB, open_run
from tests.ui.test_sidebar import PANEL, no_extension_errors, open_panel, view

pytestmark = pytest.mark.browser

RUN = "c" * 32


@pytest.fixture(scope="module")
def who_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with serving_events(tmp_path_factory.mktemp("who"), [
            ev.Event(ev.RUN_STARTED, {"run_id": RUN, "experiment": "who",
                                      "kind": "interactive"}),
            ev.Event(ev.RUN_ENDED, {"run_id": RUN, "status": "finished"}),
            ev.Event(ev.MODEL_VERSION, {"run_id": RUN, "name": "m", "version": 1}),
            ev.Event(ev.ALIAS_SET, {"name": "m", "alias": "champion", "version": 1},
                     user="alice", host="laptop")]) as served:
        yield served


who_tab = tab_on("who_lab")


def test_run_detail_and_alias_history_say_who(who_tab: Tab, who_lab: Lab) -> None:
    page = who_tab.page
    open_panel(who_tab, who_lab)
    page.locator(f"{PANEL} .jp-mlops-runs tbody tr").first.wait_for(timeout=30_000)
    open_run(who_tab, "who")
    meta = page.locator(f"{RUN_TAB} .jp-mlops-detail .jp-mlops-who")  # the run's tab
    meta.wait_for(timeout=20_000)
    assert meta.inner_text().strip() == f"· by {ev.USER}@{ev.HOST}"
    view(who_tab, "Models")
    history = page.locator(f"{PANEL} .jp-mlops-alias-history")
    history.wait_for(timeout=20_000)
    history.locator("summary").click()
    assert "champion: v1" in history.inner_text() and "by alice@laptop" in history.inner_text()
    no_extension_errors(who_tab)
