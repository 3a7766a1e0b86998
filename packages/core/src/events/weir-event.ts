/**
 * The event log is the source of truth: every state change is one of these typed events, appended
 * and never edited. Run status, step status, asset versions and publication pointers are
 * projections of this log (see `project-event.ts`), written in the same transaction as the events.
 */
import type { ApiAccessEvent } from './api-token-events.js';
import type { FeedbackEvent } from './feedback-events.js';
import type { NotificationEvent } from './notification-events.js';
import type { OpenLineageEmissionEvent } from './openlineage-events.js';
import type { TriggerEvent } from './trigger-events.js';

/** Final and intermediate states of a run. `crashed` is set when a run's process is found dead. */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'crashed';

/** States of one step (one asset) within a run. */
export type StepStatus =
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'blocked'
  | 'skipped'
  | 'cancelled';

/** Why a step did no work. */
export type SkipReason = 'unchanged' | 'upstream_failed' | 'upstream_blocked' | 'cancelled' | 'pinned' | 'partitioned';

/** An error as it is recorded: enough for a person to find the cause, nothing secret. */
export interface RecordedError {
  code: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  hint?: string;
}

/** Fields every event carries. `at` is an ISO timestamp. */
interface EventBase {
  at: string;
}

export interface RunStartedEvent extends EventBase {
  type: 'run_started';
  runId: string;
  environment: string;
  pid: number;
  host: string;
  command: string;
  selection: string[];
  exclusion: string[];
  /** Set when this run retries the failed and skipped steps of an earlier run. */
  retryOf?: string;
  /** The assets the plan will visit, in plan order. */
  plannedAssets: string[];
}

export interface StepStartedEvent extends EventBase {
  type: 'step_started';
  runId: string;
  asset: string;
  version: string;
  attempt: number;
}

export interface StepRetryingEvent extends EventBase {
  type: 'step_retrying';
  runId: string;
  asset: string;
  attempt: number;
  delayMs: number;
  error: RecordedError;
}

export interface StepSkippedEvent extends EventBase {
  type: 'step_skipped';
  runId: string;
  asset: string;
  reason: SkipReason;
  detail: string;
  version?: string;
}

export interface AssetMaterializedEvent extends EventBase {
  type: 'asset_materialized';
  runId: string;
  asset: string;
  version: string;
  physicalSchema: string;
  physicalName: string;
  materialization: string;
  rows: number | null;
  durationMs: number;
  /** The previous version an incremental build started from. */
  basedOn?: string;
  /** Input asset to the version it was built from (a view version depends on those staying). */
  inputVersions?: Record<string, string>;
}

export interface CheckEvaluatedEvent extends EventBase {
  type: 'check_evaluated';
  runId: string;
  asset: string;
  version: string;
  check: string;
  checkType: string;
  severity: 'error' | 'warn';
  passed: boolean;
  /** Rows that broke the rule, or null for table-level checks. */
  failingRows: number | null;
  /** What was observed, for people: "3 nulls in customer_id", "rows: 0 (expected >= 1)". */
  detail: string;
  /** Up to a few failing rows, fetched only when the check failed. */
  sample?: Array<Record<string, unknown>>;
  /** The partition the check judged (its staged slice), for partitioned assets. */
  partition?: string;
}

export interface AssetPublishedEvent extends EventBase {
  type: 'asset_published';
  runId: string | null;
  environment: string;
  asset: string;
  version: string;
  previousVersion: string | null;
  reason: 'build' | 'rollback' | 'reuse';
}

export interface AssetBlockedEvent extends EventBase {
  type: 'asset_blocked';
  runId: string;
  asset: string;
  version: string;
  failedChecks: string[];
}

export interface StepSucceededEvent extends EventBase {
  type: 'step_succeeded';
  runId: string;
  asset: string;
  version: string;
  rows: number | null;
  durationMs: number;
  warnings: number;
}

export interface StepFailedEvent extends EventBase {
  type: 'step_failed';
  runId: string;
  asset: string;
  version?: string;
  error: RecordedError;
  attempts: number;
}

export interface StepCancelledEvent extends EventBase {
  type: 'step_cancelled';
  runId: string;
  asset: string;
}

export interface CancelRequestedEvent extends EventBase {
  type: 'cancel_requested';
  runId: string;
  by: string;
}

export interface RunFinishedEvent extends EventBase {
  type: 'run_finished';
  runId: string;
  status: Exclude<RunStatus, 'running'>;
  /** Counts of step outcomes. */
  summary: Record<string, number>;
  /** Why a run ended as crashed (found by a later process) or failed outside any step. */
  detail?: string;
}

export interface AssetPinnedEvent extends EventBase {
  type: 'asset_pinned';
  environment: string;
  asset: string;
  pinned: boolean;
}

export interface VersionDroppedEvent extends EventBase {
  type: 'version_dropped';
  asset: string;
  version: string;
}

/**
 * One measured value. Asset metrics (`row_count`, `build_seconds`, `freshness_lag_hours`) have no
 * `column`; column metrics (`null_rate`, `distinct_rate`, `min`, `max`, `mean`, `stddev`,
 * `min_length`, `max_length`, `mean_length`) name theirs.
 */
export interface MeasuredMetric {
  metric: string;
  column?: string;
  /** Null when the metric does not exist for this build (the mean of an empty table). */
  value: number | null;
  /** SPC judged this point anomalous: later baselines must leave it out. */
  anomalous?: boolean;
}

/** The metrics of one build (or one `weir check`) of an asset: the points of its SPC series. */
export interface MetricsMeasuredEvent extends EventBase {
  type: 'metrics_measured';
  runId: string | null;
  asset: string;
  version: string;
  /** The partition measured, for partitioned assets; each partition is its own series. */
  partition?: string;
  /** At most one entry per (metric, column). */
  metrics: MeasuredMetric[];
}

/** Control limits of one series are learned again from the points measured after this event. */
export interface SpcRebaselinedEvent extends EventBase {
  type: 'spc_rebaselined';
  asset: string;
  metric: string;
  column?: string;
  actor?: string;
  reason?: string;
}

/** Rows that failed `on_fail: quarantine` checks were held in a quarantine relation, not published. */
export interface RowsQuarantinedEvent extends EventBase {
  type: 'rows_quarantined';
  runId: string;
  asset: string;
  version: string;
  /** The quarantine relation, `schema.name`. */
  table: string;
  /** Check name to rows it held. */
  counts: Record<string, number>;
}

/** Quarantined rows were sent through the checks again: how many passed now, how many still fail. */
export interface QuarantineReplayedEvent extends EventBase {
  type: 'quarantine_replayed';
  runId: string | null;
  asset: string;
  version: string;
  released: number;
  stillFailing: number;
}

/** Every event Weir records. */
/**
 * A partition of a partitioned asset started building in a run (staging its slice). `backfillId`
 * is set when a backfill asked for it.
 */
export interface PartitionStartedEvent extends EventBase {
  type: 'partition_started';
  runId: string;
  asset: string;
  /** The physical version that holds every partition of the asset. */
  version: string;
  partition: string;
  backfillId?: string;
}

/** A partition's checked slice replaced its rows in the version, in one warehouse transaction. */
export interface PartitionPublishedEvent extends EventBase {
  type: 'partition_published';
  runId: string;
  asset: string;
  version: string;
  partition: string;
  rows: number;
  backfillId?: string;
}

/**
 * A partition was not published: its build failed (`failed`), an error check held its slice back
 * (`blocked`, the published rows of the partition unchanged), or the run was cancelled.
 */
export interface PartitionFailedEvent extends EventBase {
  type: 'partition_failed';
  runId: string;
  asset: string;
  version: string;
  partition: string;
  status: 'failed' | 'blocked' | 'cancelled';
  detail: string;
  backfillId?: string;
}

/** One task of a backfill: an asset, the version it builds into, and its partitions. */
export interface BackfillAssetTasks {
  asset: string;
  version: string;
  partitions: string[];
}

/** A backfill was asked for: what it covers is fixed here, so resume and retry redo exactly it. */
export interface BackfillRequestedEvent extends EventBase {
  type: 'backfill_requested';
  backfillId: string;
  environment: string;
  selection: string[];
  from: string | null;
  to: string | null;
  concurrency: number;
  tasks: BackfillAssetTasks[];
  pid: number;
  host: string;
}

/** A process took up a backfill again: `resume` (tasks not done) or `retry` (failed tasks only). */
export interface BackfillResumedEvent extends EventBase {
  type: 'backfill_resumed';
  backfillId: string;
  mode: 'resume' | 'retry';
  pid: number;
  host: string;
}

/** Someone asked a backfill to stop: the process running it starts no new task. */
export interface BackfillCancelRequestedEvent extends EventBase {
  type: 'backfill_cancel_requested';
  backfillId: string;
  by: string;
}

/** A backfill process finished its tasks (or stopped, cancelled). */
export interface BackfillFinishedEvent extends EventBase {
  type: 'backfill_finished';
  backfillId: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  /** Tasks by status at the end: done, failed, missing. */
  summary: Record<string, number>;
}

export type WeirEvent =
  | TriggerEvent
  | ApiAccessEvent
  | FeedbackEvent
  | NotificationEvent
  | OpenLineageEmissionEvent
  | RunStartedEvent
  | StepStartedEvent
  | StepRetryingEvent
  | StepSkippedEvent
  | AssetMaterializedEvent
  | CheckEvaluatedEvent
  | AssetPublishedEvent
  | AssetBlockedEvent
  | StepSucceededEvent
  | StepFailedEvent
  | StepCancelledEvent
  | CancelRequestedEvent
  | RunFinishedEvent
  | AssetPinnedEvent
  | VersionDroppedEvent
  | MetricsMeasuredEvent
  | SpcRebaselinedEvent
  | RowsQuarantinedEvent
  | QuarantineReplayedEvent
  | PartitionStartedEvent
  | PartitionPublishedEvent
  | PartitionFailedEvent
  | BackfillRequestedEvent
  | BackfillResumedEvent
  | BackfillCancelRequestedEvent
  | BackfillFinishedEvent;

/** The type tag of an event. */
export type WeirEventType = WeirEvent['type'];

/** An event as stored: with its position in the log. */
export type StoredEvent = WeirEvent & { id: number };

/** The current time as an event timestamp. */
export function eventTime(): string {
  return new Date().toISOString();
}
