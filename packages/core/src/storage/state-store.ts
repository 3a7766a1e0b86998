/**
 * The one storage interface for Weir's state. An implementation keeps the append-only event log
 * and the projections derived from it (runs, steps, versions, publication pointers, check
 * results, metric series and SPC rebaselines), and writes both in the same transaction so they
 * never disagree. SQLite (local, WAL) and PostgreSQL (team) implement it and pass the same
 * conformance suite.
 */
import type { ProjectedCheckResult } from '../events/project-event.js';
import type { BackfillStatus, PartitionStatus } from '../events/project-partition-event.js';
import type { BackfillAssetTasks } from '../events/weir-event.js';
import type { RecordedError, RunStatus, SkipReason, StepStatus, StoredEvent, WeirEvent } from '../events/weir-event.js';
import type { TriggerKind } from '../events/trigger-events.js';
import type { ApiRole } from '../events/api-token-events.js';
import type { FeedbackKind, FeedbackStatus } from '../events/feedback-events.js';

/** A run as projected from its events. */
export interface RunRecord {
  runId: string;
  status: RunStatus;
  environment: string;
  command: string;
  startedAt: string;
  endedAt: string | null;
  pid: number;
  host: string;
  retryOf: string | null;
  selection: string[];
  summary: Record<string, number>;
  detail: string | null;
}

/** One step of a run as projected from its events. */
export interface StepRecord {
  runId: string;
  asset: string;
  status: StepStatus;
  version: string | null;
  attempts: number;
  startedAt: string | null;
  endedAt: string | null;
  rows: number | null;
  durationMs: number | null;
  skipReason: SkipReason | null;
  detail: string | null;
  error: RecordedError | null;
}

/** Lifecycle of one physical version of an asset. */
export type VersionStatus = 'built' | 'published' | 'blocked' | 'dropped';

/** One physical version of an asset. */
export interface VersionRecord {
  asset: string;
  version: string;
  physicalSchema: string;
  physicalName: string;
  materialization: string;
  status: VersionStatus;
  rows: number | null;
  createdAt: string;
  createdByRun: string;
  basedOn: string | null;
}

/** Which version an environment's view of an asset points at. */
export interface PointerRecord {
  environment: string;
  asset: string;
  version: string;
  publishedAt: string;
  pinned: boolean;
}

/** One evaluated check, as the projection keeps it. */
export type CheckResultRecord = ProjectedCheckResult;

/** Which check results to read; every field given must match. `runIds`: any of these runs (the KPIs read a window of runs this way). */
export interface CheckResultQuery {
  asset?: string;
  runId?: string;
  version?: string;
  limit?: number;
  runIds?: readonly string[];
}

/**
 * One metric series of an asset: an asset metric (`row_count`), or a column metric (`null_rate`)
 * with its `column`. Asset and column metrics of the same name are different series.
 */
export interface MetricSeriesKey {
  asset: string;
  metric: string;
  column?: string;
}

/** Which points of a series to read. */
export interface MetricSeriesQuery extends MetricSeriesKey {
  /**
   * One partition's series. Without it, the points measured on the whole asset (recorded without
   * a partition); the partitions of an asset are never mixed into one series.
   */
  partition?: string;
  /**
   * The newest point of every partition instead, ordered by partition key (`partition` and
   * `limit` do not apply): the series a new partition is judged against, since for a daily
   * partitioned asset each day's row count is one point of its volume chart.
   */
  eachPartition?: boolean;
  /** Only the newest `limit` points (still returned oldest first). */
  limit?: number;
}

/** One point of a metric series. */
export interface MetricPointRecord {
  /** When it was measured (the event's time). */
  at: string;
  value: number | null;
  runId: string | null;
  version: string;
  /** SPC judged it anomalous when it was measured: keep it out of later baselines. */
  anomalous: boolean;
  /** The `metrics_measured` event it comes from, for linking to the log. */
  eventId: number;
  /** The partition it was measured on; absent for points of the whole asset. */
  partition?: string;
}

/** The newest value of one metric of an asset. */
export interface LatestMetricRecord {
  metric: string;
  /** Absent for asset metrics. */
  column?: string;
  value: number | null;
  at: string;
  version: string;
  anomalous: boolean;
  /** The partition it was measured on, when the asset is partitioned. */
  partition?: string;
}

/** One partition of one version of a partitioned asset. */
export interface PartitionRecord {
  asset: string;
  version: string;
  partition: string;
  status: PartitionStatus;
  /** The run that last built (or is building) it. */
  runId: string;
  backfillId: string | null;
  /** Rows of the partition as last published; null before the first publication. */
  rows: number | null;
  detail: string | null;
  updatedAt: string;
}

/** A backfill as projected from its events. */
export interface BackfillRecord {
  backfillId: string;
  environment: string;
  status: BackfillStatus;
  requestedAt: string;
  updatedAt: string;
  endedAt: string | null;
  /** The process that last ran it (a resume takes it over). */
  pid: number;
  host: string;
  selection: string[];
  from: string | null;
  to: string | null;
  concurrency: number;
  tasks: BackfillAssetTasks[];
  summary: Record<string, number> | null;
}

/** The stored state of one schedule or sensor (`trigger_*`, `schedule_*`, `sensor_evaluated` events). */
export interface TriggerStateRecord {
  trigger: TriggerKind;
  name: string;
  /** Set by `weir schedules pause|resume`; null until then (weir.yaml's `paused` decides). */
  paused: boolean | null;
  /** Ticks at or before this instant are never due: the first evaluation, or the last resume. */
  since: string | null;
  /** The newest tick a run was requested for. */
  lastTick: string | null;
  /** A sensor's cursor (JSON), null before its first recorded evaluation. */
  cursor: unknown;
  updatedAt: string;
  /** The event that last changed the row. */
  eventId: number;
}

/** An API token of `weir serve` as stored (`api_token_*` events): its hash, never the token. */
export interface ApiTokenRecord {
  name: string;
  role: ApiRole;
  /** SHA-256 of the token, lowercase hex. */
  tokenHash: string;
  createdAt: string;
  /** `user@host` of whoever made it. */
  createdBy: string;
  /** Null while the token is active. */
  revokedAt: string | null;
  revokedBy: string | null;
  /** The event that made it. */
  eventId: number;
}

/** One piece of consumer feedback on an asset (`feedback_*` events). */
export interface FeedbackRecord {
  feedbackId: string;
  asset: string;
  kind: FeedbackKind;
  /** Trust from 1 to 5; always set for a rating, optional with a comment or report. */
  rating: number | null;
  text: string;
  /** The token name, or the name given in local mode, or null. */
  author: string | null;
  createdAt: string;
  /** A report's status; null for ratings and comments. */
  status: FeedbackStatus | null;
  /** The note, who and when of the last status change; null while a report is untouched. */
  statusNote: string | null;
  statusBy: string | null;
  statusAt: string | null;
  /** The event that submitted it. */
  eventId: number;
}

/** Filters for reading feedback; all optional. */
export interface FeedbackQuery {
  asset?: string;
  /** Only reports in this status. */
  status?: FeedbackStatus;
  kind?: FeedbackKind;
  feedbackId?: string;
  /** The newest this many. */
  limit?: number;
}

/** Filters for reading the raw log. */
export interface EventQuery {
  runId?: string;
  asset?: string;
  afterId?: number;
  /** Only events of this type (`sensor_failed`, ...). */
  type?: string;
  /** Newest first, so `limit` keeps the newest (default: log order). */
  newestFirst?: boolean;
  limit?: number;
}

/**
 * Weir's state: the event log plus its projections.
 *
 * @example
 * ```ts
 * const store = await openSqliteStateStore('.weir/state.db');
 * await store.append([{ type: 'run_started', ... }]);
 * const [latest] = await store.runs({ limit: 1 });
 * ```
 */
export interface StateStore {
  /**
   * Appends events and updates the projections in one transaction. Calls made close together may
   * be committed together (group commit); the returned promise resolves once they are durable.
   */
  append(events: WeirEvent[]): Promise<void>;
  /** Reads the raw log in order. */
  events(query?: EventQuery): Promise<StoredEvent[]>;
  /** Runs, newest first. */
  runs(query?: { limit?: number; status?: RunStatus }): Promise<RunRecord[]>;
  /** One run, or undefined. Accepts a unique prefix of the id. */
  run(runId: string): Promise<RunRecord | undefined>;
  /** The steps of a run in the order they started. */
  steps(runId: string): Promise<StepRecord[]>;
  /** Versions of one asset (or of all when omitted), newest first. */
  versions(asset?: string): Promise<VersionRecord[]>;
  /** Publication pointers of an environment. */
  pointers(environment: string): Promise<PointerRecord[]>;
  /** The steps of many runs (one read per few hundred runs, not one per run), in the order they started. */
  stepsOfRuns(runIds: readonly string[]): Promise<StepRecord[]>;
  /** Check results, newest first. */
  checkResults(query: CheckResultQuery): Promise<CheckResultRecord[]>;
  /** The points of one metric series in log order (oldest first); with `limit`, the newest `limit` of them. */
  metricSeries(query: MetricSeriesQuery): Promise<MetricPointRecord[]>;
  /** Times of the deliberate rebaselines of one series, oldest first. */
  spcRebaselines(series: MetricSeriesKey): Promise<string[]>;
  /**
   * The newest value of each metric of an asset (whatever partition measured it): asset metrics
   * first, then column metrics by column, each by metric name.
   */
  latestMetrics(asset: string): Promise<LatestMetricRecord[]>;
  /** Partitions of partitioned assets, by asset, version and partition key. */
  partitions(query: { asset?: string; version?: string; backfillId?: string }): Promise<PartitionRecord[]>;
  /** Backfills, newest first; `backfillId` accepts a unique prefix (an ambiguous one throws `USAGE`). */
  backfills(query?: { backfillId?: string; limit?: number }): Promise<BackfillRecord[]>;
  /** The stored state of schedules and sensors (only of one kind when given), by kind and name. */
  triggerStates(trigger?: TriggerKind): Promise<TriggerStateRecord[]>;
  /** Every API token ever made, revoked ones included, oldest first. */
  apiTokens(): Promise<ApiTokenRecord[]>;
  /** Consumer feedback, newest first. */
  feedback(query?: FeedbackQuery): Promise<FeedbackRecord[]>;
  /** The id of the newest event (0 for an empty log): a reader wanting only what comes next starts after it. */
  lastEventId(): Promise<number>;
  /** Releases connections. */
  close(): Promise<void>;
}
