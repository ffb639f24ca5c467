// The runs table: filtered by the server (experiment, status, kind, text), paged with its
// cursor, sorted in the browser, live, selectable.
import { Button, HTMLSelect, InputGroup } from '@jupyterlab/ui-components';
import * as React from 'react';
import { api } from './api';
import { Empty, Loaded, useShell } from './context';
import {
  cellValue,
  Column,
  columnId,
  Field,
  FIXED_COLUMNS,
  formatDuration,
  formatTime,
  formatValue,
  keyColumns,
  shortId,
  Sort,
  sortRuns
} from './format';
import { useDebounced, useResource } from './poll';
import { oneOf, Run, RUN_KINDS, RUN_STATUSES, RunFilter } from './types';

const PAGE = 100;
const HEADERS: { [field in Field]: string } = {
  experiment: 'Experiment',
  status: 'Status',
  kind: 'Kind',
  started: 'Started',
  duration_s: 'Duration'
};

function show(run: Run, column: Column): string {
  if ('field' in column && column.field === 'started') {
    return formatTime(run.started);
  }
  if ('field' in column && column.field === 'duration_s') {
    return formatDuration(run.duration_s);
  }
  return formatValue(cellValue(run, column));
}

export function RunsView(): JSX.Element {
  const shell = useShell();
  const [filter, setFilter] = React.useState<RunFilter>({});
  const [text, setText] = React.useState('');
  const q = useDebounced(text.trim(), 300);
  const [more, setMore] = React.useState({ query: '', pages: 1 });
  const [sort, setSort] = React.useState<Sort>({ column: { field: 'started' }, descending: true });
  const [selected, setSelected] = React.useState<string[]>([]);
  const experiments = useResource(() => api.experiments(), [], shell.refresher);
  const query: RunFilter = { ...filter, q: q || undefined };
  const key = JSON.stringify(query);
  const pages = more.query === key ? more.pages : 1; // another filter starts at one page
  const runs = useResource(
    () => api.runPages(query, PAGE, pages),
    [key, pages],
    shell.refresher,
    true
  );
  const toggle = (id: string) =>
    setSelected(s => (s.includes(id) ? s.filter(x => x !== id) : [...s, id]));
  const header = (column: Column) => {
    const id = columnId(column);
    const label = 'field' in column ? HEADERS[column.field] : column.key;
    const active = columnId(sort.column) === id;
    return (
      <th
        key={id}
        data-column={id}
        aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}
        className={'part' in column && column.part === 'metrics' ? 'jp-mlops-metric' : undefined}
      >
        <button
          className="jp-mlops-sort"
          title={`sort by ${id}`}
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
          placeholder="Filter runs (id prefix, experiment, notebook)"
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
          onChange={e => setFilter({ ...filter, status: oneOf(RUN_STATUSES, e.target.value) })}
          options={['', ...RUN_STATUSES].map(v => ({
            label: v || 'Any status',
            value: v
          }))}
        />
        <HTMLSelect
          aria-label="kind"
          value={filter.kind ?? ''}
          onChange={e => setFilter({ ...filter, kind: oneOf(RUN_KINDS, e.target.value) })}
          options={['', ...RUN_KINDS].map(v => ({ label: v || 'Any kind', value: v }))}
        />
        <Button
          className="jp-mlops-compare"
          disabled={selected.length === 1}
          title={selected.length ? undefined : 'plot the newest runs at once'}
          onClick={() => shell.navigate({ tab: 'compare', runIds: selected })}
        >
          Compare {selected.length || 'all'}
        </Button>
      </div>
      <Loaded resource={runs}>
        {page => {
          if (!page.runs.length) {
            return query.experiment || query.status || query.kind || query.q ? (
              <Empty>No run matches these filters.</Empty>
            ) : (
              <Empty>
                No runs recorded yet. Run <code>%load_ext jupyter_mlops</code> in a notebook to
                start recording.
              </Empty>
            );
          }
          const columns = [...FIXED_COLUMNS, ...keyColumns(page.runs, shell.columns)];
          const shown = sortRuns(page.runs, sort);
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
                          {shortId(run.run_id)}
                        </button>
                      </td>
                      {columns.map(c => (
                        <td
                          key={columnId(c)}
                          data-column={columnId(c)}
                          className={`jp-mlops-status-${run.status}`}
                        >
                          {show(run, c)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
              {page.next_cursor && (
                <Button minimal onClick={() => setMore({ query: key, pages: pages + 1 })}>
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
