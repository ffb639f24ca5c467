// What the sidebar's one-line rows show: a run's name, a status icon, a relative time and the
// metric the user picked. Pure helpers, unit tested.
import { formatTime, parseTime, shortId } from './format';
import { DriftColumn, Run } from './types';

/** A run as people read it: its name (older servers send none: the id's start). */
export function runName(run: { name?: string | null; run_id: string }): string {
  return run.name || shortId(run.run_id);
}

/** The tooltip of a run's name: its full id and notebook, so the raw id stays at hand. */
export function runTitle(run: Run): string {
  return [
    `run ${run.run_id}`,
    run.experiment && `experiment ${run.experiment}`,
    run.notebook,
    `started ${formatTime(run.started)}`
  ]
    .filter(Boolean)
    .join('\n');
}

/** "just now", "42 s ago", "3 min ago", "5 h ago", "2 d ago"; older: the date. */
export function relativeTime(
  value: string | number | null | undefined,
  now: number = Date.now()
): string {
  const date = parseTime(value);
  if (!date) {
    return '–';
  }
  const seconds = Math.max(0, Math.round((now - date.getTime()) / 1000));
  if (seconds < 10) {
    return 'just now';
  }
  if (seconds < 60) {
    return `${seconds} s ago`;
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ago`;
  }
  if (seconds < 86400) {
    return `${Math.floor(seconds / 3600)} h ago`;
  }
  if (seconds < 7 * 86400) {
    return `${Math.floor(seconds / 86400)} d ago`;
  }
  return formatTime(value).slice(0, 10);
}

const ICONS: { [status: string]: string } = {
  running: '●',
  finished: '✓',
  succeeded: '✓',
  died: '✗',
  failed: '✗',
  kernel_died: '✗',
  timed_out: '⏱',
  cancelled: '⊘',
  interrupted: '⊘',
  lost: '?',
  refused: '⊘'
};

/** A one-character icon for a run's status (the status itself is its label). */
export function statusIcon(status: string): string {
  return ICONS[status] ?? '•';
}

/** The metric the runs list shows: the one chosen if a listed run has it, else the first
 * metric the newest runs logged (empty when none has any). */
export function shownMetric(runs: Run[], chosen: string): string {
  const keys = runs.flatMap(run => Object.keys(run.metrics));
  if (chosen && keys.includes(chosen)) {
    return chosen;
  }
  return keys[0] ?? '';
}

/** Every metric key of the listed runs, sorted (the picker's choices). */
export function metricKeys(runs: Run[]): string[] {
  return [...new Set(runs.flatMap(run => Object.keys(run.metrics)))].sort();
}

/** Drifted columns first, then by effect size, largest first (unknown effects last). */
export function driftedFirst(columns: DriftColumn[]): DriftColumn[] {
  return [...columns].sort(
    (a, b) =>
      Number(Boolean(b.drifted)) - Number(Boolean(a.drifted)) ||
      (b.effect ?? -Infinity) - (a.effect ?? -Infinity)
  );
}
