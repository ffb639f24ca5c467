// Registered models, their versions and aliases; promote a version through the gate.
import { Button, InputGroup } from '@jupyterlab/ui-components';
import * as React from 'react';
import { api } from './api';
import { ErrorMessage, Loaded, useShell } from './context';
import { FIRST_RUN, FirstSteps } from './empty';
import { describeError, formatTime, formatValue, parseGate } from './format';
import { relativeTime } from './labels';
import { useResource } from './poll';
import { ModelVersion } from './types';
import { AliasHistory } from './who';

const REGISTER = `${FIRST_RUN}
model = LogisticRegression().fit(X, y)
mlops.register(model, "churn")`;

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

/** The aliases pointing at a version, as chips. */
export function AliasChips(props: { aliases: string[] }): JSX.Element {
  return (
    <span className="jp-mlops-aliases">
      {props.aliases.map(a => (
        <span key={a} className="jp-mlops-tag">
          {a}
        </span>
      ))}
    </span>
  );
}

/** A version's one line: its name:version (lineage), alias chips, its first metric, when. */
function VersionRow(props: { version: ModelVersion; onPromoted: () => void }): JSX.Element {
  const shell = useShell();
  const [open, setOpen] = React.useState(false);
  const mv = props.version;
  const [metric, value] = Object.entries(mv.metrics)[0] ?? [];
  return (
    <>
      <tr data-version={mv.version} title={mv.run_id ? `run ${mv.run_id}` : undefined}>
        <td className="jp-mlops-name">
          <button
            className="jp-mlops-link"
            title={`open ${mv.label ?? mv.name}: metrics, params, aliases, lineage`}
            onClick={() => shell.open({ tab: 'models', model: mv.name, version: mv.version })}
          >
            v{mv.version}
          </button>
          <AliasChips aliases={mv.aliases} />
        </td>
        <td data-column="metric" title={Object.keys(mv.metrics).join(', ')}>
          {metric ? `${metric} ${formatValue(value)}` : '–'}
        </td>
        <td title={formatTime(mv.created)}>{relativeTime(mv.created)}</td>
        <td className="jp-mlops-select">
          <button
            className="jp-mlops-link"
            aria-expanded={open}
            aria-label={`promote version ${mv.version}`}
            title="point an alias at this version"
            onClick={() => setOpen(!open)}
          >
            ⇪
          </button>
        </td>
      </tr>
      {open && (
        <tr className="jp-mlops-promote-row">
          <td colSpan={4}>
            <Promote version={mv} onDone={props.onPromoted} />
          </td>
        </tr>
      )}
    </>
  );
}

function Versions(props: { name: string }): JSX.Element {
  const shell = useShell();
  const versions = useResource(() => api.versions(props.name), [props.name], shell.refresher);
  return (
    <Loaded resource={versions}>
      {v => (
        <>
          <table className="jp-mlops-table jp-mlops-versions jp-mlops-rows">
            <thead>
              <tr>
                <th className="jp-mlops-name">Version</th>
                <th>Metric</th>
                <th>When</th>
                <th className="jp-mlops-select">
                  <span className="jp-mlops-sr">promote</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {[...v.versions].reverse().map(mv => (
                <VersionRow key={mv.version} version={mv} onPromoted={versions.reload} />
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
              <FirstSteps
                what="No models registered yet. Register a trained model from a notebook:"
                code={REGISTER}
              />
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
