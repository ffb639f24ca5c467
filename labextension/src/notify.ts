// JupyterLab notifications for alerts the outbox queues while Lab is open (and for those it
// gives up on), from a poll of the history of its own: the panel need not be shown.
import { Notification } from '@jupyterlab/apputils';
import { Poll } from '@lumino/polling';
import { api } from './api';

const KIND: { [severity: string]: 'info' | 'warning' | 'error' } = {
  info: 'info',
  warning: 'warning',
  error: 'error',
  critical: 'error'
};

/** Starts notifying; what the history holds when it starts is taken as seen. */
export function notifyAlerts(seconds: number): Poll {
  const seen = new Map<string, string>();
  let first = true;
  const poll = new Poll({
    auto: true,
    factory: async () => {
      const { messages } = await api.alertHistory();
      for (const m of [...messages].reverse()) {
        const before = seen.get(m.key);
        seen.set(m.key, m.state);
        if (first || m.state === 'suppressed' || before === m.state) {
          continue;
        }
        if (before === undefined) {
          Notification.emit(
            `${m.title}${m.text ? ` — ${m.text}` : ''}`,
            KIND[m.severity ?? ''] ?? 'info',
            {
              autoClose: 10_000
            }
          );
        } else if (m.state === 'failed') {
          Notification.error(
            `alert "${m.title}" could not be sent to ${m.channel}: ${m.last_error ?? ''}`
          );
        }
      }
      first = false;
    },
    frequency: { interval: seconds * 1000, backoff: true, max: 120_000 },
    name: 'jupyter-mlops:alerts',
    standby: 'when-hidden'
  });
  return poll;
}
