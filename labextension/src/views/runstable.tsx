// The runs table of the main area: every param and metric a column, filtered by the server
// (experiment, status, kind, text ``q``), one page at a time with its cursor, sorted by the
// server on a header click (``order=-metrics.auc``: every run, not just the loaded page).
import { Button, HTMLSelect } from '@jupyterlab/ui-components';
import * as React from 'react';
import { api } from '../api';
import { Empty, Loaded, useShell } from '../context';
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
  orderOf,
  Sort
} from '../format';
import { useResource } from '../poll';
import { RunFilters, SortHeader, useRunFilter, useSelection } from '../runfilters';
import { Run } from '../types';
import { runLabel } from './keys';
import { useRenderTime } from './timing';

const SIZES = [50, 100, 250, 1000];
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

/** The table alone (what the benchmark renders with 1,000 runs). */
export function RunsRows(props: {
  runs: Run[];
  sort: Sort;
  onSort: (sort: Sort) => void;
  selected: string[];
  onToggle: (runId: string) => void;
  onOpen: (runId: string) => void;
}): JSX.Element {
  const { sort } = props;
  const timed = useRenderTime<HTMLTableElement>(
    `${props.runs.map(r => r.run_id).join()} ${JSON.stringify(sort)}`
  );
  const columns = [...FIXED_COLUMNS, ...keyColumns(props.runs, [], Number.MAX_SAFE_INTEGER)];
  return (
    <table ref={timed} className="jp-mlops-table jp-mlops-runs-table">
      <thead>
        <tr>
          <th>
            <span className="jp-mlops-sr">select</span>
          </th>
          <th>Run</th>
          {columns.map(column => (
            <SortHeader
              key={columnId(column)}
              column={column}
              label={'field' in column ? HEADERS[column.field] : column.key}
              sort={sort}
              onSort={props.onSort}
              className={'part' in column ? `jp-mlops-${column.part}` : undefined}
            />
          ))}
        </tr>
      </thead>
      <tbody>
        {props.runs.map(run => (
          <tr key={run.run_id} data-run={run.run_id}>
            <td>
              <input
                type="checkbox"
                aria-label={`select run ${runLabel(run)}`}
                checked={props.selected.includes(run.run_id)}
                onChange={() => props.onToggle(run.run_id)}
              />
            </td>
            <th scope="row">
              <button
                className="jp-mlops-link jp-mlops-run-link"
                title={`${run.run_id}\n${run.notebook ?? ''}`}
                onClick={() => props.onOpen(run.run_id)}
              >
                {runLabel(run)}
              </button>
            </th>
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
  );
}

export function RunsTable(): JSX.Element {
  const shell = useShell();
  const filters = useRunFilter();
  const [size, setSize] = React.useState(100);
  const [sort, setSort] = React.useState<Sort>({ column: { field: 'started' }, descending: true });
  // the cursors of the pages before this one: Previous pops, Next pushes
  const [paging, setPaging] = React.useState<{ key: string; cursors: (string | undefined)[] }>({
    key: '',
    cursors: [undefined]
  });
  const [selected, toggle] = useSelection();
  const query = { ...filters.query, order: orderOf(sort) };
  const key = JSON.stringify([query, size]);
  const cursors = paging.key === key ? paging.cursors : [undefined]; // another filter: page 1
  const setCursors = (next: (c: (string | undefined)[]) => (string | undefined)[]) =>
    setPaging({ key, cursors: next(cursors) });
  const cursor = cursors[cursors.length - 1];
  const runs = useResource(
    () => api.runs(query, size, cursor),
    [key, cursor],
    shell.refresher,
    true
  );
  const first = (cursors.length - 1) * size;
  return (
    <div className="jp-mlops-runs jp-mlops-runs-main">
      <div className="jp-mlops-toolbar">
        <RunFilters
          state={filters}
          placeholder="Filter runs (name, id prefix, experiment, notebook)"
        />
        <HTMLSelect
          aria-label="runs per page"
          value={String(size)}
          onChange={e => setSize(Number(e.target.value))}
          options={SIZES.map(n => ({ label: `${n} per page`, value: String(n) }))}
        />
        <Button
          className="jp-mlops-compare"
          disabled={selected.length < 2}
          title="select two or more runs"
          onClick={() => shell.open({ tab: 'compare', runIds: selected })}
        >
          Compare {selected.length || ''}
        </Button>
      </div>
      <Loaded resource={runs}>
        {page =>
          page.runs.length ? (
            <>
              <div className="jp-mlops-scroll">
                <RunsRows
                  runs={page.runs}
                  sort={sort}
                  onSort={setSort}
                  selected={selected}
                  onToggle={toggle}
                  onOpen={runId => shell.open({ tab: 'run', runId })}
                />
              </div>
              <div className="jp-mlops-pager">
                <Button
                  minimal
                  disabled={cursors.length < 2}
                  onClick={() => setCursors(c => c.slice(0, -1))}
                >
                  ← Previous
                </Button>
                <span className="jp-mlops-meta">
                  runs {first + 1}–{first + page.runs.length}
                </span>
                <Button
                  minimal
                  disabled={!page.next_cursor}
                  onClick={() => setCursors(c => [...c, page.next_cursor ?? undefined])}
                >
                  Next →
                </Button>
              </div>
            </>
          ) : (
            <Empty>No run matches these filters.</Empty>
          )
        }
      </Loaded>
    </div>
  );
}
