// The shapes the REST API answers, as its OpenAPI document (GET openapi.json) declares them;
// tests/test_sidebar_types.py checks each interface's fields against that document.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Experiment {
  name: string;
  runs: number;
  created: string | null;
  last_run: string | null;
}

export interface Run {
  run_id: string;
  experiment: string | null;
  kind: string | null;
  status: string | null;
  started: string | null;
  ended: string | null;
  duration_s: number | null;
  notebook: string | null;
  git_commit: string | null;
  cells: number | null;
  params: { [key: string]: Json };
  metrics: { [key: string]: number | null };
}

export interface RunPage {
  runs: Run[];
  next_cursor: string | null;
}

export interface Comparison {
  runs: Run[];
  params: string[];
  metrics: string[];
}

export interface RunDetail extends Run {
  environment: { [key: string]: Json } | null;
}

export interface Cell {
  seq: number;
  cell_id: string | null;
  execution_count: number | null;
  status: string | null;
  duration_ms: number | null;
  started: string | null;
  source: string | null;
  reads: string[];
  writes: string[];
  error_type: string | null;
  error_message: string | null;
}

export interface MetricPoint {
  step: number | null;
  value: number | null;
  ts: string | null;
  cell_seq: number | null;
}

export interface MetricHistory {
  key: string;
  history: MetricPoint[];
}

export interface Model {
  name: string;
  latest: number;
  versions: number;
  aliases: { [alias: string]: number };
}

export interface ModelVersion {
  name: string;
  version: number;
  aliases: string[];
  metrics: { [key: string]: Json };
  flavor: string | null;
  run_id: string | null;
  created: string | null;
}

export interface ModelVersions {
  name: string;
  versions: ModelVersion[];
  alias_history: { [key: string]: Json }[];
}

export interface Promoted {
  name: string;
  version: number;
  aliases: string[];
}

export interface LineageNode {
  kind: string;
  id: string;
  depth: number;
}

export interface LineageEdge {
  source: string[];
  target: string[];
  relation: string | null;
}

export interface Lineage {
  nodes: LineageNode[];
  edges: LineageEdge[];
}

export interface DriftReport {
  id: string;
  created: string | null;
  method: string | null;
  columns_compared: number | null;
  columns_drifted: number | null;
  share_drifted: number | null;
  dataset_drift: boolean | null;
}

export interface Histogram {
  edges?: number[];
  categories?: string[];
  reference: number[];
  current: number[];
}

export interface DriftColumn {
  column_name: string;
  kind: string | null;
  method: string | null;
  statistic: number | null;
  p_adjusted: number | null;
  effect: number | null;
  drifted: boolean | null;
  histogram: Histogram | null;
}

export interface DriftDetail {
  report: DriftReport;
  columns: DriftColumn[];
}

export interface Job {
  run_id: string;
  notebook: string | null;
  status: string | null;
  reason: string | null;
  started: string | null;
  ended: string | null;
  duration_s: number | null;
  schedule: string | null;
  trigger: string | null;
  params: { [key: string]: Json } | null;
  failed_cell: number | null;
  error_type: string | null;
  output: string | null;
}

export interface Schedule {
  name: string;
  cron: string;
  notebook: string;
  params: { [key: string]: Json };
  misfire: string | null;
  paused: boolean;
  timezone: string | null;
  timeout_s: number | null;
  experiment: string | null;
  next_run: number | null;
  last_status: string | null;
  last_started: string | null;
  last_fired: string | null;
  created: string | null;
  updated: string | null;
}

export interface RunNow {
  request: string | null;
  run_id: string | null;
}

export interface JobOutput {
  path: string | null;
  name: string;
  notebook: { [key: string]: Json };
}

/** An answer of the API that is not a success: its JSON {error, detail}, or why none came. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly detail: string
  ) {
    super(detail ? `${error}: ${detail}` : error);
  }
}
