"""The main area's views in headless Chromium: the runs table with 1,000 runs and the
lineage graph of 200 nodes (dagre layout included), each timed in the page from the render
that first shows the data to the DOM laid out (``data-render-ms``), against the same page
building the plain equivalent with DOM calls (a table of the same cells; the same boxes and
lines in an SVG, placed on a grid without a layout): the baselines, same run."""

from __future__ import annotations

from typing import Any

from jupyter_mlops import events as ev
from jupyter_mlops.store import Store
from jupyter_mlops.store.spool import SpoolWriter
from tests.bench import Result
from tests.bench.bench_compare_render import RUNS, fill_sweep

LAYERS, WIDTH = 5, 20  # cells per layer; each reads two datasets of the layer before
MODEL = "wide"
#: What the issue's "renders without blocking" asks of a view, twice a 60 Hz frame over.
TARGET_MS = {"table": 500.0, "graph": 500.0}

PLAIN_TABLE_JS = """async url => {
  const runs = (await (await fetch(url)).json()).runs;
  const keys = part => [...new Set(runs.flatMap(r => Object.keys(r[part])))].sort();
  const [params, metrics] = [keys('params'), keys('metrics')];
  const started = performance.now();
  const table = document.createElement('table');
  for (const r of runs) {
    const row = table.insertRow();
    for (const v of [r.run_id.slice(0, 12), r.experiment, r.status, r.kind, r.started,
                     r.duration_s]) row.insertCell().textContent = String(v);
    for (const k of params) row.insertCell().textContent = String(r.params[k] ?? '–');
    for (const k of metrics) row.insertCell().textContent = String(r.metrics[k] ?? '–');
  }
  document.body.appendChild(table);
  const height = table.offsetHeight;  // forces the layout
  const ms = performance.now() - started;
  table.remove();
  return {ms, height};
}"""

PLAIN_GRAPH_JS = """async url => {
  const g = await (await fetch(url)).json();
  const ns = 'http://www.w3.org/2000/svg';
  const started = performance.now();
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', '1400');
  svg.setAttribute('height', '900');
  const at = new Map(g.nodes.map((n, i) => [n.kind + '/' + n.id,
                                            [(i % 7) * 200, (i / 7 | 0) * 50]]));
  for (const e of g.edges) {
    const [a, b] = [at.get(e.source.join('/')), at.get(e.target.join('/'))];
    const line = document.createElementNS(ns, 'path');
    line.setAttribute('d', `M${a[0] + 188},${a[1] + 20}L${b[0]},${b[1] + 20}`);
    svg.appendChild(line);
  }
  for (const n of g.nodes) {
    const [x, y] = at.get(n.kind + '/' + n.id);
    const box = document.createElementNS(ns, 'g');
    box.setAttribute('transform', `translate(${x},${y})`);
    const rect = document.createElementNS(ns, 'rect');
    rect.setAttribute('width', '188');
    rect.setAttribute('height', '40');
    const text = document.createElementNS(ns, 'text');
    text.textContent = n.kind + ' ' + n.id.slice(0, 8);
    box.append(rect, text);
    svg.appendChild(box);
  }
  document.body.appendChild(svg);
  const height = svg.getBoundingClientRect().height;  // forces the layout
  const ms = performance.now() - started;
  svg.remove();
  return {ms, height, nodes: g.nodes.length};
}"""


def fill_wide_lineage(store: Store) -> None:
    """One run of LAYERS × WIDTH cells, each reading two datasets the layer before wrote
    and writing one, a fit on the last layer's and a registered version: 203 nodes."""
    run_id = ev.new_id()
    data = [[f"{layer:08x}{i:024x}" for i in range(WIDTH)] for layer in range(LAYERS)]
    events = [ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": "wide",
                                        "kind": "interactive"})]
    seq = 0
    for layer in range(LAYERS):
        for i in range(WIDTH):
            seq += 1
            reads = [data[layer - 1][i], data[layer - 1][(i + 7) % WIDTH]] if layer else []
            events.append(ev.Event(ev.CELL, {
                "run_id": run_id, "seq": seq, "source": f"d{layer}_{i} = f()", "status": "ok",
                "reads": [], "writes": [],
                "data": [{"fingerprint": f, "role": "read", "name": "d"} for f in reads]
                + [{"fingerprint": data[layer][i], "role": "wrote", "name": f"d{layer}_{i}"}]}))
    fit = ev.Event(ev.FIT, {"run_id": run_id, "cell_seq": seq, "estimator": "m",
                            "inputs": [{"fingerprint": f, "role": "X"} for f in data[-1]]})
    events += [fit, ev.Event(ev.MODEL_VERSION, {
        "run_id": run_id, "name": MODEL, "version": 1, "artifact": "0" * 64, "format": "skops",
        "metrics": {}, "params": {}, "data": data[-1], "fit": fit.id}),
        ev.Event(ev.RUN_ENDED, {"run_id": run_id, "status": "finished"})]
    w = SpoolWriter(store)
    w.write(events)
    w.close()


def _execute(page: Any, command: str, args: dict[str, Any]) -> None:
    page.evaluate("([id, args]) => window.jupyterapp.commands.execute(id, args).then(() => 0)",
                  [f"jupyter-mlops:{command}", args])


def table_ms(page: Any) -> float:
    """The runs table's tab, switched to 1,000 runs a page: its render time."""
    _execute(page, "open-runs", {})
    view = page.locator(".jp-mlops-main-runs")
    view.locator("tbody tr").first.wait_for(timeout=60_000)
    view.get_by_label("experiment").select_option("sweep")
    view.get_by_label("runs per page").select_option(str(RUNS))
    page.wait_for_function(f"document.querySelectorAll('.jp-mlops-main-runs tbody tr')"
                           f".length === {RUNS}", timeout=60_000)
    return float(view.locator("table[data-render-ms]").get_attribute("data-render-ms"))


def graph_ms(page: Any) -> dict[str, float]:
    """The lineage tab of the version, its cells folded, then unfolded (203 nodes)."""
    _execute(page, "open-lineage", {"node": f"{MODEL}:1"})
    view = page.locator(".jp-mlops-main-lineage")
    view.get_by_label("depth").select_option("20")
    count = "document.querySelectorAll('.jp-mlops-graph-main g.jp-mlops-node').length"
    page.wait_for_function(f"{count} > {LAYERS * WIDTH}", timeout=60_000)
    frame = view.locator(".jp-mlops-graph-frame")
    folded = float(frame.get_attribute("data-render-ms"))
    shown = page.evaluate(count)
    view.locator(".jp-mlops-fold").first.click()
    page.wait_for_function(f"{count} > {2 * LAYERS * WIDTH}", timeout=60_000)
    return {"folded": folded, "folded_nodes": shown, "all": float(
        frame.get_attribute("data-render-ms")), "nodes": page.evaluate(count)}


def run() -> list[Result]:
    from tests.ui.conftest import lab_page

    with lab_page(fill_sweep, fill_wide_lineage, viewport=(1800, 1000)) as (lab, page):
        page.goto(f"{lab.url}/lab?reset&token={lab.token}")
        page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)
        page.wait_for_function("window.jupyterapp && !location.search.includes('reset')",
                               timeout=60_000)
        table = table_ms(page)
        graph = graph_ms(page)
        api = f"{lab.url}/jupyter-mlops/api"
        plain_tables = sorted(page.evaluate(
            PLAIN_TABLE_JS, f"{api}/runs?experiment=sweep&limit={RUNS}&token={lab.token}"
        )["ms"] for _ in range(5))
        plain_graphs = sorted(page.evaluate(
            PLAIN_GRAPH_JS, f"{api}/lineage?node={MODEL}:1&depth=20&token={lab.token}"
        )["ms"] for _ in range(5))
    plain_table, plain_graph = plain_tables[2], plain_graphs[2]
    return [
        Result(f"main area: runs table of {RUNS:,} runs (render + layout)", table, "ms",
               f"<= {TARGET_MS['table']:.0f} ms", table <= TARGET_MS["table"],
               f"plain DOM table of the same cells {plain_table:.1f} ms",
               f"{table / plain_table:.1f}x"),
        Result(f"main area: lineage graph of {graph['nodes']} nodes (dagre layout + render)",
               graph["all"], "ms", f"<= {TARGET_MS['graph']:.0f} ms",
               graph["all"] <= TARGET_MS["graph"],
               f"plain SVG of the same boxes and lines on a grid {plain_graph:.1f} ms",
               f"{graph['all'] / plain_graph:.1f}x"),
        Result(f"main area: the same graph, cells folded ({graph['folded_nodes']} nodes)",
               graph["folded"], "ms", f"<= {TARGET_MS['graph']:.0f} ms",
               graph["folded"] <= TARGET_MS["graph"],
               f"plain SVG of all {graph['nodes']} nodes {plain_graph:.1f} ms",
               f"{graph['folded'] / plain_graph:.1f}x"),
    ]
