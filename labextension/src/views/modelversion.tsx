// One model version in a main-area tab: what it was registered with (metrics, its run's
// params, its input signature), its aliases, who registered it, its run, the moves of
// aliases onto it, and a link to its lineage. Read from the model's versions and its run.
import * as React from 'react';
import { api } from '../api';
import { Empty, Loaded, useShell } from '../context';
import { formatTime, formatValue } from '../format';
import { AliasChips } from '../models';
import { useResource } from '../poll';
import { AliasHistory, ByWho } from '../who';

function KeyValues(props: { title: string; values: { [key: string]: unknown } }): JSX.Element {
  const entries = Object.entries(props.values);
  return (
    <section className={`jp-mlops-version-${props.title.toLowerCase()}`}>
      <h4>{props.title}</h4>
      {entries.length ? (
        <table className="jp-mlops-table">
          <tbody>
            {entries.map(([k, v]) => (
              <tr key={k} data-key={k}>
                <th scope="row">{k}</th>
                <td>{formatValue(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="jp-mlops-meta">none</p>
      )}
    </section>
  );
}

/** The input the version was registered for: its columns and their dtypes. */
function Signature(props: { signature?: { [key: string]: unknown } | null }): JSX.Element {
  const columns = (props.signature?.columns ?? []) as { name: string; dtype: string }[];
  if (!columns.length) {
    return <></>;
  }
  return (
    <KeyValues title="Signature" values={Object.fromEntries(columns.map(c => [c.name, c.dtype]))} />
  );
}

export function ModelVersionView(props: { model: string; version: number }): JSX.Element {
  const shell = useShell();
  const { model, version } = props;
  const versions = useResource(() => api.versions(model), [model], shell.refresher);
  const runId = versions.data?.versions.find(v => v.version === version)?.run_id ?? null;
  const run = useResource(
    () => (runId ? api.run(runId) : Promise.resolve(null)),
    [runId],
    shell.refresher
  );
  return (
    <div className="jp-mlops-model-version">
      <Loaded resource={versions}>
        {found => {
          const mv = found.versions.find(v => v.version === version);
          if (!mv) {
            return (
              <Empty>
                Model {model} has no version {version}.
              </Empty>
            );
          }
          return (
            <>
              <h3>
                {mv.label}
                <AliasChips aliases={mv.aliases} />
              </h3>
              <p className="jp-mlops-meta jp-mlops-registered">
                registered {formatTime(mv.created)}
                <ByWho user={mv.user} host={mv.host} />
                {mv.flavor ? ` · ${mv.flavor}` : ''}
              </p>
              <p>
                {mv.run_id && (
                  <button
                    className="jp-mlops-link jp-mlops-version-run"
                    onClick={() => shell.open({ tab: 'run', runId: mv.run_id as string })}
                  >
                    its run: {run.data?.name ?? mv.run_id}
                  </button>
                )}{' '}
                <button
                  className="jp-mlops-link jp-mlops-version-lineage"
                  onClick={() => shell.open({ tab: 'lineage', node: `${model}:${version}` })}
                >
                  lineage
                </button>
              </p>
              <KeyValues title="Metrics" values={mv.metrics} />
              <KeyValues title="Params" values={run.data?.params ?? {}} />
              <Signature signature={mv.signature} />
              <AliasHistory moves={found.alias_history.filter(m => m.version === version)} />
            </>
          );
        }}
      </Loaded>
    </div>
  );
}
