// Axes of many runs at once (parallel coordinates, scatter): pure data helpers, unit tested.
import { formatValue } from './format';
import { Run } from './types';

/** A run's param or metric, as the runs table names it ("params.lr", "metrics.auc"). */
export interface Key {
  part: 'params' | 'metrics';
  key: string;
}

/** Where a value sits on an axis: 0 (bottom) to 1 (top); a missing value sits at ``MISSING``,
 * below the axis, so runs without it still draw and are seen to lack it. */
export const MISSING = -0.08;

/** Above this ratio of the largest to the smallest positive value, an axis is logarithmic
 * (learning rates, regularization strengths). */
const LOG_RATIO = 100;

export interface Axis extends Key {
  label: string;
  kind: 'linear' | 'log' | 'category';
  /** The categories in order (kind 'category'). */
  categories: string[];
  min: number;
  max: number;
  /** How many runs lack a value. */
  missing: number;
  /** Each run's position (0..1, or MISSING), in the order of the runs given. */
  positions: Float32Array;
}

export function keyName(k: Key): string {
  return `${k.part}.${k.key}`;
}

function valueOf(run: Run, k: Key): unknown {
  const found = (run[k.part] as { [key: string]: unknown })[k.key];
  return found === undefined ? null : found;
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && isFinite(v);
}

/** The axis of ``k`` over ``runs``: numeric when every present value is a number (log when
 * positive and spread over more than two decades), else categorical, in sorted order. */
export function makeAxis(runs: Run[], k: Key): Axis {
  const values = runs.map(r => valueOf(r, k));
  const present = values.filter(v => v !== null);
  const numeric = present.length > 0 && present.every(isNumber);
  const positions = new Float32Array(runs.length);
  const axis: Axis = {
    ...k,
    label: k.key,
    kind: 'linear',
    categories: [],
    min: 0,
    max: 0,
    missing: values.length - present.length,
    positions
  };
  if (!numeric) {
    axis.kind = 'category';
    axis.categories = [...new Set(present.map(v => formatValue(v)))].sort();
    const index = new Map(axis.categories.map((c, i) => [c, i]));
    const n = axis.categories.length;
    values.forEach((v, i) => {
      positions[i] = v === null ? MISSING : n < 2 ? 0.5 : index.get(formatValue(v))! / (n - 1);
    });
    return axis;
  }
  const numbers = present as number[];
  axis.min = Math.min(...numbers);
  axis.max = Math.max(...numbers);
  if (axis.min > 0 && axis.max / axis.min > LOG_RATIO) {
    axis.kind = 'log';
  }
  const t = axis.kind === 'log' ? Math.log10 : (x: number) => x;
  const [lo, hi] = [t(axis.min), t(axis.max)];
  values.forEach((v, i) => {
    positions[i] = v === null ? MISSING : hi > lo ? (t(v as number) - lo) / (hi - lo) : 0.5;
  });
  return axis;
}

/** A few labels along an axis, at their positions: the categories (thinned to ``most``), or
 * the ends (and decades of a log axis). */
export function ticks(axis: Axis, most: number): { at: number; label: string }[] {
  if (axis.kind === 'category') {
    const n = axis.categories.length;
    const every = Math.max(1, Math.ceil(n / Math.max(most, 1)));
    return axis.categories
      .map((c, i) => ({ at: n < 2 ? 0.5 : i / (n - 1), label: c }))
      .filter((_, i) => i % every === 0 || i === n - 1);
  }
  if (axis.max === axis.min) {
    return [{ at: 0.5, label: formatValue(axis.min) }];
  }
  const out = [
    { at: 0, label: formatValue(axis.min) },
    { at: 1, label: formatValue(axis.max) }
  ];
  if (axis.kind === 'log') {
    const [lo, hi] = [Math.log10(axis.min), Math.log10(axis.max)];
    for (let d = Math.ceil(lo); d <= Math.floor(hi) && out.length < most; d++) {
      const at = (d - lo) / (hi - lo);
      if (at > 0.08 && at < 0.92) {
        out.push({ at, label: `1e${d}` });
      }
    }
  }
  return out;
}

/** The keys worth an axis: params that take more than one value (missing counts as one) in
 * ``runs``, numeric ones first, at most ``most``; constant params tell nothing apart. */
export function varyingParams(runs: Run[], most: number): Key[] {
  const keys = new Set<string>();
  runs.forEach(r => Object.keys(r.params).forEach(k => keys.add(k)));
  const found: { k: Key; numeric: boolean }[] = [];
  for (const key of [...keys].sort()) {
    const seen = new Set(runs.map(r => JSON.stringify(valueOf(r, { part: 'params', key }))));
    if (seen.size > 1) {
      const numeric = runs.every(r => {
        const v = valueOf(r, { part: 'params', key });
        return v === null || isNumber(v);
      });
      found.push({ k: { part: 'params', key }, numeric });
    }
  }
  found.sort((a, b) => Number(b.numeric) - Number(a.numeric));
  return found.slice(0, most).map(f => f.k);
}

/** Every metric any of ``runs`` logged, sorted. */
export function metricKeys(runs: Run[]): string[] {
  const keys = new Set<string>();
  runs.forEach(r => Object.keys(r.metrics).forEach(k => keys.add(k)));
  return [...keys].sort();
}

/** A colour for t in 0..1 along a perceptual ramp (viridis' stops, interpolated). */
const RAMP = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37]
];

export function rampColor(t: number): string {
  const x = Math.min(Math.max(t, 0), 1) * (RAMP.length - 1);
  const i = Math.min(Math.floor(x), RAMP.length - 2);
  const f = x - i;
  const c = RAMP[i].map((v, j) => Math.round(v + (RAMP[i + 1][j] - v) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** A range of positions (lo ≤ hi) kept on the axis of ``key``; one reaching below 0 keeps
 * the runs that lack a value too. */
export interface Brush {
  key: string;
  lo: number;
  hi: number;
}

/** Per run, whether every brush keeps it; null when there are no brushes (all are kept). */
export function keptBy(axes: Axis[], brushes: Brush[], runs: number): boolean[] | null {
  const active = brushes.flatMap(b => {
    const axis = axes.find(a => keyName(a) === b.key);
    return axis ? [{ b, axis }] : [];
  });
  if (!active.length) {
    return null;
  }
  return Array.from({ length: runs }, (_, i) =>
    active.every(({ b, axis }) => axis.positions[i] >= b.lo && axis.positions[i] <= b.hi)
  );
}
