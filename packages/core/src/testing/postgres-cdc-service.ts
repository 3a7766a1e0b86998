/**
 * The local PostgreSQL as a change data capture source for tests: reachable AND running with
 * `wal_level = logical` (a server restart is needed to change it, so a test cannot set it up
 * itself), plus the clean-up every CDC test needs: a database with replication slots cannot be
 * dropped, and a forgotten slot makes the server keep WAL forever.
 */
import { Client } from 'pg';
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

/**
 * The local PostgreSQL with logical decoding, for `describeWithService`: skipped with a message
 * outside CI, a failure under `CI=true`, when the server is down or `wal_level` is not `logical`.
 */
export const postgresCdcService: TestService = {
  name: 'PostgreSQL with wal_level = logical',
  available: async () => {
    const level = await walLevel();
    if (level !== undefined && level !== 'logical') {
      console.warn(`PostgreSQL runs with wal_level = ${level}; CDC tests need: ALTER SYSTEM SET wal_level = logical, then a server restart`);
    }
    return level === 'logical';
  },
};

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
