// Every request the panel makes, over the server's own connection (auth, XSRF, base URL).
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import {
  AlertConfig,
  AlertHistory,
  ApiError,
  Artifacts,
  CellHistory,
  Cells,
  Comparison,
  DriftDetail,
  DriftReports,
  Experiments,
  JobOutput,
  Jobs,
  Lineage,
  LineageQuery,
  MetricHistory,
  Models,
  ModelVersions,
  Promoted,
  RunDeleted,
  RunDetail,
  RunFilter,
  RunNow,
  RunDiff,
  RunPage,
  ScheduleState,
  Schedules
} from './types';

type Query = { [key: string]: string | number | null | undefined };

/** A call of ``{base_url}/jupyter-mlops/api/<path>``; an ApiError carries {error, detail}. */
export async function requestAPI<T>(
  path: string,
  init: RequestInit = {},
  query: Query = {}
): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '') {
      search.set(key, String(value));
    }
  }
  const qs = search.toString();
  const url = URLExt.join(settings.baseUrl, 'jupyter-mlops/api', path) + (qs ? `?${qs}` : '');
  let response: Response;
  try {
    // 'no-cache' (revalidate): the default 'no-store' appends a timestamp parameter, which
    // the API refuses as unknown
    response = await ServerConnection.makeRequest(url, { cache: 'no-cache', ...init }, settings);
  } catch (error) {
    throw new ApiError(0, 'the Jupyter server cannot be reached', String(error));
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const answer = (body ?? {}) as { error?: string; detail?: string };
    throw new ApiError(
      response.status,
      answer.error ?? `HTTP ${response.status} ${response.statusText}`,
      answer.detail ??
        (response.status === 404 && !answer.error
          ? 'the jupyter-mlops server extension is not enabled (`jupyter server extension list`)'
          : text.slice(0, 200))
    );
  }
  return body as T;
}

const seg = encodeURIComponent;

function post<T>(path: string, body?: unknown): Promise<T> {
  return requestAPI<T>(path, {
    method: 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' }
  });
}

export const api = {
  experiments: () => requestAPI<Experiments>('experiments'),
  runs: (filter: RunFilter, limit: number, cursor?: string | null) =>
    requestAPI<RunPage>('runs', {}, { ...filter, limit, cursor }),
  /** The first ``pages`` pages of runs, each from the previous page's cursor, as one page. */
  runPages: async (filter: RunFilter, limit: number, pages: number): Promise<RunPage> => {
    let page = await api.runs(filter, limit);
    const runs = [...page.runs];
    for (let i = 1; i < pages && page.next_cursor; i++) {
      page = await api.runs(filter, limit, page.next_cursor);
      runs.push(...page.runs);
    }
    return { runs, next_cursor: page.next_cursor };
  },
  compare: (ids: string[]) => requestAPI<Comparison>('runs/compare', {}, { ids: ids.join(',') }),
  run: (id: string) => requestAPI<RunDetail>(`runs/${seg(id)}`),
  diff: (id: string, other: string) => requestAPI<RunDiff>(`runs/${seg(id)}/diff/${seg(other)}`),
  deleteRun: (id: string) => requestAPI<RunDeleted>(`runs/${seg(id)}`, { method: 'DELETE' }),
  cells: (id: string) => requestAPI<Cells>(`runs/${seg(id)}/cells`),
  cellHistory: (id: string) => requestAPI<CellHistory>(`runs/${seg(id)}/cells/history`),
  metric: (id: string, key: string) =>
    requestAPI<MetricHistory>(`runs/${seg(id)}/metrics/${seg(key)}`),
  models: () => requestAPI<Models>('models'),
  versions: (name: string) => requestAPI<ModelVersions>(`models/${seg(name)}/versions`),
  promote: (name: string, version: number, alias: string, gate: { [metric: string]: string }) =>
    post<Promoted>(`models/${seg(name)}/aliases`, { version, alias, gate }),
  lineage: (query: LineageQuery) => requestAPI<Lineage>('lineage', {}, query),
  driftReports: () => requestAPI<DriftReports>('drift/reports'),
  driftReport: (id: string) => requestAPI<DriftDetail>(`drift/reports/${seg(id)}`),
  jobs: () => requestAPI<Jobs>('jobs', {}, { limit: 50 }),
  jobOutput: (runId: string) => requestAPI<JobOutput>(`jobs/${seg(runId)}/output`),
  schedules: () => requestAPI<Schedules>('schedules'),
  runSchedule: (name: string) => post<RunNow>(`schedules/${seg(name)}/run`),
  pauseSchedule: (name: string, paused: boolean) =>
    post<ScheduleState>(`schedules/${seg(name)}/${paused ? 'pause' : 'resume'}`),
  artifacts: (runId: string) => requestAPI<Artifacts>(`runs/${seg(runId)}/artifacts`),
  /** One artifact's bytes (a folder's file with ``file``), through the server's connection. */
  artifactBlob: async (runId: string, name: string, file?: string): Promise<Blob> => {
    const settings = ServerConnection.makeSettings();
    const search = new URLSearchParams({ name, ...(file ? { file } : {}) });
    const url = URLExt.join(settings.baseUrl, 'jupyter-mlops/api/runs', seg(runId), 'artifacts');
    const response = await ServerConnection.makeRequest(
      `${url}/download?${search}`,
      { cache: 'no-cache' }, // see requestAPI: no timestamp parameter
      settings
    );
    if (!response.ok) {
      const answer = await response.json().catch(() => ({}));
      throw new ApiError(response.status, answer.error ?? 'download failed', answer.detail ?? '');
    }
    return response.blob();
  },
  alerts: () => requestAPI<AlertConfig>('alerts'),
  alertHistory: () => requestAPI<AlertHistory>('alerts/history', {}, { limit: 50 })
};
