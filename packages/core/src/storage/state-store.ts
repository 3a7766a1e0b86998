/**
 * The one storage interface for Weir's state. An implementation keeps the append-only event log
 * and the projections derived from it (runs, steps, versions, publication pointers, check
 * results), and writes both in the same transaction so they never disagree. SQLite (local, WAL)
 * and PostgreSQL (team) implement it and pass the same conformance suite.
 */
import type { ProjectedCheckResult } from '../events/project-event.js';
import type { RecordedError, RunStatus, SkipReason, StepStatus, StoredEvent, WeirEvent } from '../events/weir-event.js';

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

/** Filters for reading the raw log. */
export interface EventQuery {
  runId?: string;
  asset?: string;
  afterId?: number;
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
  /** Check results, newest first. */
  checkResults(query: { asset?: string; runId?: string; version?: string; limit?: number }): Promise<CheckResultRecord[]>;
  /** Releases connections. */
  close(): Promise<void>;
}
