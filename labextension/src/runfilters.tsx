// The runs' filters (text, experiment, status, kind), selection and sortable headers, shared
// by the sidebar's runs list and the main area's runs table: both ask the server alike.
import { HTMLSelect, InputGroup } from '@jupyterlab/ui-components';
import * as React from 'react';
import { api } from './api';
import { useShell } from './context';
import { Column, columnId, Sort } from './format';
import { useDebounced, useResource } from './poll';
import { oneOf, RUN_KINDS, RUN_STATUSES, RunFilter } from './types';

export interface RunFilterState {
  filter: RunFilter;
  setFilter: (filter: RunFilter) => void;
  text: string;
  setText: (text: string) => void;
  /** The filter with the typed text, debounced: what the server is asked. */
  query: RunFilter;
}

/** The filter's state; the text reaches the query 300 ms after the last key. */
export function useRunFilter(): RunFilterState {
  const [filter, setFilter] = React.useState<RunFilter>({});
  const [text, setText] = React.useState('');
  const q = useDebounced(text.trim(), 300);
  return { filter, setFilter, text, setText, query: { ...filter, q: q || undefined } };
}

/** The filter's controls, for a toolbar. */
export function RunFilters(props: { state: RunFilterState; placeholder: string }): JSX.Element {
  const shell = useShell();
  const { filter, setFilter, text, setText } = props.state;
  const experiments = useResource(() => api.experiments(), [], shell.refresher);
  return (
    <>
      <InputGroup
        type="search"
        aria-label="filter runs"
        placeholder={props.placeholder}
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
        options={['', ...RUN_STATUSES].map(v => ({ label: v || 'Any status', value: v }))}
      />
      <HTMLSelect
        aria-label="kind"
        value={filter.kind ?? ''}
        onChange={e => setFilter({ ...filter, kind: oneOf(RUN_KINDS, e.target.value) })}
        options={['', ...RUN_KINDS].map(v => ({ label: v || 'Any kind', value: v }))}
      />
    </>
  );
}

/** The runs ticked for a comparison, and the toggle of one. */
export function useSelection(): [string[], (id: string) => void] {
  const [selected, setSelected] = React.useState<string[]>([]);
  const toggle = (id: string) =>
    setSelected(s => (s.includes(id) ? s.filter(x => x !== id) : [...s, id]));
  return [selected, toggle];
}

/** A column's header that sorts by it: a click on another column sorts ascending (the start
 * time: newest first), a click on the sorted one turns the order round. */
export function SortHeader(props: {
  column: Column;
  label: string;
  sort: Sort;
  onSort: (sort: Sort) => void;
  className?: string;
}): JSX.Element {
  const { column, sort } = props;
  const id = columnId(column);
  const active = columnId(sort.column) === id;
  return (
    <th
      data-column={id}
      aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}
      className={props.className}
    >
      <button
        className="jp-mlops-sort"
        title={`sort by ${id}`}
        onClick={() =>
          props.onSort({ column, descending: active ? !sort.descending : id === 'started' })
        }
      >
        {props.label}
        {active ? (sort.descending ? ' ▼' : ' ▲') : ''}
      </button>
    </th>
  );
}
