// Runs side by side: params that differ highlighted, metrics, a metric's history, why two of
// them differ; and many runs at once (parallel coordinates, scatter) around them.
import { Button, HTMLSelect } from '@jupyterlab/ui-components';
import * as React from 'react';
import { api } from './api';
import { Loaded, useShell } from './context';
import { MetricPlot } from './detail';
import { ManyRuns } from './manyruns';
import { columnId, differing, formatValue, shortId } from './format';
import { useResource } from './poll';
import { Run } from './types';
import { RunDiffView } from './rundiff';

function Rows(props: { runs: Run[]; keys: string[]; part: 'params' | 'metrics' }) {
  const differ = differing(props.runs, props.keys, props.part);
  return (
    <>
      {props.keys.map(k => (
        <tr
          key={k}
          data-key={columnId({ part: props.part, key: k })}
          className={differ.has(k) ? 'jp-mlops-differs' : undefined}
        >
          <th scope="row">
            {k}
            {differ.has(k) && <span className="jp-mlops-sr"> (differs)</span>}
          </th>
          {props.runs.map(r => (
            <td key={r.run_id}>{formatValue(r[props.part][k])}</td>
          ))}
        </tr>
      ))}
    </>
  );
}

export function CompareView(props: { runIds: string[] }): JSX.Element {
  const shell = useShell();
  const found = useResource(
    () => (props.runIds.length ? api.compare(props.runIds) : Promise.resolve(null)),
    [props.runIds.join(',')],
    shell.refresher
  );
  const [metric, setMetric] = React.useState<string>();
  return (
    <div className="jp-mlops-comparison">
      <div className="jp-mlops-toolbar">
        <Button minimal onClick={() => shell.navigate({ tab: 'runs' })}>
          ← Runs
        </Button>
      </div>
      <Loaded resource={found}>
        {c => {
          if (!c) {
            return <ManyRuns marked={[]} />;
          }
          const plotted = metric ?? c.metrics[0];
          const experiments = [...new Set(c.runs.map(r => r.experiment))];
          return (
            <>
              <table className="jp-mlops-table">
                <thead>
                  <tr>
                    <th />
                    {c.runs.map(r => (
                      <th key={r.run_id}>
                        <button
                          className="jp-mlops-link"
                          onClick={() => shell.navigate({ tab: 'run', runId: r.run_id })}
                        >
                          {shortId(r.run_id)}
                        </button>
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  <tr className="jp-mlops-section">
                    <th colSpan={c.runs.length + 1}>Params</th>
                  </tr>
                  <Rows runs={c.runs} keys={c.params} part="params" />
                  <tr className="jp-mlops-section">
                    <th colSpan={c.runs.length + 1}>Metrics</th>
                  </tr>
                  <Rows runs={c.runs} keys={c.metrics} part="metrics" />
                </tbody>
              </table>
              {plotted && (
                <>
                  <HTMLSelect
                    aria-label="metric to plot"
                    value={plotted}
                    onChange={e => setMetric(e.target.value)}
                    options={c.metrics}
                  />
                  <MetricPlot runIds={c.runs.map(r => r.run_id)} metric={plotted} />
                </>
              )}
              {c.runs.length > 1 && (
                <RunDiffView
                  runIds={[...c.runs]
                    .sort((x, y) => (x.started ?? '').localeCompare(y.started ?? ''))
                    .map(r => r.run_id)}
                />
              )}
              <ManyRuns
                experiment={experiments.length === 1 ? (experiments[0] ?? undefined) : undefined}
                marked={c.runs.map(r => r.run_id)}
              />
            </>
          );
        }}
      </Loaded>
    </div>
  );
}
