// What every view of the panel shares: navigation, the refresher, settings, and the
// JupyterLab actions (open a notebook at a cell, open a file); plus the message boxes.
import * as React from 'react';
import { Refresher, Resource } from './poll';
import { LineageQuery } from './types';

export type View =
  | { tab: 'runs' }
  | { tab: 'run'; runId: string; name?: string }
  | { tab: 'compare'; runIds: string[] }
  | { tab: 'models'; model?: string; version?: number }
  | { tab: 'lineage'; node?: string; kind?: LineageQuery['kind'] }
  | { tab: 'drift'; reportId?: string }
  | { tab: 'jobs' }
  | { tab: 'alerts' };

export interface Shell {
  refresher: Refresher;
  columns: string[];
  /** The metric the runs list shows (a setting; empty: the first one logged). */
  metric: string;
  chooseMetric: (key: string) => void;
  navigate: (view: View) => void;
  /** Opens ``view`` as a tab of the main area (focuses it when already open). */
  open: (view: View) => void;
  /** Opens ``path`` (relative to the server root) and scrolls to the cell; an error if not. */
  openCell: (path: string, cellId: string | null) => Promise<void>;
  /** Opens the executed notebook of job ``runId`` (a copy when it lies outside the root). */
  openOutput: (runId: string) => Promise<void>;
}

export const ShellContext = React.createContext<Shell>(null as unknown as Shell);

export function useShell(): Shell {
  return React.useContext(ShellContext);
}

/** An error as a message, never a blank panel. */
export function ErrorMessage(props: { error?: string; onRetry?: () => void }): JSX.Element | null {
  if (!props.error) {
    return null;
  }
  return (
    <div className="jp-mlops-error" role="alert">
      <span>{props.error}</span>
      {props.onRetry && (
        <button className="jp-mlops-link" onClick={props.onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Empty(props: { children: React.ReactNode }): JSX.Element {
  return <div className="jp-mlops-empty">{props.children}</div>;
}

/** Loading, the error, or the view of the data (an error over stale data keeps the data). */
export function Loaded<T>(props: {
  resource: Resource<T>;
  children: (data: T) => React.ReactNode;
}): JSX.Element {
  const { data, error, loading, reload } = props.resource;
  return (
    <>
      <ErrorMessage error={error} onRetry={reload} />
      {data !== undefined
        ? props.children(data)
        : loading && <div className="jp-mlops-loading">Loading…</div>}
    </>
  );
}
