/**
 * What one event changes in the projections (runs, steps, versions, publication pointers, check
 * results), as plain data. A state store applies these writes in the same transaction that appends
 * the event, so the projections are always a fold of the log and every store computes them the same
 * way: the semantics live here once, the stores only translate writes to SQL.
 *
 * Pure: no I/O, no clock, nothing of Weir but the event types.
 */
import type {
  CheckEvaluatedEvent,
  MetricsMeasuredEvent,
  RecordedError,
  RunStatus,
  SkipReason,
  SpcRebaselinedEvent,
  StepStatus,
  WeirEvent,
} from './weir-event.js';
import { projectApiTokenEvent, type ApiTokenWrite } from './project-api-token-event.js';
import { projectFeedbackEvent, type FeedbackWrite } from './project-feedback-event.js';
import { projectTriggerEvent, type UpsertTriggerStateWrite } from './project-trigger-event.js';
import { projectPartitionEvent, type PartitionProjectionWrite } from './project-partition-event.js';

/** Lifecycle of one physical version, as the projection records it. */
export type ProjectedVersionStatus = 'built' | 'published' | 'blocked' | 'dropped';

/** A new run row: written once, by `run_started`. */
export interface InsertRunWrite {
  kind: 'insert_run';
  run: {
    runId: string;
    status: 'running';
    environment: string;
    command: string;
    startedAt: string;
    pid: number;
    host: string;
    retryOf: string | null;
    selection: string[];
  };
}

/** The end of a run: status, step counts, when, and why when it ended outside any step. */
export interface FinishRunWrite {
  kind: 'finish_run';
  runId: string;
  status: Exclude<RunStatus, 'running'>;
  summary: Record<string, number>;
  endedAt: string;
  detail: string | null;
}

/** Columns of a step row that events write. An absent key means "leave the column as it is". */
export interface StepFields {
  status?: StepStatus;
  version?: string | null;
  attempts?: number;
  startedAt?: string | null;
  endedAt?: string | null;
  rows?: number | null;
  durationMs?: number | null;
  skipReason?: SkipReason | null;
  detail?: string | null;
  error?: RecordedError | null;
}

/**
 * Creates the step row keyed by (runId, asset) when it does not exist yet (status `pending`,
 * attempts 0, every other column null), then writes `set`, then writes each `setIfNull` column that
 * is still null. `setIfNull` keeps the first value, e.g. when a retried step first started.
 */
export interface UpsertStepWrite {
  kind: 'upsert_step';
  runId: string;
  asset: string;
  set: StepFields;
  setIfNull?: StepFields;
}

/**
 * A built version keyed by (asset, version). Building a version that is already recorded (a
 * rebuild after it was dropped, or a forced rebuild) replaces the whole row: it is a new physical
 * table.
 */
export interface UpsertVersionWrite {
  kind: 'upsert_version';
  version: {
    asset: string;
    version: string;
    physicalSchema: string;
    physicalName: string;
    materialization: string;
    status: 'built';
    rows: number | null;
    createdAt: string;
    createdByRun: string;
    basedOn: string | null;
  };
}

/** Moves a recorded version along its lifecycle. A version that was never recorded is left alone. */
export interface SetVersionStatusWrite {
  kind: 'set_version_status';
  asset: string;
  version: string;
  status: Exclude<ProjectedVersionStatus, 'built'>;
}

/**
 * Points an environment's view of an asset at a version. A new pointer starts unpinned; moving an
 * existing pointer keeps its pin (pinning is the planner's rule, the log records what happened).
 */
export interface SetPointerWrite {
  kind: 'set_pointer';
  environment: string;
  asset: string;
  version: string;
  publishedAt: string;
}

/** Pins or unpins an existing pointer. Pinning an asset that was never published changes nothing. */
export interface SetPinnedWrite {
  kind: 'set_pinned';
  environment: string;
  asset: string;
  pinned: boolean;
}

/** A check result as projected: the event's fields without the failing-row sample, which stays in the event only. */
export type ProjectedCheckResult = Omit<CheckEvaluatedEvent, 'type' | 'at' | 'sample'> & { evaluatedAt: string };

/** One evaluated check. */
export interface InsertCheckResultWrite {
  kind: 'insert_check_result';
  result: ProjectedCheckResult;
}

/**
 * One point of a metric series, as projected. `column` is null for asset metrics; `partition` is
 * null for a measurement of the whole asset.
 */
export interface ProjectedMetricPoint {
  runId: string | null;
  asset: string;
  version: string;
  partition: string | null;
  metric: string;
  column: string | null;
  value: number | null;
  anomalous: boolean;
  measuredAt: string;
}

/** One measured value of one metric. */
export interface InsertMetricPointWrite {
  kind: 'insert_metric_point';
  point: ProjectedMetricPoint;
}

/** A deliberate restart of one series' control limits, from `rebaselinedAt` on. */
export interface InsertSpcRebaselineWrite {
  kind: 'insert_spc_rebaseline';
  asset: string;
  metric: string;
  column: string | null;
  rebaselinedAt: string;
}

/** One change to the projections. */
export type ProjectionWrite =
  | InsertRunWrite
  | FinishRunWrite
  | UpsertStepWrite
  | UpsertVersionWrite
  | SetVersionStatusWrite
  | SetPointerWrite
  | SetPinnedWrite
  | InsertCheckResultWrite
  | InsertMetricPointWrite
  | InsertSpcRebaselineWrite
  | UpsertTriggerStateWrite
  | ApiTokenWrite
  | FeedbackWrite
  | PartitionProjectionWrite;

/**
 * Says what one event changes in the projections, in the order the writes must be applied.
 *
 * Timestamps are normalised to UTC ISO strings (`toISOString()`) so every store sorts and returns
 * them the same way. Throws a `TypeError` for an event that is not a {@link WeirEvent} (unknown
 * type, unreadable `at`, a metric measured twice in one event, an empty metric or column name),
 * so a store can refuse it before anything is written.
 *
 * @example
 * ```ts
 * projectEvent({ type: 'step_cancelled', runId: 'r1', asset: 'orders', at: '2025-01-01T00:00:00Z' });
 * // [{ kind: 'upsert_step', runId: 'r1', asset: 'orders',
 * //    set: { status: 'cancelled', endedAt: '2025-01-01T00:00:00.000Z' } }]
 * ```
 */
export function projectEvent(event: WeirEvent): ProjectionWrite[] {
  const at = instant(event);
  switch (event.type) {
    case 'run_started':
      return [
        {
          kind: 'insert_run',
          run: {
            runId: event.runId,
            status: 'running',
            environment: event.environment,
            command: event.command,
            startedAt: at,
            pid: event.pid,
            host: event.host,
            retryOf: event.retryOf ?? null,
            selection: [...event.selection],
          },
        },
      ];
    case 'run_finished':
      return [
        {
          kind: 'finish_run',
          runId: event.runId,
          status: event.status,
          summary: { ...event.summary },
          endedAt: at,
          detail: event.detail ?? null,
        },
      ];
    case 'step_started':
      return [
        step(event, { status: 'running', version: event.version, attempts: event.attempt }, { startedAt: at }),
      ];
    case 'step_retrying':
      // The step stays running between attempts and shows why it is retrying until one succeeds;
      // every attempt's error stays in the log.
      return [step(event, { status: 'running', error: { ...event.error } })];
    case 'step_skipped':
      return [
        step(event, {
          status: 'skipped',
          skipReason: event.reason,
          detail: event.detail,
          endedAt: at,
          ...(event.version === undefined ? {} : { version: event.version }),
        }),
      ];
    case 'asset_materialized':
      return [
        {
          kind: 'upsert_version',
          version: {
            asset: event.asset,
            version: event.version,
            physicalSchema: event.physicalSchema,
            physicalName: event.physicalName,
            materialization: event.materialization,
            status: 'built',
            rows: event.rows,
            createdAt: at,
            createdByRun: event.runId,
            basedOn: event.basedOn ?? null,
          },
        },
        step(event, { version: event.version, rows: event.rows, durationMs: event.durationMs }),
      ];
    case 'check_evaluated':
      return [
        {
          kind: 'insert_check_result',
          result: {
            runId: event.runId,
            asset: event.asset,
            version: event.version,
            check: event.check,
            checkType: event.checkType,
            severity: event.severity,
            passed: event.passed,
            failingRows: event.failingRows,
            detail: event.detail,
            evaluatedAt: at,
          },
        },
      ];
    case 'asset_blocked':
      return [
        { kind: 'set_version_status', asset: event.asset, version: event.version, status: 'blocked' },
        step(event, { status: 'blocked', version: event.version, endedAt: at }),
      ];
    case 'asset_published':
      // `published` means "has been published and not dropped": a version stays published when a
      // later publish or a rollback moves the pointer away, because other environments may
      // still point at it. Which version is live is what `pointers` says.
      return [
        {
          kind: 'set_pointer',
          environment: event.environment,
          asset: event.asset,
          version: event.version,
          publishedAt: at,
        },
        { kind: 'set_version_status', asset: event.asset, version: event.version, status: 'published' },
      ];
    case 'step_succeeded':
      return [
        step(event, {
          status: 'succeeded',
          version: event.version,
          rows: event.rows,
          durationMs: event.durationMs,
          endedAt: at,
          error: null,
        }),
      ];
    case 'step_failed':
      return [
        step(event, {
          status: 'failed',
          error: { ...event.error },
          attempts: event.attempts,
          endedAt: at,
          ...(event.version === undefined ? {} : { version: event.version }),
        }),
      ];
    case 'step_cancelled':
      return [step(event, { status: 'cancelled', endedAt: at })];
    case 'cancel_requested':
      // The run stays running until its process records how it ended; the request lives in the log.
      return [];
    case 'asset_pinned':
      return [{ kind: 'set_pinned', environment: event.environment, asset: event.asset, pinned: event.pinned }];
    case 'version_dropped':
      return [{ kind: 'set_version_status', asset: event.asset, version: event.version, status: 'dropped' }];
    case 'metrics_measured':
      return metricPoints(event, at);
    case 'spc_rebaselined':
      return [
        {
          kind: 'insert_spc_rebaseline',
          asset: event.asset,
          metric: requireName(event.metric, 'metric', event),
          column: event.column === undefined ? null : requireName(event.column, 'column', event),
          rebaselinedAt: at,
        },
      ];
    case 'partition_started':
    case 'partition_published':
    case 'partition_failed':
    case 'backfill_requested':
    case 'backfill_resumed':
    case 'backfill_cancel_requested':
    case 'backfill_finished':
      return projectPartitionEvent(event, at);
    case 'rows_quarantined':
    case 'quarantine_replayed':
    case 'notification_sent':
    case 'notification_failed':
    case 'openlineage_emitted':
    case 'openlineage_failed':
      // Read from the log by asset or run (`events({ asset })`, `events({ runId })`); no table needs them yet.
      return [];
    case 'schedule_started':
    case 'schedule_ticked':
    case 'sensor_evaluated':
    case 'sensor_failed':
    case 'trigger_paused':
    case 'trigger_resumed':
      return projectTriggerEvent(event, at);
    case 'api_token_created':
    case 'api_token_revoked':
    case 'api_call':
      return projectApiTokenEvent(event, at);
    case 'feedback_submitted':
    case 'feedback_status_changed':
      return projectFeedbackEvent(event, at);
    default:
      throw new TypeError(`unknown event type ${JSON.stringify((event as { type?: unknown }).type)}`);
  }
}

function step(event: { runId: string; asset: string }, set: StepFields, setIfNull?: StepFields): UpsertStepWrite {
  const write: UpsertStepWrite = { kind: 'upsert_step', runId: event.runId, asset: event.asset, set };
  if (setIfNull !== undefined) write.setIfNull = setIfNull;
  return write;
}

function metricPoints(event: MetricsMeasuredEvent, at: string): InsertMetricPointWrite[] {
  if (!Array.isArray(event.metrics)) throw new TypeError('metrics_measured needs a "metrics" array');
  const seen = new Set<string>();
  return event.metrics.map((measured) => {
    const metric = requireName(measured.metric, 'metric', event);
    const column = measured.column === undefined ? null : requireName(measured.column, 'column', event);
    // A duplicate would make the series depend on which row a store happens to return first.
    const key = `${metric}\0${column ?? ''}`;
    if (seen.has(key)) {
      throw new TypeError(`metrics_measured of ${event.asset} has ${metric}${column === null ? '' : `(${column})`} twice`);
    }
    seen.add(key);
    const { value } = measured;
    if (value !== null && typeof value !== 'number') {
      throw new TypeError(`metrics_measured of ${event.asset}: ${metric} has no numeric value`);
    }
    return {
      kind: 'insert_metric_point',
      point: {
        runId: event.runId ?? null,
        asset: event.asset,
        version: event.version,
        partition: event.partition ?? null,
        metric,
        column,
        // The log stores the event as JSON, where NaN and Infinity become null: the series says the same.
        value: value !== null && Number.isFinite(value) ? value : null,
        anomalous: measured.anomalous === true,
        measuredAt: at,
      },
    };
  });
}

/** A metric or column name: a non-empty string (an empty column would be read as an asset metric). */
function requireName(name: unknown, what: string, event: MetricsMeasuredEvent | SpcRebaselinedEvent): string {
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`${event.type} of ${JSON.stringify(event.asset)} has an empty or missing ${what} name`);
  }
  return name;
}

/** The event's time as a UTC ISO string; stores compare these as text, so the form must be one. */
function instant(event: WeirEvent): string {
  const at: unknown = (event as { at?: unknown }).at;
  const time = typeof at === 'string' ? Date.parse(at) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new TypeError(`event ${JSON.stringify((event as { type?: unknown }).type)} has no valid "at" timestamp`);
  }
  return new Date(time).toISOString();
}
