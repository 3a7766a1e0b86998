/**
 * The load algorithm against a real PostgreSQL source and DuckDB: the mistakes only the source can
 * reveal (a cursor column it lacks, a lookback of the wrong kind) fail before anything is written,
 * and a column the source gains or retypes between loads arrives in the next version (evolve) or
 * stops the load, naming the change (freeze).
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

async function rows(name: string, columns: string): Promise<Array<Record<string, unknown>>> {
  const session = await engine.session();
  try {
    return await session.query(`SELECT ${columns} FROM raw.${name} ORDER BY id`);
  } finally {
    await session.close();
  }
}

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

  it('keeps every source type as it is through incremental loads, however the warehouse spells it', async () => {
    // Each of these is spelled one way by the connector and another by DuckDB's describe; a load
    // once took TIMESTAMPTZ for a changed type and turned the cursor into VARCHAR, and the next
    // load then failed computing its mark.
    await client.query(`CREATE TABLE typed (id integer PRIMARY KEY, updated_at timestamptz NOT NULL, amount numeric(12, 2), ratio real, code char(3), flag bool, uid uuid)`);
    await client.query(`INSERT INTO typed VALUES (1, '2026-11-01 10:00:00+00', 1.50, 0.5, 'abc', true, gen_random_uuid())`);
    const load: DatabaseSourceAsset = { ...asset({ cursor: 'updated_at', primaryKey: ['id'], lookback: { seconds: 300 } }), name: 'typed', from: '"public"."typed"', schemaPolicy: 'freeze' };
    await ingestTable(load, connector, { engine, physical: table('t1'), basedOn: null });
    const loaded = await engine.describe(table('t1'));
    for (let next = 2; next <= 3; next++) {
      await client.query(`INSERT INTO typed VALUES ($1, '2026-11-0${next} 10:00:00+00', 2.25, 0.25, 'xyz', false, gen_random_uuid())`, [next]);
      // freeze: any type taken for a change would fail the load, naming it.
      const result = await ingestTable(load, connector, { engine, physical: table(`t${next}`), basedOn: table(`t${next - 1}`) });
      expect(result.highWaterMark).toMatch(new RegExp(`^2026-11-0${next} 10:00:00`));
      expect(await engine.describe(table(`t${next}`))).toEqual(loaded);
    }
    expect(loaded?.find((column) => column.name === 'updated_at')?.type).toBe('TIMESTAMP WITH TIME ZONE');
    expect(await engine.rowCount(table('t3'))).toBe(3);
  });

  it('merges a numeric lookback by key, and follows the source\'s new and retyped columns (evolve) or refuses them (freeze)', async () => {
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
    // freeze: the change is named before anything is read, and the loaded version stays.
    const frozen = { ...load, schemaPolicy: 'freeze' as const };
    await expect(ingestTable(frozen, connector, { engine, physical: table('w3'), basedOn: table('w2') })).rejects.toMatchObject({
      code: 'SOURCE_READ_FAILED',
      message: expect.stringContaining('new column priority (INTEGER); the schema is frozen'),
      hint: expect.stringContaining('set schema: evolve'),
    });
    expect(await engine.describe(table('w3'))).toBeUndefined();
    expect(await engine.rowCount(table('w2'))).toBe(3);
    // evolve (the default): the new column arrives; rows loaded before have NULL in it.
    await ingestTable(load, connector, { engine, physical: table('w3'), basedOn: table('w2') });
    expect(await rows('w3', 'id, priority')).toEqual([
      { id: 1, priority: null },
      { id: 2, priority: null },
      { id: 3, priority: null },
      { id: 4, priority: 1 },
    ]);
    // A type that changes: the loaded column widens to hold both the old and the new values.
    await client.query(`ALTER TABLE tickets ALTER COLUMN priority TYPE text`);
    await client.query(`INSERT INTO tickets VALUES (5, 50, 'five', 'urgent')`);
    await expect(ingestTable(frozen, connector, { engine, physical: table('w4'), basedOn: table('w3') })).rejects.toMatchObject({
      message: expect.stringContaining('priority changed from INTEGER to VARCHAR'),
    });
    await ingestTable(load, connector, { engine, physical: table('w4'), basedOn: table('w3') });
    expect((await engine.describe(table('w4')))?.find((column) => column.name === 'priority')?.type).toBe('VARCHAR');
    expect(await rows('w4', 'id, priority')).toEqual([
      { id: 1, priority: null },
      { id: 2, priority: null },
      { id: 3, priority: null },
      { id: 4, priority: '1' },
      { id: 5, priority: 'urgent' },
    ]);
  });
});
