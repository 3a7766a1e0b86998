/**
 * What every SQLite opener of this process shares (the state store and the run queue live in the
 * same `.weir/state.db`): one chain of write transactions per database file, and a statement cache.
 */
import type Database from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

// One chain per database file, for the state store and the queue alike: better-sqlite3 waits for
// the write lock synchronously, so a second connection of this process waiting for it would block
// the event loop that the first one needs in order to commit.
const writers = new Map<string | symbol, Promise<void>>();

/**
 * Runs `work` after every write transaction this process started earlier on the same database
 * (`key`: the file's absolute path, or a symbol for an in-memory database).
 *
 * @example
 * ```ts
 * await exclusiveSqliteWrite(resolve(file), () => db.transaction().execute(write));
 * ```
 */
export async function exclusiveSqliteWrite<T>(key: string | symbol, work: () => Promise<T>): Promise<T> {
  const previous = writers.get(key) ?? Promise.resolve();
  let release!: () => void;
  const done = new Promise<void>((resolveDone) => (release = resolveDone));
  const tail = previous.then(() => done);
  writers.set(key, tail);
  await previous;
  try {
    return await work();
  } finally {
    release();
    if (writers.get(key) === tail) writers.delete(key);
  }
}

/**
 * The database with prepared statements kept by their text: Kysely prepares every statement
 * afresh, while the state store and the queue run a handful of texts thousands of times.
 *
 * @example
 * ```ts
 * const db = new Kysely<StateTables>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
 * ```
 */
export function withStatementCache(database: Database.Database, capacity = 256): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(text) {
      const cached = cache.get(text);
      if (cached) return cached;
      const statement = database.prepare(text) as unknown as SqliteStatement;
      if (cache.size >= capacity) cache.delete(cache.keys().next().value!);
      cache.set(text, statement);
      return statement;
    },
  };
}
