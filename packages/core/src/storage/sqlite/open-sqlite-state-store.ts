/**
 * Weir's local state: one SQLite file (`.weir/state.db`) in WAL mode, so readers (the UI, `weir
 * runs`) never wait for the writer, with `synchronous=NORMAL` (a commit survives a crashed
 * process; the fsync happens at checkpoints, which group commit makes rare) and a busy timeout so a
 * second process waits for the lock instead of failing.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { messageOf, WeirError } from '../../errors/weir-error.js';
import { exclusiveSqliteWrite, withStatementCache } from './sqlite-connection.js';
import { openKyselyStateStore, type KyselyStateStore } from '../kysely-state-store.js';
import type { StateDialect } from '../state-dialect.js';
import type { StateTables } from '../state-tables.js';

/** Options of {@link openSqliteStateStore}. */
export interface SqliteStateStoreOptions {
  /** How long to wait for another process's write transaction before failing, in ms. Default 30,000. */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating it and its folder when absent) the SQLite state database at `file`, relative to
 * the working directory, and migrates it. Throws `WeirError('STATE_UNAVAILABLE')` when the file
 * cannot be opened or is not a Weir state database.
 *
 * @example
 * ```ts
 * const store = await openSqliteStateStore('.weir/state.db');
 * await store.append([{ type: 'cancel_requested', at: eventTime(), runId: '20250301-a1b2', by: 'alice' }]);
 * const [latest] = await store.runs({ limit: 1 });
 * await store.close();
 * ```
 */
export async function openSqliteStateStore(
  file = '.weir/state.db',
  options: SqliteStateStoreOptions = {},
): Promise<KyselyStateStore> {
  const busyTimeoutMs = options.busyTimeoutMs ?? 30_000;
  const inMemory = file === ':memory:';
  const dialect = sqliteStateDialect(file, inMemory ? Symbol(file) : resolve(file), busyTimeoutMs);
  let database: Database.Database;
  try {
    if (!inMemory) mkdirSync(dirname(file), { recursive: true });
    database = new Database(file, { timeout: busyTimeoutMs });
  } catch (error) {
    throw dialect.cannotOpen(error);
  }
  const db = new Kysely<StateTables>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  try {
    await dialect.exclusive(async () => {
      // Order matters: the timeout must apply while switching to WAL, which needs the lock.
      await sql`pragma busy_timeout = ${sql.lit(busyTimeoutMs)}`.execute(db);
      await switchToWal(db, busyTimeoutMs);
      await sql`pragma synchronous = normal`.execute(db);
    });
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw dialect.cannotOpen(error);
  }
  return openKyselyStateStore(db, dialect);
}

/** The SQLite part of the state store, for the database at `file`. */
function sqliteStateDialect(file: string, key: string | symbol, busyTimeoutMs: number): StateDialect {
  const dialect: StateDialect = {
    description: `SQLite state database ${file}`,
    columnTypes: { bigint: 'integer', integer: 'integer', time: 'text', json: 'text', boolean: 'integer', double: 'real' },
    exclusive: (work) => exclusiveSqliteWrite(key, work),
    async beginWrite(connection) {
      // IMMEDIATE takes the write lock now, waiting up to busy_timeout. A deferred transaction
      // that reads first could not wait: upgrading a stale read snapshot fails at once.
      await sql`begin immediate`.execute(connection);
    },
    async prepare() {},
    boolean: (value) => (value ? 1 : 0),
    unavailable(error) {
      const code = (error as { code?: unknown } | undefined)?.code;
      if (typeof code !== 'string') return undefined;
      if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_')) {
        return unavailable(file, error, `another process held the write lock for more than ${busyTimeoutMs} ms; is a weir process stuck?`);
      }
      if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_READONLY')) {
        return unavailable(file, error, 'check that the folder exists and that Weir may write to it');
      }
      if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
        return unavailable(file, error, 'the file is not a readable SQLite database; move it away to start a new state');
      }
      if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL') return unavailable(file, error, 'check the disk');
      if (['ENOTDIR', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EEXIST'].includes(code)) {
        return unavailable(file, error, 'check that the folder can be created and written');
      }
      return undefined;
    },
    cannotOpen: (error) => dialect.unavailable(error) ?? unavailable(file, error),
  };
  return dialect;
}

function unavailable(file: string, error: unknown, hint?: string): WeirError {
  return new WeirError('STATE_UNAVAILABLE', `cannot use the SQLite state database ${file}: ${messageOf(error)}`, {
    cause: error,
    ...(hint === undefined ? {} : { hint }),
  });
}

/**
 * Switches the database to WAL. When several processes open a new database at once, SQLite can
 * answer the switch with SQLITE_BUSY at once, without calling the busy handler (changing the
 * journal mode needs an exclusive lock it will not wait for), so the switch is retried here
 * until the busy timeout.
 */
async function switchToWal(db: Kysely<StateTables>, busyTimeoutMs: number): Promise<void> {
  const deadline = Date.now() + busyTimeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await sql`pragma journal_mode = wal`.execute(db);
      return;
    } catch (error) {
      const busy = (error as { code?: string }).code === 'SQLITE_BUSY';
      if (!busy || Date.now() >= deadline) throw error;
      await new Promise((resolveDelay) => setTimeout(resolveDelay, Math.min(200, 10 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random())));
    }
  }
}
