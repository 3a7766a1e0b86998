/**
 * The real services tests run against (the local PostgreSQL, ...). A suite that needs one calls
 * {@link describeWithService}: on a developer's machine without the service it is skipped with a
 * message saying so; in CI (`CI=true`) a missing service fails the run, so a green build never
 * means "nothing was tested".
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { describe, it } from 'vitest';

/** The server used by tests; `WEIR_TEST_POSTGRES_URL` overrides the local default (trust auth, no password). */
export function testPostgresUrl(): string {
  return process.env.WEIR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/**
 * Whether the test PostgreSQL answers within two seconds.
 *
 * @example
 * ```ts
 * if (await postgresAvailable()) console.log('PostgreSQL is up');
 * ```
 */
export async function postgresAvailable(url = testPostgresUrl()): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A service a suite needs: its name for messages and how to tell that it is up. */
export interface TestService {
  name: string;
  available: () => Promise<boolean>;
}

/** The local PostgreSQL as a {@link TestService}. */
export const postgresService: TestService = { name: 'PostgreSQL', available: () => postgresAvailable() };

/**
 * `describe(name, body)` when `service` is up. When it is down: in CI, one failing test that names
 * the service; elsewhere, a skipped suite and a console message. Call it with top-level `await`.
 *
 * @example
 * ```ts
 * await describeWithService(postgresService, 'postgres state store', () => {
 *   it('appends events', async () => { ... });
 * });
 * ```
 */
export async function describeWithService(service: TestService, name: string, body: () => void): Promise<void> {
  if (await service.available()) {
    describe(name, body);
    return;
  }
  const message = `${service.name} is not reachable; "${name}" needs it`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs ${service.name}`, () => {
        throw new Error(`${message} (CI=true, so this fails instead of skipping)`);
      });
    });
    return;
  }
  console.warn(`SKIPPED: ${message}. Start it, or point its WEIR_TEST_*_URL variable at one.`);
  describe.skip(name, body);
}

/** A database made for one test run, and how to remove it. */
export interface TestDatabase {
  /** The connection string of the new database. */
  url: string;
  /** Drops the database, ending any connection still open on it. */
  drop: () => Promise<void>;
}

/**
 * Creates an empty database with a unique name (`<prefix>_<random>`) on the test server, so that
 * suites running at the same time never see each other's tables.
 *
 * @example
 * ```ts
 * const database = await createTestDatabase('weir_test');
 * // ... open an adapter on database.url ...
 * await database.drop();
 * ```
 */
export async function createTestDatabase(prefix = 'weir_test', serverUrl = testPostgresUrl()): Promise<TestDatabase> {
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) throw new Error(`database prefix "${prefix}" must be lower-case letters, digits and _`);
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withServer(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function withServer<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
