/**
 * Every engine adapter against the one conformance suite: DuckDB on a file in a temporary
 * directory, PostgreSQL in a database created for this run and dropped afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isWeirError } from '../errors/weir-error.js';
import { runEngineConformance } from '../testing/engine-conformance.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../testing/services.js';
import { openDuckDBAdapter } from './duckdb/duckdb-adapter.js';
import { openPostgresAdapter } from './postgres/postgres-adapter.js';

const duckdbDir = mkdtempSync(join(tmpdir(), 'weir-duckdb-'));
runEngineConformance(
  'duckdb',
  () => openDuckDBAdapter({ path: join(duckdbDir, 'warehouse.duckdb') }),
  async () => rmSync(duckdbDir, { recursive: true, force: true }),
);

let database: TestDatabase | undefined;
await describeWithService(postgresService, 'postgres', () => {
  runEngineConformance(
    'postgres',
    async () => {
      database = await createTestDatabase('weir_test');
      return openPostgresAdapter({ url: database.url });
    },
    async () => database?.drop(),
  );
});

describe('postgres connection errors', () => {
  it('reports an unreachable server as ENGINE_UNAVAILABLE without the password', async () => {
    // Port 1 on localhost: nothing listens there, so the connection is refused at once.
    const error = await openPostgresAdapter({ url: 'postgres://weir:hunter2-secret@127.0.0.1:1/warehouse', connectTimeoutMs: 2_000 }).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(isWeirError(error) && error.code).toBe('ENGINE_UNAVAILABLE');
    const message = String((error as Error).message);
    expect(message).toContain('127.0.0.1:1');
    expect(message).toContain('weir:***@');
    expect(message).not.toContain('hunter2-secret');
  });
});
