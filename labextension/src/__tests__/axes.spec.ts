import { keptBy, makeAxis, metricKeys, MISSING, rampColor, ticks, varyingParams } from '../axes';
import { Run } from '../types';

function run(id: string, params: Run['params'], metrics: Run['metrics'] = {}): Run {
  return {
    run_id: id,
    name: null,
    experiment: 'e',
    status: 'finished',
    started: null,
    params,
    metrics
  };
}

const RUNS = [
  run('a', { lr: 1e-5, opt: 'sgd', depth: 2, batch: 32 }, { auc: 0.6 }),
  run('b', { lr: 1e-1, opt: 'adam', depth: 8, batch: 32, drop: 0.1 }, { auc: 0.9, loss: 1 }),
  run('c', { lr: 1e-3, opt: 'adam', depth: 5, batch: 32, drop: 0.3 })
];

describe('makeAxis', () => {
  it('spreads a range over decades on a log axis', () => {
    const axis = makeAxis(RUNS, { part: 'params', key: 'lr' });
    expect(axis.kind).toBe('log');
    expect(Array.from(axis.positions)).toEqual([0, 1, 0.5]);
    expect(ticks(axis, 10).map(t => t.label)).toEqual(['1.000e-5', '0.1', '1e-4', '1e-3', '1e-2']);
  });
  it('places categories in sorted order', () => {
    const axis = makeAxis(RUNS, { part: 'params', key: 'opt' });
    expect(axis.kind).toBe('category');
    expect(axis.categories).toEqual(['adam', 'sgd']);
    expect(Array.from(axis.positions)).toEqual([1, 0, 0]);
  });
  it('puts a missing value below the axis', () => {
    const axis = makeAxis(RUNS, { part: 'params', key: 'drop' });
    expect(axis.kind).toBe('linear');
    expect(axis.missing).toBe(1);
    expect(axis.positions[0]).toBeCloseTo(MISSING);
    expect(axis.positions[2]).toBeCloseTo(1);
  });
  it('is categorical when any value is not a number', () => {
    const mixed = [run('a', { x: 1 }), run('b', { x: 'auto' })];
    expect(makeAxis(mixed, { part: 'params', key: 'x' }).categories).toEqual(['1', 'auto']);
  });
});

describe('varyingParams', () => {
  it('drops constant params and puts numeric ones first', () => {
    expect(varyingParams(RUNS, 10).map(k => k.key)).toEqual(['depth', 'drop', 'lr', 'opt']);
    expect(varyingParams(RUNS, 2).map(k => k.key)).toEqual(['depth', 'drop']);
  });
  it('lists every metric once', () => {
    expect(metricKeys(RUNS)).toEqual(['auc', 'loss']);
  });
});

describe('rampColor', () => {
  it('runs from the first stop to the last, clamped', () => {
    expect(rampColor(-1)).toBe('rgb(68,1,84)');
    expect(rampColor(1)).toBe('rgb(253,231,37)');
  });
});

describe('keptBy', () => {
  const axes = [
    makeAxis(RUNS, { part: 'params', key: 'lr' }),
    makeAxis(RUNS, { part: 'params', key: 'drop' })
  ];
  it('keeps every run without brushes', () => {
    expect(keptBy(axes, [], 3)).toBeNull();
    expect(keptBy(axes, [{ key: 'params.nope', lo: 0, hi: 1 }], 3)).toBeNull();
  });
  it('keeps the runs inside every brush; below 0 keeps the missing', () => {
    expect(keptBy(axes, [{ key: 'params.lr', lo: 0.4, hi: 1 }], 3)).toEqual([false, true, true]);
    const both = [
      { key: 'params.lr', lo: 0.4, hi: 1 },
      { key: 'params.drop', lo: 0.5, hi: 1 }
    ];
    expect(keptBy(axes, both, 3)).toEqual([false, false, true]);
    expect(keptBy(axes, [{ key: 'params.drop', lo: MISSING - 0.01, hi: 0.1 }], 3)).toEqual([
      true,
      true,
      false
    ]);
  });
});
