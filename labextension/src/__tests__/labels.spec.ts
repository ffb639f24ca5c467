import {
  driftedFirst,
  metricKeys,
  relativeTime,
  runName,
  shownMetric,
  statusIcon
} from '../labels';
import { DriftColumn, Run } from '../types';

const run = (name: string | null, metrics: { [key: string]: number }): Run =>
  ({ run_id: '01a2288dc6740000c7bfeb4efa9233a1', name, metrics, params: {} }) as unknown as Run;

describe('labels', () => {
  it('names a run by its name, else by the start of its id', () => {
    expect(runName(run('train-3f2a', {}))).toBe('train-3f2a');
    expect(runName(run(null, {}))).toBe('01a2288dc674');
  });

  it('says how long ago, in words', () => {
    const now = Date.parse('2026-11-30T12:00:00+00:00');
    expect(relativeTime('2026-11-30T11:59:58+00:00', now)).toBe('just now');
    expect(relativeTime('2026-11-30T11:59:18+00:00', now)).toBe('42 s ago');
    expect(relativeTime('2026-11-30T11:57:00+00:00', now)).toBe('3 min ago');
    expect(relativeTime('2026-11-30T07:00:00+00:00', now)).toBe('5 h ago');
    expect(relativeTime('2026-11-28T12:00:00+00:00', now)).toBe('2 d ago');
    expect(relativeTime(null, now)).toBe('–');
  });

  it('shows the metric picked if a run has it, else the first logged', () => {
    const runs = [run('a', { loss: 1, auc: 0.9 }), run('b', { f1: 0.5 })];
    expect(shownMetric(runs, 'f1')).toBe('f1');
    expect(shownMetric(runs, 'gone')).toBe('loss');
    expect(shownMetric([], '')).toBe('');
    expect(metricKeys(runs)).toEqual(['auc', 'f1', 'loss']);
    expect(statusIcon('finished')).not.toBe(statusIcon('died'));
  });

  it('lists drifted columns first, the largest effect first', () => {
    const col = (column_name: string, drifted: boolean | null, effect: number | null) =>
      ({ column_name, drifted, effect }) as DriftColumn;
    const sorted = driftedFirst([
      col('a', false, 0.9),
      col('b', true, 0.2),
      col('c', true, 0.7),
      col('d', null, null)
    ]);
    expect(sorted.map(c => c.column_name)).toEqual(['c', 'b', 'a', 'd']);
  });
});
