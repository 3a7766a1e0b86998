/**
 * Maps one finished run, as its events recorded it, to OpenLineage RunEvents: a START and a
 * COMPLETE / FAIL / ABORT for the run's job (named after the project), and for every step that
 * started (an asset built, loaded or checked) a START and a COMPLETE / FAIL / ABORT of the job
 * `<project>.<asset>`, whose `parent` facet points at the run. Pure: what it needs from the
 * warehouse (columns of built versions) and the graph (inferred columns) is passed in.
 */
import type { CheckSpec } from '../definitions/check-spec.js';
import type { ColumnInfo } from '../engines/engine-adapter.js';
import type { CheckEvaluatedEvent, RecordedError, StoredEvent } from '../events/weir-event.js';
import type { AssetColumns, OutputColumn } from '../graph/output-columns.js';
import { environmentView, physicalRelation } from '../plan/physical-names.js';
import type { AssetSpec, Project } from '../project/project-model.js';
import type { RunRecord } from '../storage/state-store.js';
import { datasetName, type WarehouseNaming } from './dataset-naming.js';
import { lineageRunId } from './lineage-run-id.js';
import {
  facet,
  OPENLINEAGE_SCHEMA_URL,
  WEIR_PRODUCER,
  WEIR_VERSION,
  type Facet,
  type LineageDataset,
  type LineageEventType,
  type LineageOutputDataset,
  type LineageRunEvent,
} from './openlineage-event.js';

/** What {@link runLineageEvents} maps. */
export interface RunLineageInput {
  project: Project;
  /** The namespace of Weir's jobs (`openlineage.namespace`). */
  namespace: string;
  naming: WarehouseNaming;
  /** The engine's kind (`duckdb`, `postgres`): the SQL dialect. */
  dialect: string;
  run: RunRecord;
  /** The run's events in log order (`store.events({ runId })`). */
  events: readonly StoredEvent[];
  /** Output columns inferred from the project's SQL and declarations: column lineage, and the schema when the engine cannot describe a version. */
  inferred?: ReadonlyMap<string, AssetColumns>;
  /** Columns of the versions built in the run as the engine describes them, by asset. */
  described?: ReadonlyMap<string, readonly ColumnInfo[]>;
}

/** One step of the run, gathered from its events. */
interface StepTrace {
  asset: string;
  startedAt: string;
  version?: string;
  physical?: { schema: string; name: string };
  rows: number | null;
  checks: Map<string, CheckEvaluatedEvent>;
  end?: { at: string; type: Exclude<LineageEventType, 'START'>; error?: string };
}

/**
 * The run's OpenLineage events in time order: the run's START first, its end last.
 *
 * @example
 * ```ts
 * const events = runLineageEvents({ project, namespace: 'weir://shop', naming: warehouseNaming(project.warehouse), dialect: 'duckdb', run, events: await store.events({ runId }) });
 * events.map((event) => `${event.eventType} ${event.job.name}`); // ['START shop', 'START shop.orders', 'COMPLETE shop.orders', 'COMPLETE shop']
 * ```
 */
export function runLineageEvents(input: RunLineageInput): LineageRunEvent[] {
  const { project, run, namespace } = input;
  const runUuid = lineageRunId(run.startedAt, run.runId);
  const runJob = { namespace, name: project.name };
  const runFacets: Record<string, Facet> = {
    processing_engine: facet('processing_engine', { name: 'weir', version: WEIR_VERSION, openlineageAdapterVersion: WEIR_VERSION }),
    tags: facet('tags', {
      tags: [
        { key: 'weir.run_id', value: run.runId, source: 'WEIR' },
        { key: 'environment', value: run.environment, source: 'WEIR' },
        { key: 'command', value: run.command, source: 'WEIR' },
        ...(run.retryOf === null ? [] : [{ key: 'weir.retry_of', value: run.retryOf, source: 'WEIR' }]),
      ],
    }),
  };
  const runJobFacets = { jobType: facet('jobType', { processingType: 'BATCH', integration: 'WEIR', jobType: 'JOB' }) };
  const base = (eventType: LineageEventType, eventTime: string) => ({ eventType, eventTime, producer: WEIR_PRODUCER, schemaURL: OPENLINEAGE_SCHEMA_URL });

  const events: LineageRunEvent[] = [];
  events.push({ ...base('START', run.startedAt), run: { runId: runUuid, facets: runFacets }, job: { ...runJob, facets: runJobFacets }, inputs: [], outputs: [] });
  const endedAt = run.endedAt ?? lastEventTime(input.events) ?? run.startedAt;
  for (const trace of stepTraces(input.events)) {
    const asset = project.assets.get(trace.asset);
    if (asset === undefined) continue;
    const stepUuid = lineageRunId(trace.startedAt, `${run.runId}/${trace.asset}`);
    const parent = facet('parent', { run: { runId: runUuid }, job: runJob, root: { run: { runId: runUuid }, job: runJob } });
    const job = { namespace, name: `${project.name}.${trace.asset}`, facets: jobFacets(asset, input.dialect) };
    const inputs = inputDatasets(asset, input);
    const started = { ...base('START', trace.startedAt), run: { runId: stepUuid, facets: { parent } }, job, inputs, outputs: [outputDataset(asset, trace, input, false)] };
    events.push(started);
    // A step the run never finished (the process died) ended with the run.
    const end = trace.end ?? { at: endedAt, type: 'ABORT' as const, error: run.detail ?? `the run ended (${run.status}) before this step did` };
    const endFacets: Record<string, Facet> = { parent };
    if (end.error !== undefined && end.type !== 'COMPLETE') endFacets.errorMessage = facet('errorMessage', { message: end.error, programmingLanguage: programmingLanguage(asset) });
    events.push({ ...base(end.type, end.at), run: { runId: stepUuid, facets: endFacets }, job, inputs, outputs: [outputDataset(asset, trace, input, true)] });
  }
  const runEnd: LineageEventType = run.status === 'succeeded' ? 'COMPLETE' : run.status === 'cancelled' ? 'ABORT' : 'FAIL';
  const endFacets: Record<string, Facet> = { ...runFacets };
  if (runEnd === 'FAIL') endFacets.errorMessage = facet('errorMessage', { message: runFailure(run, input.events), programmingLanguage: 'TypeScript' });
  events.push({ ...base(runEnd, endedAt), run: { runId: runUuid, facets: endFacets }, job: { ...runJob, facets: runJobFacets }, inputs: [], outputs: [] });
  // Stable by time: a step's START never follows its end, and the run's events frame the steps'.
  const first = events[0] as LineageRunEvent;
  const last = events[events.length - 1] as LineageRunEvent;
  const middle = events.slice(1, -1).map((event, index) => ({ event, index }));
  middle.sort((left, right) => Date.parse(left.event.eventTime) - Date.parse(right.event.eventTime) || left.index - right.index);
  return [first, ...middle.map(({ event }) => event), last];
}

function lastEventTime(events: readonly StoredEvent[]): string | undefined {
  return events.length === 0 ? undefined : events[events.length - 1]?.at;
}

/** The steps that started, in the order they started, with what their events tell. */
function stepTraces(events: readonly StoredEvent[]): StepTrace[] {
  const traces = new Map<string, StepTrace>();
  for (const event of events) {
    if (event.type === 'step_started') {
      const trace = traces.get(event.asset);
      // A retried step is one job run: its first start, its last end.
      if (trace === undefined) traces.set(event.asset, { asset: event.asset, startedAt: event.at, ...(event.version === '' ? {} : { version: event.version }), rows: null, checks: new Map() });
      continue;
    }
    if (!('asset' in event) || typeof event.asset !== 'string') continue;
    const trace = traces.get(event.asset);
    if (trace === undefined) continue;
    switch (event.type) {
      case 'asset_materialized':
        trace.version = event.version;
        trace.physical = { schema: event.physicalSchema, name: event.physicalName };
        trace.rows = event.rows;
        break;
      case 'check_evaluated':
        trace.checks.set(event.check, event);
        break;
      case 'step_succeeded':
        trace.rows = event.rows ?? trace.rows;
        trace.end = { at: event.at, type: 'COMPLETE' };
        break;
      case 'step_failed':
        trace.end = { at: event.at, type: 'FAIL', error: describeError(event.error) };
        break;
      case 'asset_blocked':
        trace.end = { at: event.at, type: 'FAIL', error: `built but not published: error check${event.failedChecks.length === 1 ? '' : 's'} failed: ${event.failedChecks.join(', ')}` };
        break;
      case 'step_cancelled':
        trace.end = { at: event.at, type: 'ABORT', error: 'the run was cancelled' };
        break;
      default:
        break;
    }
  }
  return [...traces.values()];
}

function describeError(error: RecordedError): string {
  const where = error.file === undefined ? '' : ` (${error.file}${error.line === undefined ? '' : `:${error.line}${error.column === undefined ? '' : `:${error.column}`}`})`;
  return `${error.code}: ${error.message}${where}${error.hint === undefined ? '' : `; hint: ${error.hint}`}`;
}

function runFailure(run: RunRecord, events: readonly StoredEvent[]): string {
  // A crash's detail names the dead process, not what happened to the run.
  if (run.detail) return run.status === 'crashed' ? `run ${run.runId} crashed: ${run.detail}` : run.detail;
  const failed = events.filter((event) => event.type === 'step_failed' || event.type === 'asset_blocked').map((event) => ('asset' in event ? event.asset : ''));
  return failed.length === 0 ? `run ${run.runId} ${run.status}` : `run ${run.runId} ${run.status}: ${[...new Set(failed)].join(', ')} did not publish`;
}

function programmingLanguage(asset: AssetSpec): string {
  return asset.kind === 'typescript' || asset.kind === 'typescript_source' ? 'TypeScript' : 'SQL';
}

function jobFacets(asset: AssetSpec, dialect: string): Record<string, Facet> {
  const facets: Record<string, Facet> = {
    jobType: facet('jobType', { processingType: 'BATCH', integration: 'WEIR', jobType: asset.kind === 'sql' || asset.kind === 'typescript' ? 'MODEL' : 'SOURCE' }),
  };
  if (asset.kind === 'sql') facets.sql = facet('sql', { query: asset.sql, dialect });
  if (asset.description !== undefined && asset.description !== '') facets.documentation = facet('documentation', { description: asset.description, contentType: 'text/markdown' });
  return facets;
}

/** The published dataset of an asset in the run's environment. */
function assetDataset(asset: string, input: RunLineageInput): LineageDataset {
  return { namespace: input.naming.namespace, name: datasetName(input.naming, environmentView(input.run.environment, asset)) };
}

/** What the step read: upstream assets (their published views, with their schema), or a file source's files. */
function inputDatasets(asset: AssetSpec, input: RunLineageInput): LineageDataset[] {
  if (asset.kind === 'source') return asset.read.paths.map((path) => ({ namespace: 'file', name: path }));
  if (asset.kind !== 'sql' && asset.kind !== 'typescript') return [];
  return asset.inputs.map((name) => {
    const facets: Record<string, Facet> = { dataSource: facet('dataSource', { name: input.naming.namespace, uri: input.naming.namespace }) };
    const upstream = input.project.assets.get(name);
    const fields = upstream === undefined ? [] : schemaFields(upstream, input);
    if (fields.length > 0) facets.schema = facet('schema', { fields });
    return { ...assetDataset(name, input), facets };
  });
}

function outputDataset(asset: AssetSpec, trace: StepTrace, input: RunLineageInput, ended: boolean): LineageOutputDataset {
  const dataset = assetDataset(asset.name, input);
  const facets: Record<string, Facet> = { dataSource: facet('dataSource', { name: input.naming.namespace, uri: input.naming.namespace }) };
  const fields = schemaFields(asset, input);
  if (fields.length > 0) facets.schema = facet('schema', { fields });
  const lineage = columnLineage(asset, input);
  if (lineage !== undefined) facets.columnLineage = lineage;
  if (trace.version !== undefined) {
    facets.version = facet('version', { datasetVersion: trace.version });
    const physical = trace.physical ?? physicalRelation(asset.name, trace.version);
    facets.symlinks = facet('symlinks', { identifiers: [{ namespace: input.naming.namespace, name: datasetName(input.naming, physical), type: 'TABLE' }] });
  }
  if (ended && trace.checks.size > 0) facets.dataQualityAssertions = facet('dataQualityAssertions', { assertions: [...trace.checks.values()].map((check) => assertion(check, asset.checks)) });
  const result: LineageOutputDataset = { ...dataset, facets };
  if (ended && trace.end?.type === 'COMPLETE' && trace.rows !== null && Number.isSafeInteger(trace.rows)) result.outputFacets = { outputStatistics: facet('outputStatistics', { rowCount: trace.rows }) };
  return result;
}

/** The built version's columns as the engine describes them, else as inferred; descriptions from the project. */
function schemaFields(asset: AssetSpec, input: RunLineageInput): Array<Record<string, unknown>> {
  const described = input.described?.get(asset.name);
  const columns: ReadonlyArray<{ name: string; type?: string }> = described ?? (input.inferred?.get(asset.name)?.columns ?? []).filter((column) => column.nameCertain);
  return columns.map((column, index) => {
    const description = asset.columns[column.name]?.description;
    return {
      name: column.name,
      ...(column.type === undefined ? {} : { type: column.type }),
      ...(description === undefined ? {} : { description }),
      ordinal_position: index + 1,
    };
  });
}

/**
 * Column lineage from the graph's inferred sources: a column copied unchanged is DIRECT /
 * IDENTITY, one computed from its sources DIRECT / TRANSFORMATION. Columns whose sources cannot
 * be told are left out rather than guessed.
 */
function columnLineage(asset: AssetSpec, input: RunLineageInput): Facet | undefined {
  const columns = input.inferred?.get(asset.name)?.columns ?? [];
  const fields: Record<string, { inputFields: Array<Record<string, unknown>> }> = {};
  for (const column of columns as OutputColumn[]) {
    if (!column.nameCertain || column.sources === undefined || column.sources.length === 0) continue;
    fields[column.name] = {
      inputFields: column.sources.map((source) => ({
        ...assetDataset(source.asset, input),
        field: source.column,
        transformations: [{ type: 'DIRECT', subtype: source.exact ? 'IDENTITY' : 'TRANSFORMATION', masking: false }],
      })),
    };
  }
  return Object.keys(fields).length === 0 ? undefined : facet('columnLineage', { fields });
}

function assertion(check: CheckEvaluatedEvent, specs: readonly CheckSpec[]): Record<string, unknown> {
  const spec = specs.find((candidate) => candidate.name === check.check);
  const column = spec === undefined ? undefined : checkColumn(spec);
  return {
    assertion: check.checkType,
    success: check.passed,
    name: check.check,
    severity: check.severity,
    ...(column === undefined ? {} : { column }),
    ...(check.detail === '' ? {} : { description: check.detail }),
    ...(check.failingRows === null ? {} : { actual: `${check.failingRows} failing row${check.failingRows === 1 ? '' : 's'}` }),
  };
}

/** The one column a check is about, when it is about one. */
function checkColumn(spec: CheckSpec): string | undefined {
  const fields = spec as { column?: unknown; columns?: unknown };
  if (typeof fields.column === 'string') return fields.column;
  if (Array.isArray(fields.columns) && fields.columns.length === 1 && typeof fields.columns[0] === 'string') return fields.columns[0];
  return undefined;
}
