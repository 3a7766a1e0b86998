/**
 * The local queue: tables in the SQLite state file (`.weir/state.db`) beside the event log, for
 * the one `weir serve` of a project and its in-process executors. WAL, `synchronous=NORMAL` and a
 * busy timeout, like the state store; every write begins with `BEGIN IMMEDIATE`, which takes the
 * write lock at once, so a claim's read and its update can never interleave with another's.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { messageOf, WeirError } from '../../errors/weir-error.js';
import { exclusiveSqliteWrite, withStatementCache } from '../../storage/sqlite/sqlite-connection.js';
import { openKyselyJobQueue, type JobQueueOptions, type KyselyJobQueue } from '../kysely-job-queue.js';
import type { QueueDialect } from '../queue-dialect.js';
import type { QueueTables } from '../queue-tables.js';

/** Options of {@link openSqliteJobQueue}. */
export interface SqliteJobQueueOptions extends JobQueueOptions {
  /** How long to wait for another process's write transaction, in ms. Default 30,000. */
  busyTimeoutMs?: number;
}

/**
 * Opens the queue in the SQLite database at `file` (created with its folder when absent) and
 * creates its tables. Throws `WeirError('STATE_UNAVAILABLE')` when the file cannot be used.
 *
 * @example
 * ```ts
 * const queue = await openSqliteJobQueue('.weir/state.db');
 * const { id } = await queue.enqueue({ kind: 'run', payload: { selection: 'orders+' }, priority: 100 });
 * const [job] = await queue.claim('serve-1', { limit: 1 });
 * await queue.complete(job!, { runId: '20250301-a1b2' });
 * await queue.close();
 * ```
 */
export async function openSqliteJobQueue(file = '.weir/state.db', options: SqliteJobQueueOptions = {}): Promise<KyselyJobQueue> {
  const busyTimeoutMs = options.busyTimeoutMs ?? 30_000;
  const inMemory = file === ':memory:';
  const dialect = sqliteQueueDialect(file, inMemory ? Symbol(file) : resolve(file));
  let database: Database.Database;
  try {
    if (!inMemory) mkdirSync(dirname(file), { recursive: true });
    database = new Database(file, { timeout: busyTimeoutMs });
    database.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    database.pragma('journal_mode = wal');
    database.pragma('synchronous = normal');
  } catch (error) {
    throw unavailable(file, error);
  }
  const db = new Kysely<QueueTables>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return openKyselyJobQueue(db, dialect, { retryForMs: 0, ...options });
}

function sqliteQueueDialect(file: string, key: string | symbol): QueueDialect {
  return {
    description: `SQLite queue in ${file}`,
    name: 'sqlite',
    exclusive: (work) => exclusiveSqliteWrite(key, work),
    async beginWrite(connection) {
      await sql`begin immediate`.execute(connection);
    },
    rowLocks: false,
    async lockLimits() {},
    async prepare() {},
    async afterBulkEnqueue() {},
    // One `weir serve` owns the local queue, so waking this process's queues on the file is
    // enough. After the commit: a write's statements and its commit run synchronously in
    // better-sqlite3, before the event loop reaches setImmediate callbacks.
    async notifyReady() {
      setImmediate(() => {
        for (const listener of listeners.get(key) ?? []) listener();
      });
    },
    async listen(onReady) {
      const set = listeners.get(key) ?? new Set();
      listeners.set(key, set);
      set.add(onReady);
      return async () => {
        set.delete(onReady);
        if (set.size === 0) listeners.delete(key);
      };
    },
    unavailable(error) {
      const code = (error as { code?: unknown } | undefined)?.code;
      if (typeof code !== 'string') return undefined;
      if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL') {
        return unavailable(file, error);
      }
      return undefined;
    },
    cannotOpen: (error) => unavailable(file, error),
  };
}

function unavailable(file: string, error: unknown): WeirError {
  return new WeirError('STATE_UNAVAILABLE', `cannot use the SQLite queue in ${file}: ${messageOf(error)}`, {
    cause: error,
    hint: 'check that the folder exists and is writable, and that no weir process is stuck holding the database',
  });
}

// The queues of this process listening for ready jobs, per database file.
const listeners = new Map<string | symbol, Set<() => void>>();

