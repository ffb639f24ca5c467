// Alerts: the rules and channels configured for the store, and what the outbox sent, is
// retrying, held back by a rate limit or gave up on (the same as `jupyter mlops alerts`).
import * as React from 'react';
import { api } from './api';
import { Empty, Loaded, useShell } from './context';
import { formatTime } from './format';
import { useResource } from './poll';

export function AlertsView(): JSX.Element {
  const shell = useShell();
  const config = useResource(() => api.alerts(), [], shell.refresher);
  const history = useResource(() => api.alertHistory(), [], shell.refresher);
  return (
    <div className="jp-mlops-alerts">
      <h4>Rules</h4>
      <Loaded resource={config}>
        {c =>
          Object.keys(c.rules).length ? (
            <ul className="jp-mlops-alert-rules">
              {Object.entries(c.rules).map(([name, rule]) => (
                <li key={name} data-rule={name}>
                  <strong>{name}</strong>: {String(rule.on)} → {String(rule.channels)}
                </li>
              ))}
            </ul>
          ) : (
            <Empty>
              No rules. From a terminal:{' '}
              <code>jupyter mlops alerts add rule failures --on job_failed --channel ops</code>.
            </Empty>
          )
        }
      </Loaded>
      <h4>Sent</h4>
      <Loaded resource={history}>
        {h =>
          h.messages.length ? (
            <table className="jp-mlops-table jp-mlops-alert-history">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Alert</th>
                  <th>To</th>
                  <th>State</th>
                </tr>
              </thead>
              <tbody>
                {h.messages.map(m => (
                  <tr key={m.key} data-key={m.key}>
                    <td>{formatTime(m.created)}</td>
                    <td title={m.text ?? ''}>
                      [{m.severity}] {m.title}
                    </td>
                    <td>{m.channel}</td>
                    <td className={`jp-mlops-alert-${m.state}`} title={m.last_error ?? ''}>
                      {m.state}
                      {(m.attempts ?? 0) > 1 ? ` · ${m.attempts} attempts` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <Empty>No alerts sent yet.</Empty>
          )
        }
      </Loaded>
    </div>
  );
}
