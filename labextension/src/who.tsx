// Who wrote a record: "by alice@laptop" for runs and alias moves (their process's user and
// host; records written before the store kept them have neither).
import * as React from 'react';
import { formatTime } from './format';
import { AliasMove } from './types';

/** "alice@laptop", "alice", "@laptop", or '' when neither is known. */
export function who(user?: string | null, host?: string | null): string {
  return user || host ? `${user ?? ''}${host ? `@${host}` : ''}` : '';
}

/** " · by alice@laptop", or nothing when who is unknown. */
export function ByWho(props: { user?: string | null; host?: string | null }): JSX.Element {
  const by = who(props.user, props.host);
  return <>{by && <span className="jp-mlops-who"> · by {by}</span>}</>;
}

/** Every move of a model's aliases, newest first: where it pointed, when, and by whom. */
export function AliasHistory(props: { moves: AliasMove[] }): JSX.Element {
  if (!props.moves.length) {
    return <></>;
  }
  return (
    <details className="jp-mlops-alias-history">
      <summary>Alias history</summary>
      <ul>
        {[...props.moves].reverse().map((m, i) => (
          <li key={i}>
            <strong>{m.alias}</strong>:{' '}
            {m.previous === null || m.previous === undefined ? '' : `v${m.previous} → `}v{m.version}{' '}
            · {formatTime(m.created)}
            <ByWho user={m.user ?? m.set_by} host={m.host} />
          </li>
        ))}
      </ul>
    </details>
  );
}
