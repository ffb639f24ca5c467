"""The sidebar's many-runs plots in headless Chromium: parallel coordinates and a scatter of a
1,000-run sweep, each draw timed in the page, against the same page rendering the plain table
of those 1,000 runs (the baseline, same run)."""

from __future__ import annotations

from typing import Any

import numpy as np

from jupyter_mlops import events as ev
from jupyter_mlops.store import Store
from jupyter_mlops.store.spool import SpoolWriter
from tests.bench import Result

SWEEP, RUNS = "sweep", 1000
PANEL = "#jupyter-mlops-panel"
#: A draw this long is one frame of 60 Hz twice over; the issue asks for no blocked UI.
TARGET_MS = 33.0

#: The plain table of the same runs, built and laid out in the page: the baseline.
TABLE_JS = """async url => {
  const runs = (await (await fetch(url)).json()).runs;
  const keys = [...new Set(runs.flatMap(r => Object.keys(r.params)))].sort();
  const started = performance.now();
  const table = document.createElement('table');
  for (const r of runs) {
    const row = table.insertRow();
    row.insertCell().textContent = r.run_id.slice(0, 8);
    for (const k of keys) row.insertCell().textContent = String(r.params[k] ?? '–');
    for (const v of Object.values(r.metrics)) row.insertCell().textContent = String(v);
  }
  document.body.appendChild(table);
  const height = table.offsetHeight;  // forces the layout
  const ms = performance.now() - started;
  table.remove();
  return {ms, height, rows: runs.length};
}"""


def fill_sweep(store: Store, runs: int = RUNS) -> None:
    """A hyperparameter sweep through the spool, as a tracker records one: a log-spread
    learning rate, an integer depth, a categorical optimizer, a dropout some runs lack, a
    constant batch size; auc (a few runs lack it) and loss."""
    rng = np.random.default_rng(16)
    w = SpoolWriter(store)
    batch = []
    for i in range(runs):
        run_id = ev.new_id()
        lr = float(10 ** rng.uniform(-5, -1))
        depth = int(rng.integers(2, 13))
        params: dict[str, Any] = {"lr": lr, "depth": depth, "batch": 32,
                                  "optimizer": str(rng.choice(["adam", "sgd", "rmsprop"]))}
        if i % 7:
            params["dropout"] = round(float(rng.uniform(0, 0.5)), 3)
        auc = 0.6 + 0.05 * np.log10(lr / 1e-5) + 0.01 * depth + float(rng.normal(0, 0.02))
        metrics = {"loss": float(1.2 - auc + rng.normal(0, 0.05))}
        if i % 50:
            metrics["auc"] = round(min(auc, 0.99), 4)
        batch += [ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": SWEEP,
                                            "kind": "interactive"}),
                  ev.Event(ev.PARAMS, {"run_id": run_id, "params": params}),
                  ev.Event(ev.METRICS, {"run_id": run_id, "metrics": metrics}),
                  ev.Event(ev.RUN_ENDED, {"run_id": run_id, "status": "finished"})]
    w.write(batch)
    w.close()


def open_many(page: Any, url: str, token: str) -> None:
    """JupyterLab with the panel open on the compare view of every run ("Compare all")."""
    page.goto(f"{url}/lab?reset&token={token}")
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)
    icon = page.locator('.jp-SideBar [data-id="jupyter-mlops-panel"]')
    icon.wait_for(timeout=30_000)
    tabs = page.locator(f"{PANEL} .jp-mlops-tabs")
    for _ in range(5):
        page.wait_for_timeout(500)
        if tabs.is_visible():
            break
        icon.click()
    page.locator(f"{PANEL} .jp-mlops-compare").click()
    page.wait_for_selector(f"{PANEL} .jp-mlops-many", timeout=30_000)


def show_sweep(page: Any) -> dict[str, Any]:
    """Pick the sweep's runs and wait for both plots; the draws' times (ms), and the long
    tasks (> 50 ms) the page ran meanwhile."""
    page.evaluate("""() => { window.__long = [];
      new PerformanceObserver(l => window.__long.push(...l.getEntries().map(e => e.duration)))
        .observe({type: 'longtask'}); }""")
    page.locator(f"{PANEL} .jp-mlops-many").get_by_label("runs of experiment").select_option(
        SWEEP)
    page.wait_for_function(
        f"""() => {{ const c = document.querySelector('{PANEL} .jp-mlops-parcoords');
          return c && c.getAttribute('aria-label').startsWith('parallel coordinates of {RUNS} ')
            && c.dataset.renderMs; }}""", timeout=60_000)
    page.wait_for_selector(f"{PANEL} .jp-mlops-scatter[data-render-ms]", timeout=30_000)
    page.wait_for_timeout(300)  # a long task is reported after it ends
    return page.evaluate(f"""() => ({{
      parcoords: +document.querySelector('{PANEL} .jp-mlops-parcoords').dataset.renderMs,
      scatter: +document.querySelector('{PANEL} .jp-mlops-scatter').dataset.renderMs,
      long: window.__long }})""")


def table_ms(page: Any, url: str, token: str) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate(
        TABLE_JS, f"{url}/jupyter-mlops/api/runs?experiment={SWEEP}&limit={RUNS}&token={token}")
    return found


def run() -> list[Result]:
    from tests.ui.conftest import lab_page

    with lab_page(fill_sweep, viewport=(1400, 900)) as (lab, page):
        open_many(page, lab.url, lab.token)
        drawn = show_sweep(page)
        tables = sorted(table_ms(page, lab.url, lab.token)["ms"] for _ in range(5))
    table = tables[len(tables) // 2]
    longest = max(drawn["long"], default=0.0)
    return [
        Result(f"sidebar: parallel coordinates of {RUNS} runs (draw)", drawn["parcoords"], "ms",
               f"<= {TARGET_MS:.0f} ms", drawn["parcoords"] <= TARGET_MS,
               f"plain table of the {RUNS} runs {table:.1f} ms",
               f"{drawn['parcoords'] / table:.3f}x"),
        Result(f"sidebar: scatter of {RUNS} runs (draw)", drawn["scatter"], "ms",
               f"<= {TARGET_MS:.0f} ms", drawn["scatter"] <= TARGET_MS,
               f"plain table of the {RUNS} runs {table:.1f} ms",
               f"{drawn['scatter'] / table:.3f}x"),
        Result(f"sidebar: longest task while the {RUNS}-run plots load", longest, "ms",
               "<= 200 ms", longest <= 200, f"{len(drawn['long'])} tasks over 50 ms", "–"),
    ]
