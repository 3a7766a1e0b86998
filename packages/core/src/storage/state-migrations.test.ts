/**
 * Upgrades of state databases written by an earlier Weir. `fixtures/state-v1.sql` is the dump of a
 * `.weir/state.db` written by the version-1 code (one published run), so the SQLite test opens a
 * file exactly as a user has it. For PostgreSQL the version-1 schema is made by removing what later
 * migrations add from a current one.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WeirEvent } from '../events/weir-event.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../testing/services.js';
import { openPostgresStateStore } from './postgres/open-postgres-state-store.js';
import { openSqliteStateStore } from './sqlite/open-sqlite-state-store.js';
import { stateSchemaVersion } from './state-migrations.js';
import type { StateStore } from './state-store.js';

const scratch = mkdtempSync(join(tmpdir(), 'weir-migrations-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const fixture = readFileSync(new URL('./fixtures/state-v1.sql', import.meta.url), 'utf8');

const at = (n: number): string => new Date(Date.UTC(2025, 0, 2) + n * 1000).toISOString();

/** What the version-1 fixture holds, as a current store must read it. */
async function expectVersionOneState(store: StateStore): Promise<void> {
  expect(await store.run('run-v1')).toMatchObject({ status: 'succeeded', startedAt: '2025-01-01T00:00:00.000Z', summary: { succeeded: 1 } });
  expect(await store.steps('run-v1')).toEqual([expect.objectContaining({ asset: 'orders', status: 'succeeded', rows: 10 })]);
  expect(await store.pointers('prod')).toEqual([{ environment: 'prod', asset: 'orders', version: 'o1', publishedAt: '2025-01-01T00:00:04.000Z', pinned: false }]);
  expect(await store.checkResults({ asset: 'orders' })).toEqual([expect.objectContaining({ check: 'not_null(id)', passed: true })]);
  expect((await store.events()).map((event) => event.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
}

/** Appends data-quality events to an upgraded store and reads them back. */
async function expectMetricTablesWork(store: StateStore): Promise<void> {
  expect(await store.metricSeries({ asset: 'orders', metric: 'row_count' })).toEqual([]);
  expect(await store.latestMetrics('orders')).toEqual([]);
  const events: WeirEvent[] = [
    { type: 'metrics_measured', at: at(1), runId: 'run-v2', asset: 'orders', version: 'o2', metrics: [{ metric: 'row_count', value: 12 }, { metric: 'null_rate', column: 'id', value: 0 }] },
    { type: 'spc_rebaselined', at: at(2), asset: 'orders', metric: 'row_count' },
  ];
  await store.append(events);
  expect(await store.metricSeries({ asset: 'orders', metric: 'row_count' })).toEqual([
    { at: at(1), value: 12, runId: 'run-v2', version: 'o2', anomalous: false, eventId: 8 },
  ]);
  expect(await store.spcRebaselines({ asset: 'orders', metric: 'row_count' })).toEqual([at(2)]);
  expect((await store.latestMetrics('orders')).map((metric) => [metric.metric, metric.column])).toEqual([['row_count', undefined], ['null_rate', 'id']]);
}

describe('state migrations: SQLite', () => {
  it('refuses a state database written by a newer Weir, and leaves it as it was', async () => {
    const file = join(scratch, 'newer', 'state.db');
    mkdirSync(join(scratch, 'newer'));
    await (await openSqliteStateStore(file)).close();
    const db = new Database(file);
    db.prepare('insert into schema_version (version, applied_at) values (99, ?)').run(new Date().toISOString());
    db.close();
    await expect(openSqliteStateStore(file)).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE', message: expect.stringContaining(`has schema version 99; this Weir knows up to ${stateSchemaVersion}`) });
    const after = new Database(file, { readonly: true });
    try {
      expect(after.prepare('select max(version) as version from schema_version').get()).toEqual({ version: 99 });
    } finally {
      after.close();
    }
  });

  it('upgrades a .weir/state.db written at schema version 1, keeping its state', async () => {
    const file = join(scratch, 'v1', 'state.db');
    mkdirSync(join(scratch, 'v1'));
    const old = new Database(file);
    old.exec(fixture);
    old.close();

    const store = await openSqliteStateStore(file);
    try {
      await expectVersionOneState(store);
      await expectMetricTablesWork(store);
    } finally {
      await store.close();
    }
    const outside = new Database(file, { readonly: true });
    try {
      expect(outside.prepare('select version from schema_version order by version').all()).toEqual(
        Array.from({ length: stateSchemaVersion }, (_, i) => ({ version: i + 1 })),
      );
    } finally {
      outside.close();
    }
    // Opening again migrates nothing and sees the same state.
    const again = await openSqliteStateStore(file);
    try {
      expect(await again.run('run-v1')).toMatchObject({ status: 'succeeded' });
      expect(await again.metricSeries({ asset: 'orders', metric: 'null_rate', column: 'id' })).toEqual([expect.objectContaining({ value: 0 })]);
    } finally {
      await again.close();
    }
  });
});

await describeWithService(postgresService, 'state migrations: PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('weir_migrations_test');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('upgrades a state schema at version 1, keeping its state', async () => {
    const schema = 'upgrade_from_v1';
    const writer = await openPostgresStateStore(database.url, { schema });
    await writer.append(fixtureEvents());
    await writer.close();
    // Back to version 1: what later migrations added goes, as if the schema had been written by the old code.
    await adminQuery(
      database.url,
      `drop table "${schema}".metric_points; drop table "${schema}".spc_rebaselines; drop table if exists "${schema}".partitions; drop table if exists "${schema}".backfills; drop table if exists "${schema}".trigger_states; drop table if exists "${schema}".api_tokens; drop table if exists "${schema}".feedback; delete from "${schema}".schema_version where version > 1`,
    );

    const store = await openPostgresStateStore(database.url, { schema });
    try {
      await expectVersionOneState(store);
      await expectMetricTablesWork(store);
    } finally {
      await store.close();
    }
    const versions = await adminQuery(database.url, `select version::int as version from "${schema}".schema_version order by version`);
    expect(versions).toEqual(Array.from({ length: stateSchemaVersion }, (_, i) => ({ version: i + 1 })));
  });
});

/** The events of the version-1 fixture, in log order. */
function fixtureEvents(): WeirEvent[] {
  const db = new Database(':memory:');
  try {
    db.exec(fixture);
    const rows = db.prepare('select payload from events order by id').all() as Array<{ payload: string }>;
    return rows.map((row) => JSON.parse(row.payload) as WeirEvent);
  } finally {
    db.close();
  }
}

async function adminQuery(url: string, text: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query(text);
    return Array.isArray(result) ? [] : result.rows;
  } finally {
    await client.end();
  }
}
