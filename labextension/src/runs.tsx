// The runs list of the sidebar, a navigator: one line per run (status icon, name, when, the
// metric picked), filtered by the server (experiment, status, kind, text), paged with its
// cursor, sorted in the browser, live, selectable. The full table opens in the main area.
import { Button, HTMLSelect } from '@jupyterlab/ui-components';
import * as React from 'react';
import { api } from './api';
import { Empty, Loaded, useShell } from './context';
import { FirstRun } from './empty';
import { cellValue, Column, columnId, formatTime, formatValue, orderOf, Sort } from './format';
import { metricKeys, relativeTime, runName, runTitle, shownMetric, statusIcon } from './labels';
import { useResource } from './poll';
import { RunFilters, SortHeader, useRunFilter, useSelection } from './runfilters';

const PAGE = 100;

/** The runs header's metric picker: the metric each row shows (saved in the settings). */
function MetricPicker(props: { keys: string[]; shown: string }): JSX.Element | null {
  const shell = useShell();
  if (!props.keys.length) {
    return null;
  }
  return (
    <HTMLSelect
      aria-label="metric shown"
      title="the metric each run shows"
      value={props.shown}
      onChange={e => shell.chooseMetric(e.target.value)}
      options={props.keys.map(k => ({ label: k, value: k }))}
    />
  );
}

export function RunsView(): JSX.Element {
  const shell = useShell();
  const filters = useRunFilter();
  const [more, setMore] = React.useState({ query: '', pages: 1 });
  const [sort, setSort] = React.useState<Sort>({ column: { field: 'started' }, descending: true });
  const [selected, toggle] = useSelection();
  const query = { ...filters.query, order: orderOf(sort) };
  const key = JSON.stringify(query);
  const pages = more.query === key ? more.pages : 1; // another filter starts at one page
  const runs = useResource(
    () => api.runPages(query, PAGE, pages),
    [key, pages],
    shell.refresher,
    true
  );
  const sorting = { sort, onSort: setSort };
  const page = runs.data;
  const keys = page ? metricKeys(page.runs) : [];
  const metric = page ? shownMetric(page.runs, shell.metric) : '';
  return (
    <div className="jp-mlops-runs jp-mlops-navigator">
      <div className="jp-mlops-toolbar">
        <RunFilters state={filters} placeholder="Filter: name, id, experiment, notebook" />
        <MetricPicker keys={keys} shown={metric} />
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
              <FirstRun />
            );
          }
          const metricColumn: Column = { part: 'metrics', key: metric };
          return (
            <>
              <table className="jp-mlops-table jp-mlops-rows">
                <thead>
                  <tr>
                    <th className="jp-mlops-select">
                      <span className="jp-mlops-sr">select</span>
                    </th>
                    <th className="jp-mlops-name">Run</th>
                    <SortHeader column={{ field: 'started' }} label="When" {...sorting} />
                    {metric && <SortHeader column={metricColumn} label={metric} {...sorting} />}
                  </tr>
                </thead>
                <tbody>
                  {page.runs.map(run => (
                    <tr key={run.run_id} data-run={run.run_id}>
                      <td className="jp-mlops-select">
                        <input
                          type="checkbox"
                          aria-label={`select run ${runName(run)}`}
                          checked={selected.includes(run.run_id)}
                          onChange={() => toggle(run.run_id)}
                        />
                      </td>
                      <td className="jp-mlops-name">
                        <span
                          className={`jp-mlops-status-icon jp-mlops-status-${run.status}`}
                          role="img"
                          aria-label={run.status}
                          title={run.status}
                        >
                          {statusIcon(run.status)}
                        </span>
                        <button
                          className="jp-mlops-link jp-mlops-run-link"
                          title={runTitle(run)}
                          onClick={() => shell.navigate({ tab: 'run', runId: run.run_id })}
                        >
                          {runName(run)}
                        </button>
                      </td>
                      <td data-column="started" title={formatTime(run.started)}>
                        {relativeTime(run.started)}
                      </td>
                      {metric && (
                        <td
                          data-column={columnId(metricColumn)}
                          title={formatValue(cellValue(run, metricColumn), 12)}
                        >
                          {formatValue(cellValue(run, metricColumn), 3)}
                        </td>
                      )}
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
