import {
  cellValue,
  Column,
  columnId,
  differing,
  FIXED_COLUMNS,
  formatDuration,
  formatTime,
  formatValue,
  histogramBins,
  keyColumns,
  parseColumn,
  parseGate,
  parseTime,
  orderOf,
  scalePoints,
  shortId,
  underRoot
} from '../format';
import { ApiError, Run } from '../types';
import { describeError } from '../format';

function run(
  id: string,
  params: Run['params'],
  metrics: Run['metrics'],
  extra: Partial<Run> = {}
): Run {
  return {
    run_id: id,
    name: `train-${id}`,
    experiment: 'churn',
    kind: 'interactive',
    status: 'finished',
    started: '2026-11-02T10:00:00',
    ended: null,
    duration_s: 1,
    notebook: 'train.ipynb',
    git_commit: null,
    cells: 3,
    params,
    metrics,
    ...extra
  };
}

const a = run('aaa111', { C: 0.5, solver: 'lbfgs' }, { auc: 0.82 });
const b = run('bbb222', { C: 2, solver: 'lbfgs' }, { auc: 0.88, loss: 0.1 });
const c = run('ccc333', { C: 1 }, { auc: null });

describe('formatting', () => {
  it('formats durations at every scale and unknowns', () => {
    expect(formatDuration(0.0123)).toBe('12 ms');
    expect(formatDuration(3.25)).toBe('3.3 s');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(245)).toBe('4 min 05 s');
    expect(formatDuration(7380)).toBe('2 h 03 min');
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(NaN)).toBe('–');
  });

  it('reads API timestamps with their offset, and one without as UTC', () => {
    expect(parseTime('2026-11-29T18:00:00.123456+00:00')!.toISOString()).toBe(
      '2026-11-29T18:00:00.123Z'
    );
    expect(parseTime('2026-11-29T20:00:00+02:00')!.toISOString()).toBe('2026-11-29T18:00:00.000Z');
    expect(parseTime('2026-11-29T13:00:00-0500')!.toISOString()).toBe('2026-11-29T18:00:00.000Z');
    expect(parseTime('2026-11-02T10:04:05')!.toISOString()).toBe('2026-11-02T10:04:05.000Z');
    expect(parseTime('2026-11-02T10:04:05+00:00')!.toISOString()).toBe('2026-11-02T10:04:05.000Z');
    expect(parseTime(1796061600)!.toISOString()).toBe('2026-11-30T18:00:00.000Z'); // epoch s
    expect(parseTime('garbage')).toBeNull();
    expect(parseTime('')).toBeNull();
    expect(formatTime(null)).toBe('–');
    expect(formatTime('2026-11-02T10:04:05')).toMatch(/^2026-11-0[23] \d\d:\d4:05$/);
  });

  it('formats values compactly', () => {
    expect(formatValue(0.123456)).toBe('0.1235');
    expect(formatValue(0.0833333, 3)).toBe('0.0833'); // the navigator's narrow column
    expect(formatValue(1.5e-7, 3)).toBe('1.50e-7');
    expect(formatValue(3)).toBe('3');
    expect(formatValue(1.5e-7)).toBe('1.500e-7');
    expect(formatValue(null)).toBe('–');
    expect(formatValue('lbfgs')).toBe('lbfgs');
    expect(formatValue({ a: [1] })).toBe('{"a":[1]}');
  });

  it('says what an API error was', () => {
    const e = new ApiError(409, 'promotion refused', 'auc 0.82 is not >= 0.85');
    expect(describeError(e)).toBe('promotion refused: auc 0.82 is not >= 0.85');
    expect(describeError(new Error('boom'))).toBe('boom');
  });
});

describe('runs table', () => {
  it('picks param and metric columns, or the configured ones', () => {
    const ids = (columns: Column[]) => columns.map(columnId);
    expect(ids(keyColumns([a, b], []))).toEqual([
      'params.C',
      'params.solver',
      'metrics.auc',
      'metrics.loss'
    ]);
    expect(ids(keyColumns([a, b], [], 3))).toEqual(['params.C', 'params.solver', 'metrics.auc']);
    expect(keyColumns([a, b], ['metrics.auc'])).toEqual([{ part: 'metrics', key: 'auc' }]);
    expect(ids(keyColumns([a, b], ['bogus']))).toHaveLength(4); // ignored, as if unset
    expect(parseColumn('params.lr.max')).toEqual({ part: 'params', key: 'lr.max' });
    expect(ids(FIXED_COLUMNS)).toEqual(['experiment', 'status', 'kind', 'started', 'duration_s']);
  });

  it('reads a cell where the API nests it', () => {
    expect(cellValue(b, { part: 'metrics', key: 'loss' })).toBe(0.1);
    expect(cellValue(b, { part: 'params', key: 'solver' })).toBe('lbfgs');
    expect(cellValue(b, { field: 'experiment' })).toBe('churn');
    expect(cellValue(c, { part: 'params', key: 'solver' })).toBeUndefined();
  });

  it("asks the server for a sort as the API's order", () => {
    expect(orderOf({ column: { part: 'metrics', key: 'auc' }, descending: true })).toBe(
      '-metrics.auc'
    );
    expect(orderOf({ column: { field: 'started' }, descending: false })).toBe('started');
  });

  it('finds the keys that differ between runs', () => {
    expect([...differing([a, b], ['C', 'solver'], 'params')]).toEqual(['C']);
    expect([...differing([a, b], ['auc', 'loss'], 'metrics')]).toEqual(['auc', 'loss']);
  });
});

describe('ids', () => {
  it('shows runs started seconds apart apart, as the CLI does', () => {
    // time-ordered ids: two runs 7 s apart share their first 10 characters
    const first = '01a2288dc6740000c7bfeb4efa9233a1';
    const second = '01a2288dde2c0000a1b2c3d4e5f60718';
    expect(shortId(first)).toBe('01a2288dc674');
    expect(shortId(first)).not.toBe(shortId(second));
  });
});

describe('charts', () => {
  it('labels numeric bins by their open-ended edges and categorical ones by name', () => {
    const bins = histogramBins({
      edges: [0, 1],
      reference: [0.2, 0.5, 0.3],
      current: [0.1, 0.1, 0.8]
    });
    expect(bins.map(b => b.label)).toEqual(['−∞ … 0', '0 … 1', '1 … ∞']);
    expect(bins[2]).toEqual({ label: '1 … ∞', reference: 0.3, current: 0.8 });
    const cats = histogramBins({
      categories: ['basic', 'pro'],
      reference: [0.5, 0.5],
      current: [1]
    });
    expect(cats).toEqual([
      { label: 'basic', reference: 0.5, current: 1 },
      { label: 'pro', reference: 0.5, current: 0 }
    ]);
  });

  it('scales series into the box with y up, skipping missing values', () => {
    const { points, yMin, yMax } = scalePoints(
      [
        [
          { x: 0, y: 1 },
          { x: 1, y: null },
          { x: 2, y: 3 }
        ]
      ],
      100,
      50
    );
    expect([yMin, yMax]).toEqual([1, 3]);
    expect(points[0]).toEqual([
      [0, 50],
      [100, 0]
    ]);
  });
});

describe('promotion gate', () => {
  it('parses conditions and refuses malformed ones', () => {
    expect(parseGate('auc >= 0.85, f1 > champion + 0.01')).toEqual({
      auc: '>= 0.85',
      f1: '> champion + 0.01'
    });
    expect(parseGate('  ')).toEqual({});
    expect(() => parseGate('auc high')).toThrow(/e\.g\. auc >= 0\.85/);
  });
});

describe('notebook paths', () => {
  it('maps recorded absolute paths under the server root', () => {
    expect(underRoot('/srv/nb/a/train.ipynb', '/srv/nb')).toBe('a/train.ipynb');
    expect(underRoot('/srv/nb/a/train.ipynb', '/srv/nb/')).toBe('a/train.ipynb');
    expect(underRoot('/srv/nbx/train.ipynb', '/srv/nb')).toBeNull();
    expect(underRoot('a/train.ipynb', '/srv/nb')).toBe('a/train.ipynb');
  });
});
