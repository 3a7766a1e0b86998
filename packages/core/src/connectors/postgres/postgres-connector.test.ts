/**
 * The PostgreSQL connector against the real server, loading into both warehouse engines through
 * their bulk paths: every common column type arrives with its value, NULL stays distinct from the
 * empty string, a cursor reads only rows past it, and a stream cut part-way fails the load.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDuckDBAdapter } from '../../engines/duckdb/duckdb-adapter.js';
import type { EngineAdapter } from '../../engines/engine-adapter.js';
import { openPostgresAdapter } from '../../engines/postgres/postgres-adapter.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../../testing/services.js';
import type { TableConnector } from '../connector.js';
import { openPostgresConnector, redactUrl } from './postgres-connector.js';

let database: TestDatabase;
let warehouseDatabase: TestDatabase;
let connector: TableConnector;
const warehouses: Array<{ name: string; engine: EngineAdapter }> = [];

await describeWithService(postgresService, 'PostgreSQL connector', () => {
  beforeAll(async () => {
    database = await createTestDatabase('weir_connector');
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(`CREATE TABLE kinds (
      id bigint, flag boolean, small smallint, price numeric(12,2), wide numeric, ratio double precision,
      label text, code varchar(4), day date, at timestamp, at_utc timestamptz, span interval, key uuid, doc jsonb, tags text[])`);
    await client.query(`INSERT INTO kinds VALUES
      (1, true, 7, 1234567890.12, 12345678901234567890.5, 0.1, 'a,b "c"', 'ABCD', '2026-02-28', '2026-02-28 13:14:15.5', '2026-02-28 13:14:15+02', '1 day 02:00:00', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"k": [1, 2]}', '{x,y}'),
      (2, NULL, NULL, NULL, NULL, NULL, '', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (3, false, -1, -0.5, 1, -1e300, E'multi\\nline', 'Z', '1999-12-31', '1999-12-31 23:59:59', '1999-12-31 23:59:59+00', '-3 hours', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', '[]', '{}')`);
    await client.end();
    connector = await openPostgresConnector({ url: database.url });
    warehouseDatabase = await createTestDatabase('weir_connector_wh');
    warehouses.push({ name: 'duckdb', engine: await openDuckDBAdapter({ path: ':memory:' }) });
    warehouses.push({ name: 'postgres', engine: await openPostgresAdapter({ url: warehouseDatabase.url }) });
    for (const { engine } of warehouses) await engine.createSchema('raw');
  });
  afterAll(async () => {
    await connector?.close();
    for (const { engine } of warehouses) await engine.close();
    await database?.drop();
    await warehouseDatabase?.drop();
  });

  it('describes the columns with warehouse types', async () => {
    const columns = await connector.describe('"public"."kinds"');
    expect(Object.fromEntries(columns.map((column) => [column.name, column.type]))).toEqual({
      id: 'BIGINT', flag: 'BOOLEAN', small: 'SMALLINT', price: 'DECIMAL(12,2)', wide: 'DOUBLE', ratio: 'DOUBLE',
      label: 'VARCHAR', code: 'VARCHAR', day: 'DATE', at: 'TIMESTAMP', at_utc: 'TIMESTAMPTZ', span: 'INTERVAL', key: 'UUID', doc: 'JSON', tags: 'VARCHAR',
    });
  });

  it('loads every value into each warehouse, NULL apart from the empty string', async () => {
    const columns = await connector.describe('"public"."kinds"');
    for (const { name, engine } of warehouses) {
      const target = { schema: 'raw', name: 'kinds' };
      await engine.loadCsvStream(target, columns, await connector.readCsv({ from: '"public"."kinds"' }, columns));
      const session = await engine.session();
      try {
        const rows = await session.query(
          `SELECT id, flag, small, CAST(price AS VARCHAR) AS price, label, code, CAST(day AS VARCHAR) AS day, CAST(at_utc AS VARCHAR) AS at_utc, CAST(key AS VARCHAR) AS key, CAST(tags AS VARCHAR) AS tags, label IS NULL AS label_null
           FROM ${engine.quoteRelation(target)} ORDER BY id`,
        );
        expect(rows.map((row) => Number(row.id)), name).toEqual([1, 2, 3]);
        expect(rows[0], name).toMatchObject({ flag: true, small: 7, price: '1234567890.12', label: 'a,b "c"', code: 'ABCD', day: '2026-02-28', key: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', tags: '{x,y}' });
        expect(String(rows[0]?.at_utc), name).toMatch(/^2026-02-28 11:14:15(\+00(:00)?)?$/);
        expect(rows[1], name).toMatchObject({ flag: null, small: null, price: null, label: '', label_null: false, code: null, day: null });
        expect(rows[2], name).toMatchObject({ flag: false, small: -1, price: '-0.50', label: 'multi\nline' });
      } finally {
        await session.close();
      }
    }
  });

  it('reads only the rows past a cursor', async () => {
    const columns = await connector.describe('"public"."kinds"');
    const duckdb = warehouses[0]!.engine;
    const target = { schema: 'raw', name: 'kinds_new' };
    await duckdb.loadCsvStream(target, columns, await connector.readCsv({ from: '"public"."kinds"', cursor: { column: 'day', after: '2000-01-01' } }, columns));
    expect(await duckdb.rowCount(target)).toBe(1);
    expect(await connector.maxOf('"public"."kinds"', 'day')).toBe('2026-02-28');
  });

  it('fails a load whose stream breaks part-way instead of keeping what arrived', async () => {
    const duckdb = warehouses[0]!.engine;
    const columns = await connector.describe('"public"."kinds"');
    const { Readable } = await import('node:stream');
    const broken = new Readable({
      read() {
        this.push('1,t,7,1.00,1,0.1,x,A,2026-01-01,2026-01-01 00:00:00,2026-01-01 00:00:00+00,1 day,a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,{},{}\n');
        this.destroy(new Error('connection to the source lost'));
      },
    });
    await expect(duckdb.loadCsvStream({ schema: 'raw', name: 'kinds_broken' }, columns, broken)).rejects.toThrow('connection to the source lost');
  });

  it('never shows the password of a connection string', async () => {
    expect(redactUrl('postgres://etl:s3cret@db.example:5432/shop')).toBe('postgres://etl:***@db.example:5432/shop');
    const url = new URL(database.url);
    url.username = 'weir_nobody';
    url.password = 's3cret-pw';
    const failure = await openPostgresConnector({ url: url.toString() }).then(
      () => new Error('connected with a user that does not exist'),
      (error: unknown) => error as Error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure.message).toContain('weir_nobody');
    expect(failure.message).not.toContain('s3cret-pw');
  });
});
