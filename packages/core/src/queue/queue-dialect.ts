/**
 * What differs between the databases that hold the queue. The Kysely queue writes every query
 * once; a dialect supplies how a write transaction begins, whether rows can be locked and skipped,
 * how claimers under a concurrency limit serialise, and which errors mean "the database went away".
 */
import type { Kysely } from 'kysely';
import type { WeirError } from '../errors/weir-error.js';
import type { QueueTables } from './queue-tables.js';

/** The database-specific part of a {@link KyselyJobQueue}. */
export interface QueueDialect {
  /** For messages: "SQLite queue in .weir/state.db", "PostgreSQL queue in schema weir_state at ...". */
  readonly description: string;
  readonly name: 'sqlite' | 'postgres';
  /**
   * Runs `work` while no other queue of this process writes the same database. SQLite needs it:
   * a second connection of the same process would wait for the write lock synchronously and so
   * block the event loop the first one needs to finish. PostgreSQL waits asynchronously.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /** Begins a write transaction on `connection` (SQLite: `BEGIN IMMEDIATE`, taking the write lock now). */
  beginWrite(connection: Kysely<QueueTables>): Promise<void>;
  /** Whether claims lock the rows they pick and skip rows other claimers locked (`FOR UPDATE SKIP LOCKED`). */
  readonly rowLocks: boolean;
  /**
   * Inside a write transaction, waits until no other claimer of any process is counting running
   * jobs against the limits, so two claimers never both take a pool's last slot. SQLite's write
   * lock already does this.
   */
  lockLimits(connection: Kysely<QueueTables>): Promise<void>;
  /** Creates what must exist before the tables (the PostgreSQL schema). Runs inside `beginWrite`. */
  prepare(connection: Kysely<QueueTables>): Promise<void>;
  /**
   * A `STATE_UNAVAILABLE` error when `error` means the database cannot be reached or the
   * connection was lost (worth retrying on a new connection), undefined otherwise.
   */
  unavailable(error: unknown): WeirError | undefined;
  /**
   * Called after an enqueue of many jobs. PostgreSQL refreshes the planner's statistics: right
   * after a bulk insert they still describe a queue with almost nothing ready, and the claim
   * would sort every ready job instead of reading the first one from the index.
   */
  afterBulkEnqueue(db: Kysely<QueueTables>): Promise<void>;
  /** Inside a write that made jobs ready: wakes other processes' `waitForJobs` when it commits (PostgreSQL `NOTIFY`). */
  notifyReady(connection: Kysely<QueueTables>): Promise<void>;
  /**
   * Starts listening for other processes' `notifyReady`; `onReady` runs on each. Resolves once
   * listening, with a function that stops. SQLite (one process) resolves with a no-op.
   */
  listen(onReady: () => void): Promise<() => Promise<void>>;
  /** Describes any failure while opening or migrating as a `STATE_UNAVAILABLE` error, secrets masked. */
  cannotOpen(error: unknown): WeirError;
}
