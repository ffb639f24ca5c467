// Parallel coordinates of many runs: one axis per varying param and the chosen metric last,
// each run a polyline coloured by that metric; the selected runs drawn on top. Dragging
// along an axis brushes a range (the runs outside fade), a click on the axis clears it.
import * as React from 'react';
import { Axis, Brush, keyName, MISSING, rampColor, ticks } from './axes';
import { Canvas, fit, Surface } from './canvas';

const [TOP, BOTTOM, SIDE, HEIGHT] = [30, 26, 12, 240];
/** Colours are bucketed so that 1,000 runs are ~BUCKETS strokes, not 1,000. */
const BUCKETS = 24;

export interface Plotted {
  axes: Axis[];
  /** Per run: its colour position (0..1) along the metric, or null when it lacks it. */
  shade: (number | null)[];
  /** Indexes of the runs drawn on top, emphasized (the compared runs). */
  marked: number[];
  /** Per run, whether the brushes keep it (null: no brushes). */
  kept: boolean[] | null;
  brushes: Brush[];
}

/** The y of position ``p`` (0..1, or MISSING) in a plot of height ``h``. */
export function yOf(p: number, h: number): number {
  const inner = h - TOP - BOTTOM;
  return p === MISSING ? h - BOTTOM + 12 : TOP + (1 - p) * inner;
}

/** The position at ``y``: 0..1 on the axis, below 0 down to the missing mark. */
function positionAt(y: number, h: number): number {
  return Math.min(Math.max(1 - (y - TOP) / (h - TOP - BOTTOM), MISSING - 0.05), 1);
}

/** The axes' x and the gap between two. */
function columns(width: number, n: number): { xs: number[]; gap: number } {
  const gap = n > 1 ? (width - 2 * SIDE) / (n - 1) : 0;
  return { xs: Array.from({ length: n }, (_, i) => (n > 1 ? SIDE + i * gap : width / 2)), gap };
}

function drawAxes(s: Surface, axes: Axis[], xs: number[], gap: number): void {
  const { ctx, height } = s;
  ctx.strokeStyle = s.color('--jp-ui-font-color2');
  ctx.fillStyle = s.color('--jp-ui-font-color1');
  ctx.lineWidth = 1;
  axes.forEach((axis, i) => {
    const x = xs[i];
    ctx.beginPath();
    ctx.moveTo(x, yOf(1, height));
    ctx.lineTo(x, yOf(0, height));
    ctx.stroke();
    const room = Math.max(gap - 4, 24);
    // the last axis labels its ticks to its left, so it shares the last gap with the one before
    const shared = i >= axes.length - 2 && axes.length > 1;
    const tickRoom = Math.max((shared ? gap / 2 : gap) - 6, 18);
    const align = i === 0 ? 'left' : i === axes.length - 1 ? 'right' : 'center';
    ctx.textAlign = align;
    ctx.font = 'bold 11px var(--jp-ui-font-family, sans-serif)';
    const name = axis.kind === 'log' ? `${axis.label} (log)` : axis.label;
    ctx.fillText(fit(ctx, name, room), x, 12);
    ctx.font = '10px var(--jp-ui-font-family, sans-serif)';
    ctx.textAlign = i === axes.length - 1 ? 'right' : 'left';
    const dx = i === axes.length - 1 ? -3 : 3;
    for (const t of ticks(axis, Math.floor((height - TOP - BOTTOM) / 14))) {
      ctx.fillText(fit(ctx, t.label, tickRoom), x + dx, yOf(t.at, height) + (t.at > 0.5 ? 9 : -2));
    }
    if (axis.missing) {
      ctx.fillText('–', x + dx, yOf(MISSING, height) + 4);
    }
  });
}

function draw(s: Surface, plotted: Plotted): void {
  const { ctx, width, height } = s;
  const { axes, shade, marked, kept } = plotted;
  const { xs, gap } = columns(width, axes.length);
  const ys = axes.map(a => Array.from(a.positions, p => yOf(p, height)));
  const trace = (run: number) => {
    ctx.moveTo(xs[0], ys[0][run]);
    for (let i = 1; i < axes.length; i++) {
      ctx.lineTo(xs[i], ys[i][run]);
    }
  };
  const buckets: number[][] = Array.from({ length: BUCKETS + 1 }, () => []);
  const faded: number[] = [];
  shade.forEach((t, run) => {
    if (kept && !kept[run]) {
      faded.push(run);
    } else {
      buckets[t === null ? BUCKETS : Math.min(Math.floor(t * BUCKETS), BUCKETS - 1)].push(run);
    }
  });
  ctx.lineWidth = 1;
  ctx.globalAlpha = 0.06;
  ctx.strokeStyle = s.color('--jp-ui-font-color3');
  ctx.beginPath();
  faded.forEach(trace);
  ctx.stroke();
  ctx.globalAlpha = shade.length > 200 ? 0.35 : 0.7;
  // the runs lacking the metric first (grey, underneath), then the ramp from low to high
  [BUCKETS, ...Array.from({ length: BUCKETS }, (_, b) => b)].forEach(b => {
    if (!buckets[b].length) {
      return;
    }
    ctx.strokeStyle = b === BUCKETS ? s.color('--jp-ui-font-color3') : rampColor(b / BUCKETS);
    ctx.beginPath();
    buckets[b].forEach(trace);
    ctx.stroke();
  });
  ctx.globalAlpha = 1;
  ctx.lineWidth = 2.5;
  ctx.strokeStyle = s.color('--jp-ui-font-color0');
  ctx.beginPath();
  marked.forEach(trace);
  ctx.stroke();
  ctx.fillStyle = s.color('--jp-brand-color1');
  ctx.globalAlpha = 0.3;
  for (const b of plotted.brushes) {
    const i = axes.findIndex(a => keyName(a) === b.key);
    if (i >= 0) {
      const top = yOf(b.hi, height);
      ctx.fillRect(xs[i] - 6, top, 12, Math.max(yOf(Math.max(b.lo, MISSING), height) - top, 2));
    }
  }
  ctx.globalAlpha = 1;
  drawAxes(s, axes, xs, gap);
}

export function ParallelCoordinates(props: {
  plotted: Plotted;
  runs: number;
  onBrush: (brushes: Brush[]) => void;
}): JSX.Element {
  const { axes, brushes } = props.plotted;
  const drag = React.useRef<{ key: string; from: number } | null>(null);
  const brush = (kind: 'down' | 'move' | 'up', x: number, y: number, width: number) => {
    const at = positionAt(y, HEIGHT);
    if (kind === 'down') {
      const { xs, gap } = columns(width, axes.length);
      const i = xs.findIndex(ax => Math.abs(ax - x) <= Math.max(gap / 3, 8));
      drag.current = i >= 0 ? { key: keyName(axes[i]), from: at } : null;
      return;
    }
    const d = drag.current;
    if (!d) {
      return;
    }
    const others = brushes.filter(b => b.key !== d.key);
    const [lo, hi] = [Math.min(d.from, at), Math.max(d.from, at)];
    // a click (no drag) on an axis clears its brush
    props.onBrush(hi - lo < 0.02 ? others : [...others, { key: d.key, lo, hi }]);
    if (kind === 'up') {
      drag.current = null;
    }
  };
  return (
    <div
      className="jp-mlops-canvas-box"
      data-axes={axes.map(a => `${keyName(a)}:${a.kind}`).join(' ')}
    >
      <Canvas
        className="jp-mlops-parcoords"
        height={HEIGHT}
        label={`parallel coordinates of ${props.runs} runs over ${axes.map(a => a.label).join(', ')}`}
        draw={s => draw(s, props.plotted)}
        deps={[props.plotted]}
        onPointer={brush}
      />
    </div>
  );
}
