// The runs table: server-side filters, client-side sort and text filter, live, selectable.
import { Button, HTMLSelect, InputGroup } from '@jupyterlab/ui-components';
import * as React from 'react';
import { api } from './api';
import { Empty, Loaded, useShell } from './context';
import {
  cellValue,
  Column,
  filterRuns,
  FIXED_COLUMNS,
  formatDuration,
  formatTime,
  formatValue,
  keyColumns,
  Sort,
  sortRuns
} from './format';
import { useResource } from './poll';
import { Run, RunFilter } from './types';

const PAGE = 100;
const HEADERS: { [column: string]: string } = {
  experiment: 'Experiment',
  status: 'Status',
  kind: 'Kind',
  started: 'Started',
  duration_s: 'Duration'
};

function show(run: Run, column: Column): string {
  if (column === 'started') {
    return formatTime(run.started);
  }
  if (column === 'duration_s') {
    return formatDuration(run.duration_s);
  }
  return formatValue(cellValue(run, column));
}

export function RunsView(): JSX.Element {
  const shell = useShell();
  const [filter, setFilter] = React.useState<RunFilter>({});
  const [text, setText] = React.useState('');
  const [pages, setPages] = React.useState(1);
  const [sort, setSort] = React.useState<Sort>({ column: 'started', descending: true });
  const [selected, setSelected] = React.useState<string[]>([]);
  const experiments = useResource(() => api.experiments(), [], shell.refresher);
  const runs = useResource(
    () => api.runs(filter, PAGE * pages),
    [filter.experiment, filter.status, filter.kind, pages],
    shell.refresher
  );
  const toggle = (id: string) =>
    setSelected(s => (s.includes(id) ? s.filter(x => x !== id) : [...s, id]));
  const header = (column: Column) => {
    const label = HEADERS[column] ?? column.replace(/^(params|metrics)\./, '');
    const active = sort.column === column;
    return (
      <th
        key={column}
        data-column={column}
        aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}
        className={column.startsWith('metrics.') ? 'jp-mlops-metric' : undefined}
      >
        <button
          className="jp-mlops-sort"
          title={`sort by ${column}`}
          onClick={() => setSort({ column, descending: active ? !sort.descending : false })}
        >
          {label}
          {active ? (sort.descending ? ' ▼' : ' ▲') : ''}
        </button>
      </th>
    );
  };
  return (
    <div className="jp-mlops-runs">
      <div className="jp-mlops-toolbar">
        <InputGroup
          type="search"
          aria-label="filter runs"
          placeholder="Filter runs (id, notebook, param value)"
          value={text}
          onChange={e => setText((e.target as HTMLInputElement).value)}
        />
        <HTMLSelect
          aria-label="experiment"
          value={filter.experiment ?? ''}
          onChange={e => setFilter({ ...filter, experiment: e.target.value || undefined })}
          options={[
            { label: 'All experiments', value: '' },
            ...(experiments.data?.experiments ?? []).map(x => ({
              label: `${x.name} (${x.runs})`,
              value: x.name
            }))
          ]}
        />
        <HTMLSelect
          aria-label="status"
          value={filter.status ?? ''}
          onChange={e => setFilter({ ...filter, status: e.target.value || undefined })}
          options={['', 'running', 'finished', 'died', 'failed'].map(v => ({
            label: v || 'Any status',
            value: v
          }))}
        />
        <HTMLSelect
          aria-label="kind"
          value={filter.kind ?? ''}
          onChange={e => setFilter({ ...filter, kind: e.target.value || undefined })}
          options={['', 'interactive', 'job'].map(v => ({ label: v || 'Any kind', value: v }))}
        />
        <Button
          className="jp-mlops-compare"
          disabled={selected.length < 2}
          onClick={() => shell.navigate({ tab: 'compare', runIds: selected })}
        >
          Compare {selected.length || ''}
        </Button>
      </div>
      <Loaded resource={runs}>
        {page => {
          if (!page.runs.length) {
            return filter.experiment || filter.status || filter.kind ? (
              <Empty>No run matches these filters.</Empty>
            ) : (
              <Empty>
                No runs recorded yet. Run <code>%load_ext jupyter_mlops</code> in a notebook to
                start recording.
              </Empty>
            );
          }
          const columns = [...FIXED_COLUMNS, ...keyColumns(page.runs, shell.columns)];
          const shown = sortRuns(filterRuns(page.runs, text), sort);
          return (
            <>
              <table className="jp-mlops-table">
                <thead>
                  <tr>
                    <th>
                      <span className="jp-mlops-sr">select</span>
                    </th>
                    <th>Run</th>
                    {columns.map(header)}
                  </tr>
                </thead>
                <tbody>
                  {shown.map(run => (
                    <tr key={run.run_id} data-run={run.run_id}>
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`select run ${run.run_id}`}
                          checked={selected.includes(run.run_id)}
                          onChange={() => toggle(run.run_id)}
                        />
                      </td>
                      <td>
                        <button
                          className="jp-mlops-link jp-mlops-run-link"
                          title={run.notebook ?? ''}
                          onClick={() => shell.navigate({ tab: 'run', runId: run.run_id })}
                        >
                          {run.run_id.slice(0, 8)}
                        </button>
                      </td>
                      {columns.map(c => (
                        <td key={c} data-column={c} className={`jp-mlops-status-${run.status}`}>
                          {show(run, c)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
              {!shown.length && <Empty>No loaded run contains “{text}”.</Empty>}
              {page.next_cursor && (
                <Button minimal onClick={() => setPages(pages + 1)}>
                  Load {PAGE} more
                </Button>
              )}
            </>
          );
        }}
      </Loaded>
    </div>
  );
}
