// One run: params, metrics (click one for its history), environment, git, cell timeline.
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';
import { api } from './api';
import { ArtifactsView, bySeq, CellPictures, useArtifacts } from './artifacts';
import { CellHistory } from './cellhistory';
import { LinePlot } from './charts';
import { ErrorMessage, Empty, Loaded, useShell } from './context';
import { DeleteRun } from './delete';
import { describeError, formatDuration, formatTime, formatValue, shortId } from './format';
import { useResource } from './poll';
import { Artifact, Cell } from './types';
import { ByWho } from './who';

function KeyValues(props: { values: { [key: string]: unknown }; onPick?: (key: string) => void }) {
  const keys = Object.keys(props.values).sort();
  if (!keys.length) {
    return <Empty>none</Empty>;
  }
  return (
    <table className="jp-mlops-table jp-mlops-kv">
      <tbody>
        {keys.map(k => (
          <tr key={k} data-key={k}>
            <th scope="row">
              {props.onPick ? (
                <button
                  className="jp-mlops-link"
                  title="plot its history"
                  onClick={() => props.onPick!(k)}
                >
                  {k}
                </button>
              ) : (
                k
              )}
            </th>
            <td>{formatValue(props.values[k])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function MetricPlot(props: { runIds: string[]; metric: string }): JSX.Element {
  const shell = useShell();
  const histories = useResource(
    () => Promise.all(props.runIds.map(id => api.metric(id, props.metric).catch(() => null))),
    [props.runIds.join(','), props.metric],
    shell.refresher
  );
  return (
    <Loaded resource={histories}>
      {found => (
        <LinePlot
          title={props.metric}
          series={found.flatMap((h, i) =>
            h
              ? [
                  {
                    label: shortId(props.runIds[i]),
                    points: h.history.map((p, j) => ({ x: p.step ?? j, y: p.value }))
                  }
                ]
              : []
          )}
        />
      )}
    </Loaded>
  );
}

function Timeline(props: {
  cells: Cell[];
  notebook?: string | null;
  pictures?: Map<number, Artifact[]>;
}): JSX.Element {
  const shell = useShell();
  const [error, setError] = React.useState<string>();
  if (!props.cells.length) {
    return <Empty>No cells recorded in this run.</Empty>;
  }
  const open = (cell: Cell) => {
    setError(undefined);
    if (!props.notebook) {
      setError('This run has no notebook path (it was not started from a notebook).');
      return;
    }
    shell.openCell(props.notebook, cell.cell_id).catch(e => setError(describeError(e)));
  };
  return (
    <>
      <ErrorMessage error={error} />
      <ol className="jp-mlops-timeline">
        {props.cells.map(cell => (
          <li key={cell.seq}>
            <button
              className={`jp-mlops-cell jp-mlops-status-${cell.status}`}
              data-cell-id={cell.cell_id ?? ''}
              title={cell.source ?? ''}
              onClick={() => open(cell)}
            >
              <span className="jp-mlops-count">[{cell.execution_count ?? ' '}]</span>
              <span className="jp-mlops-source">{(cell.source ?? '').split('\n')[0]}</span>
              <span className="jp-mlops-meta">
                {formatDuration(cell.duration_ms == null ? null : cell.duration_ms / 1000)} ·{' '}
                {cell.status}
                {cell.error_type ? ` · ${cell.error_type}` : ''}
              </span>
              {(cell.reads.length > 0 || cell.writes.length > 0) && (
                <span className="jp-mlops-names">
                  {cell.reads.length > 0 && `reads ${cell.reads.join(', ')}`}
                  {cell.reads.length > 0 && cell.writes.length > 0 && ' · '}
                  {cell.writes.length > 0 && `writes ${cell.writes.join(', ')}`}
                </span>
              )}
            </button>
            <CellPictures artifacts={props.pictures?.get(cell.seq)} />
            <button
              className="jp-mlops-cell-lineage"
              title={`Cell #${cell.seq} in the lineage graph`}
              aria-label={`lineage of cell ${cell.seq}`}
              onClick={() => shell.navigate({ tab: 'lineage', node: cell.event_id, kind: 'cell' })}
            >
              lineage
            </button>
          </li>
        ))}
      </ol>
    </>
  );
}

export function RunDetailView(props: { runId: string }): JSX.Element {
  const shell = useShell();
  const [metric, setMetric] = React.useState<string>();
  const run = useResource(() => api.run(props.runId), [props.runId], shell.refresher);
  const cells = useResource(() => api.cells(props.runId), [props.runId], shell.refresher);
  const kept = useArtifacts(props.runId);
  return (
    <div className="jp-mlops-detail">
      <div className="jp-mlops-toolbar">
        <Button minimal onClick={() => shell.navigate({ tab: 'runs' })}>
          ← Runs
        </Button>
        <Button
          minimal
          onClick={() => shell.navigate({ tab: 'lineage', node: props.runId, kind: 'run' })}
        >
          Lineage
        </Button>
        {run.data && <DeleteRun runId={run.data.run_id} running={run.data.status === 'running'} />}
      </div>
      <Loaded resource={run}>
        {r => (
          <>
            <h3>
              {r.name ?? 'Run'} <code className="jp-mlops-raw-id">{r.run_id}</code>{' '}
              <Button small minimal onClick={() => void navigator.clipboard?.writeText(r.run_id)}>
                Copy id
              </Button>
            </h3>
            <p className="jp-mlops-meta">
              {r.experiment ?? '–'} · {r.status} · {r.kind} · started {formatTime(r.started)} ·{' '}
              {r.notebook ?? 'no notebook'} · git {r.git_commit ? r.git_commit.slice(0, 10) : '–'}
              <ByWho user={r.user} host={r.host} />
            </p>
            <h4>Params</h4>
            <KeyValues values={r.params} />
            <h4>Metrics</h4>
            <KeyValues values={r.metrics} onPick={setMetric} />
            {metric && <MetricPlot runIds={[r.run_id]} metric={metric} />}
            <details>
              <summary>Environment</summary>
              {r.environment ? (
                <KeyValues
                  values={Object.fromEntries(
                    Object.entries(r.environment).map(([k, v]) => [
                      k,
                      k === 'packages' && v && typeof v === 'object'
                        ? `${Object.keys(v).length} packages`
                        : v
                    ])
                  )}
                />
              ) : (
                <Empty>not recorded</Empty>
              )}
            </details>
            <CellHistory runId={r.run_id} notebook={r.notebook} />
            <h4>Cells</h4>
            <Loaded resource={cells}>
              {c => (
                <Timeline
                  cells={c.cells}
                  notebook={r.notebook}
                  pictures={bySeq(kept.data?.artifacts ?? [])}
                />
              )}
            </Loaded>
            <h4>Artifacts</h4>
            <ArtifactsView resource={kept} />
          </>
        )}
      </Loaded>
    </div>
  );
}
