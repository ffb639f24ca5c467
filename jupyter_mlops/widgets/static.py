"""Kernel-free HTML and SVG: the one renderer behind every widget.

A live widget shows this same markup (its JavaScript only forwards clicks), so what a
papermill output or an nbconvert export shows is exactly what the notebook showed. Every
value is escaped here; nothing below emits script.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

#: Series colours: reference / first run, current / second run, then the rest.
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
OK, BAD, MUTED = "#1b7f3b", "#b00020", "#888"

STYLE = """<style>
.jp-mlops{font:12px/1.4 var(--jp-ui-font-family,sans-serif);color:var(--jp-ui-font-color1,#222)}
.jp-mlops table{border-collapse:collapse;margin:4px 0}
.jp-mlops th,.jp-mlops td{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;
white-space:nowrap;vertical-align:middle}
.jp-mlops th[data-action]{cursor:pointer;user-select:none}
.jp-mlops tr[data-action],.jp-mlops g[data-action]{cursor:pointer}
.jp-mlops tr.sel{background:rgba(31,119,180,.12)}
.jp-mlops td.num{text-align:right;font-variant-numeric:tabular-nums}
.jp-mlops .diff{background:rgba(255,127,14,.18)}
.jp-mlops .note{color:#888}
.jp-mlops pre{max-height:16em;overflow:auto;background:rgba(0,0,0,.04);padding:4px}
</style>"""


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def fmt(value: Any) -> str:
    """A cell's text: numbers to 4 significant digits, missing as empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def page(*parts: str, css_class: str = "") -> str:
    """A widget's whole markup: the shared style, then its parts."""
    return f'{STYLE}<div class="jp-mlops {esc(css_class)}">{"".join(parts)}</div>'


def attrs(action: str | None, value: Any = None) -> str:
    """The ``data-`` attributes the live view turns into a message to Python."""
    if action is None:
        return ""
    return f' data-action="{esc(action)}" data-value="{esc(value)}"'


def table(columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
          headers: Sequence[str] | None = None, sort_action: str | None = None,
          sorted_by: tuple[str, bool] | None = None, row_action: str | None = None,
          row_keys: Sequence[Any] | None = None, selected: Iterable[Any] = (),
          raw: Iterable[int] = ()) -> str:
    """An HTML table; ``raw`` names column positions whose cells are markup already."""
    raw, chosen = set(raw), set(selected)
    head = []
    for i, name in enumerate(columns):
        label = esc((headers or columns)[i])
        if sorted_by and sorted_by[0] == name:
            label += " ▲" if sorted_by[1] else " ▼"
        head.append(f"<th{attrs(sort_action, name) if sort_action else ''}>{label}</th>")
    body = []
    for n, row in enumerate(rows):
        key = row_keys[n] if row_keys is not None else None
        cls = ' class="sel"' if key is not None and key in chosen else ""
        cells = "".join(
            f"<td>{v}</td>" if i in raw else
            f'<td{" class=num" if isinstance(v, (int, float)) else ""}>{esc(fmt(v))}</td>'
            for i, v in enumerate(row))
        body.append(f"<tr{cls}{attrs(row_action, key) if row_action else ''}>{cells}</tr>")
    return (f"<table><thead><tr>{''.join(head)}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def svg(width: float, height: float, body: str, label: str) -> str:
    """``body`` as a standalone SVG image of this size, named ``label`` for screen readers."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{esc(label)}" '
            f'font-family="sans-serif" font-size="10">{body}</svg>')


def bars(groups: Sequence[Sequence[float]], *, width: float = 160, height: float = 36,
         label: str = "histogram", positions: Sequence[tuple[float, float]] | None = None
         ) -> str:
    """Overlaid bar series (reference, current…) as a small SVG; ``positions`` gives each
    bar's (left, width) in 0..1 (a histogram on uneven bins), else bars are evenly spaced."""
    n = max((len(g) for g in groups), default=0)
    top = max((v for g in groups for v in g if v is not None and math.isfinite(v)), default=0)
    if not n or top <= 0:
        return svg(width, height, "", label)
    spots = positions or [(i / n, 1 / n) for i in range(n)]
    out = []
    for k, series in enumerate(groups):
        shift = k / (2 * len(groups))  # series side by side inside a bin
        d = []  # one path per series: a bar is "M x,top h w V bottom h -w z"
        for (left, span), v in zip(spots, series, strict=False):
            if v is None or not math.isfinite(v) or v <= 0:
                continue
            w = max(span * width / 2, 0.8)
            d.append(f"M{(left + span * shift) * width:.1f},{height - v / top * (height - 2):.1f}"
                     f"h{w:.1f}V{height}h-{w:.1f}z")
        out.append(f'<path d="{"".join(d)}" fill="{COLORS[k % len(COLORS)]}" '
                   f'fill-opacity="0.75"/>')
    return svg(width, height, "".join(out), label)


def lines(series: Sequence[tuple[str, Sequence[float], Sequence[float]]], *,
          width: float = 420, height: float = 180, title: str = "") -> str:
    """A line chart of named (x, y) series with min/max axis labels."""
    points = [(x, y) for _, xs, ys in series for x, y in zip(xs, ys, strict=True)
              if y is not None and math.isfinite(y)]
    pad_l, pad_r, pad_t, pad_b = 48, 8, 16, 16
    if not points:
        return svg(width, height, f'<text x="4" y="14">{esc(title)}: no values</text>', title)
    x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
    y0, y1 = min(p[1] for p in points), max(p[1] for p in points)
    sx = (width - pad_l - pad_r) / ((x1 - x0) or 1)
    sy = (height - pad_t - pad_b) / ((y1 - y0) or 1)

    def xy(x: float, y: float) -> str:
        return f"{pad_l + (x - x0) * sx:.1f},{height - pad_b - (y - y0) * sy:.1f}"

    out = [f'<text x="4" y="11" font-weight="bold">{esc(title)}</text>',
           f'<text x="{pad_l - 4}" y="{pad_t + 8}" text-anchor="end">{esc(fmt(y1))}</text>',
           f'<text x="{pad_l - 4}" y="{height - pad_b}" text-anchor="end">{esc(fmt(y0))}</text>',
           f'<line x1="{pad_l}" y1="{height - pad_b}" x2="{width - pad_r}" '
           f'y2="{height - pad_b}" stroke="{MUTED}"/>']
    for k, (name, xs, ys) in enumerate(series):
        color = COLORS[k % len(COLORS)]
        pts = [xy(x, y) for x, y in zip(xs, ys, strict=True)
               if y is not None and math.isfinite(y)]
        if len(pts) > 1:
            out.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="{color}" '
                       f'stroke-width="1.5"/>')
        out.extend(f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2.5" '
                   f'fill="{color}"/>' for p in pts)
        out.append(f'<text x="{width - pad_r}" y="{11 + 12 * k}" text-anchor="end" '
                   f'fill="{color}">{esc(name)}</text>')
    return svg(width, height, "".join(out), title)


def legend(names: Sequence[str]) -> str:
    """Coloured names, in series order."""
    return " ".join(f'<span style="color:{COLORS[i % len(COLORS)]}">■ {esc(n)}</span>'
                    for i, n in enumerate(names))
