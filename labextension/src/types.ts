// The shapes the REST API answers, named: each is read off the types that
// `jlpm generate:types` generates from the server's OpenAPI document (api.gen.ts), so a
// change of an endpoint's schema is a compile error here or where the field is used.
import {
  operations,
  paths,
  pathsLineageGetParametersQueryKindValues,
  runKindValues,
  runStatusValues
} from './api.gen';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

type Answer<O> = O extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : never;
/** The JSON answer (200) of ``GET path``. */
type Get<P extends keyof paths> = Answer<paths[P]['get']>;
/** The JSON answer (200) of ``POST path``. */
type Post<P extends keyof paths> = Answer<paths[P]['post']>;
/** The query parameters ``GET path`` takes. */
export type Query<O extends keyof operations> = NonNullable<operations[O]['parameters']['query']>;

export type Experiments = Get<'/experiments'>;
export type Experiment = Experiments['experiments'][number];
export type RunPage = Get<'/runs'>;
export type Run = RunPage['runs'][number];
/** What the runs list filters on (server-side: experiment, status, kind and text ``q``). */
export type RunFilter = Pick<Query<'get_runs'>, 'experiment' | 'status' | 'kind' | 'q' | 'order'>;
export type Comparison = Get<'/runs/compare'>;
export type RunDetail = Get<'/runs/{run_id}'>;
export type RunDiff = Get<'/runs/{run_id}/diff/{other}'>;
export type RunDeleted = Answer<paths['/runs/{run_id}']['delete']>;
export type Cells = Get<'/runs/{run_id}/cells'>;
export type Cell = Cells['cells'][number];
export type CellHistory = Get<'/runs/{run_id}/cells/history'>;
export type MetricHistory = Get<'/runs/{run_id}/metrics/{key}'>;
export type MetricPoint = MetricHistory['history'][number];
export type Models = Get<'/models'>;
export type Model = Models['models'][number];
export type ModelVersions = Get<'/models/{name}/versions'>;
export type ModelVersion = ModelVersions['versions'][number];
export type AliasMove = ModelVersions['alias_history'][number];
export type Promoted = Post<'/models/{name}/aliases'>;
export type Lineage = Get<'/lineage'>;
export type LineageNode = Lineage['nodes'][number];
export type LineageEdge = Lineage['edges'][number];
export type LineageQuery = Query<'get_lineage'>;
export type DriftReports = Get<'/drift/reports'>;
export type DriftReport = DriftReports['reports'][number];
export type DriftDetail = Get<'/drift/reports/{report_id}'>;
export type DriftColumn = DriftDetail['columns'][number];
export type Jobs = Get<'/jobs'>;
export type Job = Jobs['jobs'][number];
export type JobOutput = Get<'/jobs/{run_id}/output'>;
export type Schedules = Get<'/schedules'>;
export type Schedule = Schedules['schedules'][number];
export type RunNow = Post<'/schedules/{name}/run'>;
export type ScheduleState = Post<'/schedules/{name}/pause'>;
export type Artifacts = Get<'/runs/{run_id}/artifacts'>;
export type Artifact = Artifacts['artifacts'][number];

/** A drift column's ``histogram``: the document declares it only as an object. */
export interface Histogram {
  edges?: number[];
  categories?: string[];
  reference: number[];
  current: number[];
}

/** The node kinds GET /lineage takes (the generated enum). */
export const LINEAGE_KINDS = pathsLineageGetParametersQueryKindValues;

/** ``value`` as one of ``values`` (an enum of the API), typed so; undefined if it is none. */
export function oneOf<T extends string>(values: readonly T[], value: string): T | undefined {
  return values.find(v => v === value);
}

/** A lineage node's kind as GET /lineage takes it; undefined for a kind it does not know. */
export function lineageKind(kind: string): LineageQuery['kind'] {
  return oneOf(LINEAGE_KINDS, kind);
}

/** A run's status and kind as GET /runs filters on them: the server's one list of each
 * (jupyter_mlops/events.py), published as enums in the OpenAPI document. */
export const RUN_STATUSES = runStatusValues;
export const RUN_KINDS = runKindValues;

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
export type AlertConfig = Get<'/alerts'>;
export type AlertHistory = Get<'/alerts/history'>;
