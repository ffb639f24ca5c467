// Pure data and formatting helpers of the panel: no JupyterLab imports, unit tested.
import { ApiError, Histogram, Run, RunFilter } from './types';

/** "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min"; "–" when unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) {
    return '–';
  }
  if (seconds < 1) {
    return `${Math.round(seconds * 1000)} ms`;
  }
  if (seconds < 60) {
    return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  }
  const whole = Math.round(seconds);
  if (whole < 3600) {
    return `${Math.floor(whole / 60)} min ${pad(whole % 60)} s`;
  }
  return `${Math.floor(whole / 3600)} h ${pad(Math.floor((whole % 3600) / 60))} min`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** An API timestamp → Date: ISO 8601 with its offset ("2026-11-02T10:04:05.123+00:00"), one
 * without an offset (older servers) read as UTC, or seconds since the epoch (a schedule's
 * ``next_run``). */
export function parseTime(value: string | number | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') {
    return null;
  }
  const date =
    typeof value === 'number'
      ? new Date(value * 1000)
      : new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return isNaN(date.getTime()) ? null : date;
}

/** A timestamp in the browser's time zone, "2026-11-02 10:04:05"; "–" when unknown. */
export function formatTime(value: string | number | null | undefined): string {
  const date = parseTime(value);
  if (!date) {
    return '–';
  }
  const d = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return `${d} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** A param or metric value for a table cell: numbers to ``digits`` significant digits. */
export function formatValue(value: unknown, digits = 4): string {
  if (value === null || value === undefined) {
    return '–';
  }
  if (typeof value === 'number') {
    if (Number.isInteger(value)) {
      return String(value);
    }
    return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e6
      ? String(Number(value.toPrecision(digits)))
      : value.toExponential(digits - 1);
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The message an error shows in the panel. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** A run field the runs table always shows. */
export type Field = 'experiment' | 'status' | 'kind' | 'started' | 'duration_s';

/** A runs-table column: a field of the run, or one of its params or metrics, read where the
 * API nests it (``run.params.C``); ``columnId`` names it ("params.C") for settings and the DOM. */
export type Column = { field: Field } | { part: 'params' | 'metrics'; key: string };

export const FIXED_COLUMNS: Column[] = (
  ['experiment', 'status', 'kind', 'started', 'duration_s'] as Field[]
).map(field => ({ field }));

/** "experiment", "params.C", "metrics.auc". */
export function columnId(column: Column): string {
  return 'field' in column ? column.field : `${column.part}.${column.key}`;
}

/** A configured column ("params.C", "metrics.auc"); null for anything else. */
export function parseColumn(id: string): Column | null {
  const match = /^(params|metrics)\.(.+)$/.exec(id);
  return match ? { part: match[1] as 'params' | 'metrics', key: match[2] } : null;
}

/** The value a run shows in ``column`` (what sorting compares). */
export function cellValue(run: Run, column: Column): unknown {
  return 'field' in column ? run[column.field] : run[column.part][column.key];
}

/** The param/metric columns: the configured ones, else the first ``max`` keys seen. */
export function keyColumns(runs: Run[], configured: string[], max = 6): Column[] {
  const chosen = configured.map(parseColumn).filter((c): c is Column => c !== null);
  if (chosen.length) {
    return chosen;
  }
  const keys = (part: 'params' | 'metrics'): Column[] =>
    [...new Set(runs.flatMap(run => Object.keys(run[part])))].sort().map(key => ({ part, key }));
  const params = keys('params');
  const metrics = keys('metrics');
  const half = Math.ceil(max / 2);
  const fromParams = params.slice(0, Math.max(half, max - metrics.length));
  return [...fromParams, ...metrics.slice(0, max - fromParams.length)];
}

export interface Sort {
  column: Column;
  descending: boolean;
}

/** ``sort`` as the runs API's ``order`` (``-metrics.auc``): the server sorts every run, runs
 * without the value last, not just the page the browser has. */
export function orderOf(sort: Sort): RunFilter['order'] {
  return `${sort.descending ? '-' : ''}${columnId(sort.column)}`;
}

/** The keys whose values are not the same in every run (what compare highlights). */
export function differing(runs: Run[], keys: string[], part: 'params' | 'metrics'): Set<string> {
  return new Set(
    keys.filter(key => new Set(runs.map(run => JSON.stringify(run[part][key] ?? null))).size > 1)
  );
}

/** Bars of a histogram: a label per bin and the reference and current shares. */
export interface Bin {
  label: string;
  reference: number;
  current: number;
}

const numbers = (value: unknown): number[] =>
  Array.isArray(value) ? value.map(v => (typeof v === 'number' ? v : 0)) : [];

/** A drift column's ``histogram`` (an object in the OpenAPI document) read as one; null if it
 * has no reference or current shares. */
export function asHistogram(
  value: { [key: string]: unknown } | null | undefined
): Histogram | null {
  if (!value || !Array.isArray(value.reference) || !Array.isArray(value.current)) {
    return null;
  }
  return {
    reference: numbers(value.reference),
    current: numbers(value.current),
    edges: Array.isArray(value.edges) ? numbers(value.edges) : undefined,
    categories: Array.isArray(value.categories) ? value.categories.map(String) : undefined
  };
}

/** Numeric histograms have interior edges (outer bins open-ended); categorical, names. */
export function histogramBins(histogram: Histogram): Bin[] {
  const count = Math.max(histogram.reference.length, histogram.current.length);
  const labels: string[] = [];
  if (histogram.categories) {
    labels.push(...histogram.categories);
  } else {
    const edges = histogram.edges ?? [];
    for (let i = 0; i < count; i++) {
      const lo = i === 0 ? '−∞' : formatValue(edges[i - 1]);
      const hi = i >= edges.length ? '∞' : formatValue(edges[i]);
      labels.push(`${lo} … ${hi}`);
    }
  }
  return Array.from({ length: count }, (_, i) => ({
    label: labels[i] ?? String(i),
    reference: histogram.reference[i] ?? 0,
    current: histogram.current[i] ?? 0
  }));
}

/** A node's key as the API's edges name it: "kind/id". */
export function nodeKey(node: { kind: string; id: string }): string {
  return `${node.kind}/${node.id}`;
}

/** A run's (or drift report's) id as the panel shows it, and the CLI: its first 12
 * characters. Ids are time-ordered, so shorter prefixes of runs started minutes apart are
 * the same. */
export function shortId(id: string): string {
  return id.slice(0, 12);
}

/** Points of a line plot scaled into a width × height box (y up); NaN/null skipped. */
export function scalePoints(
  series: { x: number; y: number | null }[][],
  width: number,
  height: number
): { points: [number, number][][]; yMin: number; yMax: number } {
  const all = series.flat().filter(p => p.y !== null && isFinite(p.y)) as {
    x: number;
    y: number;
  }[];
  if (!all.length) {
    return { points: series.map(() => []), yMin: 0, yMax: 0 };
  }
  const xs = all.map(p => p.x);
  const ys = all.map(p => p.y);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const [yMin, yMax] = [Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => (xMax === xMin ? width / 2 : ((x - xMin) / (xMax - xMin)) * width);
  const sy = (y: number) =>
    yMax === yMin ? height / 2 : height - ((y - yMin) / (yMax - yMin)) * height;
  return {
    points: series.map(s =>
      s.filter(p => p.y !== null && isFinite(p.y)).map(p => [sx(p.x), sy(p.y as number)])
    ),
    yMin,
    yMax
  };
}

/** "auc >= 0.85, f1 > champion" → {auc: ">= 0.85", f1: "> champion"}; an Error if malformed. */
export function parseGate(text: string): { [metric: string]: string } {
  const gate: { [metric: string]: string } = {};
  for (const part of text
    .split(',')
    .map(p => p.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z_][\w.-]*)\s*((?:[<>]=?|==|!=)\s*\S.*)$/.exec(part);
    if (!match) {
      throw new Error(
        `gate condition “${part}”: write a metric, a comparison and a value, e.g. auc >= 0.85`
      );
    }
    gate[match[1]] = match[2].trim();
  }
  return gate;
}

/** A recorded notebook path (kernels record it absolute) as the path under the server root
 * that JupyterLab opens; null when it lies outside the root. */
export function underRoot(path: string, root: string): string | null {
  if (!path.startsWith('/')) {
    return path;
  }
  const base = root.replace(/\/+$/, '');
  return path.startsWith(`${base}/`) ? path.slice(base.length + 1) : null;
}
