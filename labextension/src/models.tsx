// Registered models, their versions and aliases; promote a version through the gate.
import { Button, InputGroup } from '@jupyterlab/ui-components';
import * as React from 'react';
import { api } from './api';
import { Empty, ErrorMessage, Loaded, useShell } from './context';
import { describeError, formatTime, formatValue, parseGate, shortId } from './format';
import { useResource } from './poll';
import { ModelVersion } from './types';
import { AliasHistory } from './who';

function Promote(props: { version: ModelVersion; onDone: () => void }): JSX.Element {
  const [alias, setAlias] = React.useState('champion');
  const [gate, setGate] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<string>();
  const [done, setDone] = React.useState<string>();
  const { name, version } = props.version;
  const promote = async () => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      await api.promote(name, version, alias, parseGate(gate));
      setDone(`${name}@${alias} → version ${version}`);
      props.onDone();
    } catch (e) {
      setError(describeError(e)); // a gate refusal (409) names the failing condition
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="jp-mlops-promote">
      <InputGroup
        aria-label={`alias for version ${version}`}
        value={alias}
        onChange={e => setAlias((e.target as HTMLInputElement).value)}
      />
      <InputGroup
        aria-label={`gate for version ${version}`}
        placeholder="gate, e.g. auc >= 0.85"
        value={gate}
        onChange={e => setGate((e.target as HTMLInputElement).value)}
      />
      <Button small disabled={busy || !alias} onClick={promote}>
        Promote
      </Button>
      {done && (
        <span className="jp-mlops-ok" role="status">
          {done}
        </span>
      )}
      <ErrorMessage error={error} />
    </div>
  );
}

function Versions(props: { name: string }): JSX.Element {
  const shell = useShell();
  const versions = useResource(() => api.versions(props.name), [props.name], shell.refresher);
  return (
    <Loaded resource={versions}>
      {v => (
        <>
          <table className="jp-mlops-table jp-mlops-versions">
            <thead>
              <tr>
                <th>Version</th>
                <th>Aliases</th>
                <th>Metrics</th>
                <th>Created</th>
                <th>Run</th>
                <th>Promote</th>
              </tr>
            </thead>
            <tbody>
              {[...v.versions].reverse().map(mv => (
                <tr key={mv.version} data-version={mv.version}>
                  <td>
                    <button
                      className="jp-mlops-link"
                      title="lineage of this version"
                      onClick={() =>
                        shell.navigate({ tab: 'lineage', node: `${mv.name}:${mv.version}` })
                      }
                    >
                      v{mv.version}
                    </button>
                  </td>
                  <td className="jp-mlops-aliases">
                    {mv.aliases.map(a => (
                      <span key={a} className="jp-mlops-tag">
                        {a}
                      </span>
                    ))}
                  </td>
                  <td>
                    {Object.entries(mv.metrics)
                      .map(([k, x]) => `${k} ${formatValue(x)}`)
                      .join(', ') || '–'}
                  </td>
                  <td>{formatTime(mv.created)}</td>
                  <td>
                    {mv.run_id ? (
                      <button
                        className="jp-mlops-link"
                        onClick={() => shell.navigate({ tab: 'run', runId: mv.run_id! })}
                      >
                        {shortId(mv.run_id)}
                      </button>
                    ) : (
                      '–'
                    )}
                  </td>
                  <td>
                    <Promote version={mv} onDone={versions.reload} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <AliasHistory moves={v.alias_history} />
        </>
      )}
    </Loaded>
  );
}

export function ModelsView(props: { model?: string }): JSX.Element {
  const shell = useShell();
  const models = useResource(() => api.models(), [], shell.refresher);
  return (
    <div className="jp-mlops-models">
      <Loaded resource={models}>
        {m => {
          if (!m.models.length) {
            return (
              <Empty>
                No models registered yet. In a notebook: <code>mlops.register(model, "name")</code>.
              </Empty>
            );
          }
          const chosen = props.model ?? m.models[0].name;
          return (
            <>
              <ul className="jp-mlops-list" role="listbox" aria-label="models">
                {m.models.map(model => (
                  <li key={model.name}>
                    <button
                      role="option"
                      aria-selected={model.name === chosen}
                      className={`jp-mlops-item${model.name === chosen ? ' jp-mod-selected' : ''}`}
                      onClick={() => shell.navigate({ tab: 'models', model: model.name })}
                    >
                      <strong>{model.name}</strong> · {model.versions} version
                      {model.versions === 1 ? '' : 's'} ·{' '}
                      {Object.entries(model.aliases)
                        .map(([a, v]) => `${a} → v${v}`)
                        .join(', ') || 'no alias'}
                    </button>
                  </li>
                ))}
              </ul>
              <Versions name={chosen} />
            </>
          );
        }}
      </Loaded>
    </div>
  );
}
