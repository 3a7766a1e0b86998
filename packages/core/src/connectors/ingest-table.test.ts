/**
 * The load algorithm against a real PostgreSQL source and DuckDB: the mistakes only the source can
 * reveal (a cursor column it lacks, a lookback of the wrong kind) fail before anything is written,
 * and a column the source gains between loads arrives in the next version.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDuckDBAdapter, type DuckDBAdapter } from '../engines/duckdb/duckdb-adapter.js';
import type { DatabaseSourceAsset, IncrementalLoad } from '../project/project-model.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../testing/services.js';
import type { TableConnector } from './connector.js';
import { ingestTable } from './ingest-table.js';
import { openPostgresConnector } from './postgres/postgres-connector.js';

let database: TestDatabase;
let client: pg.Client;
let connector: TableConnector;
let engine: DuckDBAdapter;

function asset(incremental: IncrementalLoad): DatabaseSourceAsset {
  return {
    kind: 'database', name: 'tickets', file: 'sources/app.yaml', line: 3, source: 'app', materialization: 'table', inputs: [], tags: [], columns: {}, checks: [],
    connection: { type: 'postgres', url: '${APP_DB_URL}' }, from: '"public"."tickets"', incremental,
  };
}
const table = (name: string) => ({ schema: 'raw', name });

await describeWithService(postgresService, 'ingestTable', () => {
  beforeAll(async () => {
    database = await createTestDatabase('weir_ingest');
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(`CREATE TABLE tickets (id integer PRIMARY KEY, seq bigint NOT NULL, title text)`);
    await client.query(`INSERT INTO tickets VALUES (1, 10, 'one'), (2, 20, 'two')`);
    connector = await openPostgresConnector({ url: database.url });
    engine = await openDuckDBAdapter({ path: ':memory:' });
    await engine.createSchema('raw');
    await engine.createSchema('weir_staging');
  });
  afterAll(async () => {
    await connector?.close();
    await engine?.close();
    await client?.end();
    await database?.drop();
  });

  it('names a cursor column the source does not have, listing the ones it has', async () => {
    await expect(ingestTable(asset({ cursor: 'updated_at', primaryKey: ['id'] }), connector, { engine, physical: table('v_missing'), basedOn: null })).rejects.toMatchObject({
      code: 'SOURCE_READ_FAILED',
      message: expect.stringContaining('the cursor column "updated_at" is not a column of "public"."tickets"'),
      hint: 'columns there: id, seq, title',
    });
    expect(await engine.describe(table('v_missing'))).toBeUndefined();
  });

  it('refuses a duration lookback on a numeric cursor before reading anything', async () => {
    const numeric = asset({ cursor: 'seq', primaryKey: ['id'] });
    await ingestTable(numeric, connector, { engine, physical: table('v1'), basedOn: null });
    const wrong = asset({ cursor: 'seq', primaryKey: ['id'], lookback: { seconds: 3600 } });
    await expect(ingestTable(wrong, connector, { engine, physical: table('v2'), basedOn: table('v1') })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('the lookback is a duration, but the cursor "seq" is BIGINT'),
    });
    expect(await engine.describe(table('v2'))).toBeUndefined();
    expect(await engine.rowCount(table('v1'))).toBe(2);
  });

  it('merges a numeric lookback by key, and refuses a column the source gained, keeping the loaded version', async () => {
    const load = asset({ cursor: 'seq', primaryKey: ['id'], lookback: { amount: 5 } });
    await ingestTable(load, connector, { engine, physical: table('w1'), basedOn: null });
    await client.query(`INSERT INTO tickets VALUES (3, 30, 'three')`);
    // Within the lookback (mark 20 - 5): row 2 is read again and must not be doubled.
    await client.query(`UPDATE tickets SET title = 'two again' WHERE id = 2`);
    expect(await ingestTable(load, connector, { engine, physical: table('w2'), basedOn: table('w1') })).toEqual({ rowsRead: 2, highWaterMark: '30' });
    const session = await engine.session();
    try {
      expect(await session.query(`SELECT id, title FROM raw.w2 ORDER BY id`)).toEqual([
        { id: 1, title: 'one' },
        { id: 2, title: 'two again' },
        { id: 3, title: 'three' },
      ]);
    } finally {
      await session.close();
    }

    await client.query(`ALTER TABLE tickets ADD COLUMN priority integer`);
    await client.query(`INSERT INTO tickets VALUES (4, 40, 'four', 1)`);
    await expect(ingestTable(load, connector, { engine, physical: table('w3'), basedOn: table('w2') })).rejects.toMatchObject({
      code: 'SOURCE_READ_FAILED',
      message: expect.stringContaining('the source now has column(s) priority that the loaded table lacks'),
      hint: expect.stringContaining('remove "incremental" for one run'),
    });
    expect(await engine.describe(table('w3'))).toBeUndefined();
    expect(await engine.rowCount(table('w2'))).toBe(3);
    // The way out the hint gives: one whole load picks the new column up.
    const whole = { ...load };
    delete whole.incremental;
    await ingestTable(whole, connector, { engine, physical: table('w3'), basedOn: table('w2') });
    expect(await engine.describe(table('w3'))).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'priority' })]));
    expect(await engine.rowCount(table('w3'))).toBe(4);
  });
});
