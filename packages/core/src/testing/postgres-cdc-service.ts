/**
 * A PostgreSQL server with `wal_level = logical` for change data capture tests, plus the clean-up
 * every CDC test needs: a database with replication slots cannot be dropped, and a forgotten slot
 * makes the server keep WAL forever.
 *
 * Changing `wal_level` needs a server restart, which a test must not do to the shared server other
 * suites are using. So when the local server is not logical, the tests start a private server of
 * their own (the same PostgreSQL installation, `initdb` into a temporary folder, a free port,
 * `wal_level = logical`), used by this test process only and removed when it ends.
 */
import { Client } from 'pg';
import { privatePostgresBinaries, startPrivatePostgres } from './private-postgres.js';
import { testPostgresUrl, type TestService } from './services.js';

/**
 * The server's `wal_level`, or undefined when it cannot be reached within two seconds.
 *
 * @example
 * ```ts
 * if ((await walLevel()) === 'logical') console.log('logical decoding is available');
 * ```
 */
export async function walLevel(url = testPostgresUrl()): Promise<string | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ wal_level: string }>('SHOW wal_level');
    return result.rows[0]?.wal_level;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

let chosen: Promise<string | undefined> | undefined;

/**
 * The URL of a server with logical decoding (its `postgres` database): the local test server when
 * it runs with `wal_level = logical`, otherwise a private server started for this process, or
 * undefined when neither is possible (no PostgreSQL installation to start one from). The first call
 * decides; later calls return the same answer.
 *
 * @example
 * ```ts
 * const database = await createTestDatabase('weir_cdc', await cdcServerUrl());
 * ```
 */
export function cdcServerUrl(): Promise<string | undefined> {
  chosen ??= (async () => {
    const level = await walLevel();
    if (level === 'logical') return testPostgresUrl();
    const started = await startPrivateServer().catch((error: unknown) => {
      console.warn(`could not start a private PostgreSQL with wal_level = logical: ${(error as Error).message}`);
      return undefined;
    });
    if (started === undefined && level !== undefined) {
      console.warn(`PostgreSQL runs with wal_level = ${level}; CDC tests need a server with wal_level = logical (ALTER SYSTEM SET wal_level = logical, then a restart)`);
    }
    return started;
  })();
  return chosen;
}

/**
 * A server with logical decoding, for `describeWithService`: skipped with a message outside CI,
 * a failure under `CI=true`, when {@link cdcServerUrl} finds none.
 */
export const postgresCdcService: TestService = {
  name: 'PostgreSQL with wal_level = logical',
  available: async () => (await cdcServerUrl()) !== undefined,
};

/** Starts a private server with logical decoding (see private-postgres.ts), or undefined without a PostgreSQL installation. */
async function startPrivateServer(): Promise<string | undefined> {
  if (privatePostgresBinaries() === undefined) return undefined;
  const server = await startPrivatePostgres({
    folderPrefix: 'weir-cdc-pg-',
    settings: { wal_level: 'logical', max_replication_slots: 50, max_wal_senders: 50 },
  });
  stopPrivate = () => {
    stopPrivate = undefined;
    server.stop();
  };
  return server.url;
}

let stopPrivate: (() => void) | undefined;

/**
 * Stops and deletes the private server {@link cdcServerUrl} started, if it started one. Call it
 * in the suite's `afterAll`, after dropping the suite's databases.
 *
 * @example
 * ```ts
 * afterAll(async () => { await database.drop(); stopPrivateCdcServer(); });
 * ```
 */
export function stopPrivateCdcServer(): void {
  stopPrivate?.();
  chosen = undefined;
}

/**
 * Drops every replication slot of the database at `url`, waiting (up to `timeoutMs`) for slots
 * still held by a session that is going away, e.g. the backend of a killed process.
 *
 * @example
 * ```ts
 * await dropReplicationSlots(database.url);
 * await database.drop();
 * ```
 */
export async function dropReplicationSlots(url: string, timeoutMs = 30_000): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const slots = await client.query<{ slot_name: string; active_pid: number | null }>('SELECT slot_name, active_pid FROM pg_replication_slots WHERE database = current_database()');
      if (slots.rows.length === 0) return;
      for (const slot of slots.rows) {
        if (slot.active_pid === null) await client.query('SELECT pg_drop_replication_slot($1)', [slot.slot_name]).catch(() => undefined);
      }
      if (Date.now() > deadline) throw new Error(`replication slots still in use: ${slots.rows.map((slot) => slot.slot_name).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.end();
  }
}
