/**
 * What only the PostgreSQL adapter has to get right, beyond the shared conformance suite: merge
 * plans the server can hash, pooled connections handed back clean, views with dependents, and
 * names and secrets that must never be mangled or shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWeirError } from '../../errors/weir-error.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../../testing/services.js';
import { mergeColumns } from '../column-matching.js';
import type { RelationRef, Row } from '../engine-adapter.js';
import { openPostgresAdapter, type PostgresAdapter } from './postgres-adapter.js';
import { describeConnectionString } from '../../errors/mask-connection-string.js';
import { mergeSql } from './postgres-merge.js';
import { toPostgresType } from './postgres-types.js';

describe('postgres names, types and secrets', () => {
  it('masks the password in every connection string form, and hides what it cannot parse', () => {
    expect(describeConnectionString('postgres://weir:s3cret@db:5432/wh')).toBe('postgres://weir:***@db:5432/wh');
    expect(describeConnectionString('postgres://db/wh?password=s3cret&sslmode=require')).not.toContain('s3cret');
    expect(describeConnectionString("host=db password='s3 cret' dbname=wh")).toBe('host=db password=*** dbname=wh');
    expect(describeConnectionString('postgres://weir@db/wh')).toBe('postgres://weir@db/wh');
    expect(describeConnectionString('not a url s3cretPW')).toBe('(connection string not shown)');
  });

  it('reports a url the driver cannot parse as a configuration error that shows no part of it', async () => {
    const error = await openPostgresAdapter({ url: 'postgres://weir:pa/ss#wd@127.0.0.1:5432/x' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(String((error as Error).message)).not.toContain('pa/ss');
  });

  it('maps DuckDB-style type names and refuses anything else', () => {
    expect(toPostgresType('DOUBLE')).toBe('double precision');
    expect(toPostgresType('VARCHAR')).toBe('text');
    expect(toPostgresType('DECIMAL(18, 2)')).toBe('numeric(18,2)');
    expect(toPostgresType('DECIMAL')).toBe('numeric(18,3)');
    expect(toPostgresType('BIGINT[]')).toBe('bigint[]');
    expect(toPostgresType('TIMESTAMP WITH TIME ZONE')).toBe('timestamp with time zone');
    expect(toPostgresType('HUGEINT')).toBe('numeric(39,0)');
    expect(() => toPostgresType('TEXT; DROP TABLE x')).toThrow(/not a SQL type name/);
  });
});

let database: TestDatabase | undefined;
let engine: PostgresAdapter | undefined;
const open = (): PostgresAdapter => {
  if (engine === undefined) throw new Error('PostgreSQL adapter not open');
  return engine;
};

await describeWithService(postgresService, 'postgres adapter', () => {
  beforeAll(async () => {
    database = await createTestDatabase('weir_test');
    // One connection, so every session provably reuses the connection the previous one returned.
    engine = await openPostgresAdapter({ url: database.url, maxConnections: 1 });
    await engine.createSchema('s');
  });
  afterAll(async () => {
    await engine?.close();
    await database?.drop();
  });

  it('reads arrays of wide numbers, dates and timestamps (array_agg results) as plain values', async () => {
    const session = await open().session();
    try {
      const [row] = await session.query(
        "SELECT ARRAY[1, 9007199254740993]::bigint[] AS big, ARRAY[1.50]::numeric[] AS dec, ARRAY['2020-01-02']::date[] AS day, ARRAY['2020-01-02 03:04:05']::timestamp[] AS ts",
      );
      // Elements are converted as the same types are in plain columns (dates and timestamps as UTC instants).
      expect(row).toEqual({ big: [1, '9007199254740993'], dec: [1.5], day: [new Date('2020-01-02T00:00:00Z')], ts: [new Date('2020-01-02T03:04:05Z')] });
    } finally {
      await session.close();
    }
  });

  it('refuses names PostgreSQL would silently cut short', () => {
    const error = (() => {
      try {
        return open().quoteIdentifier('x'.repeat(64));
      } catch (caught) {
        return caught;
      }
    })();
    expect(isWeirError(error) && error.code).toBe('CONFIG_INVALID');
    expect(open().quoteIdentifier('x'.repeat(63))).toBe(`"${'x'.repeat(63)}"`);
  });

  it('says so when every pooled connection is held, instead of blaming the server', async () => {
    const small = await openPostgresAdapter({ url: database?.url ?? '', maxConnections: 1, connectTimeoutMs: 200 });
    const held = await small.session();
    try {
      const error = await small.session().then(
        () => undefined,
        (rejection: unknown) => rejection,
      );
      expect(isWeirError(error) && error.code).toBe('ENGINE_UNAVAILABLE');
      expect(String((error as Error).message)).toBe('all 1 PostgreSQL connections stayed in use for 200 ms');
    } finally {
      await held.close();
      await small.close();
    }
  });

  it('hands pooled connections back without a search path or an open transaction', async () => {
    const engine = open();
    await engine.createTableAs({ schema: 's', name: 'numbers' }, 'SELECT i FROM generate_series(1, 50) AS g(i)');
    const first = await engine.session();
    await first.setSearchPath('s');
    const stream = first.streamRows('SELECT i FROM numbers', 10)[Symbol.asyncIterator]();
    expect((await stream.next()).value).toHaveLength(10); // abandoned mid-stream, never returned
    await first.close();
    const second = await engine.session();
    try {
      expect(await second.query("SELECT current_setting('search_path') AS path")).toEqual([{ path: '"$user", public' }]);
      // SAVEPOINT outside a transaction block is an error: proof that the stream's transaction is gone.
      await expect(second.execute('SAVEPOINT probe')).rejects.toThrow(/transaction block/);
    } finally {
      await second.close();
    }
  });

  it('nests transactions as savepoints, and never reports a silently rolled-back commit as kept', async () => {
    const engine = open();
    const ledger = { schema: 's', name: 'ledger' };
    await engine.createTableAs(ledger, 'SELECT 0 AS id');
    const session = await engine.session();
    try {
      const insert = (id: number) => session.execute(`INSERT INTO ${engine.quoteRelation(ledger)} VALUES (${id})`);
      await session.transaction(async () => {
        await insert(1);
        await expect(session.transaction(async () => {
          await insert(2);
          throw new Error('inner fails');
        })).rejects.toThrow('inner fails');
        await insert(3);
      });
      expect(await session.query(`SELECT id FROM ${engine.quoteRelation(ledger)} ORDER BY id`)).toEqual([{ id: 0 }, { id: 1 }, { id: 3 }]);

      const swallowed = session.transaction(async () => {
        await insert(4);
        await session.execute('SELECT 1 / 0').catch(() => undefined); // the caller hides the failure
      });
      await expect(swallowed).rejects.toThrow(/rolled back/);
      expect(await session.query(`SELECT count(*) AS n FROM ${engine.quoteRelation(ledger)} WHERE id = 4`)).toEqual([{ n: 0 }]);
    } finally {
      await session.close();
    }
  });

  it('plans a merge on nullable keys as a hash or merge join, never a nested loop', async () => {
    const engine = open();
    const target = { schema: 's', name: 'facts' };
    const source = { schema: 's', name: 'changes' };
    await engine.createTableAs(target, `SELECT CAST(i AS BIGINT) AS id, CAST(i AS VARCHAR) AS code, i * 2 AS v FROM generate_series(1, 20000) AS g(i)`);
    await engine.createTableAs(source, `SELECT CAST(i AS BIGINT) AS id, CAST(i AS VARCHAR) AS code, i AS v FROM generate_series(19000, 21000) AS g(i)`);
    const [targetColumns, sourceColumns] = [(await engine.describe(target)) ?? [], (await engine.describe(source)) ?? []];
    const keys = ['id', 'code'];
    const sql = mergeSql({
      target: engine.quoteRelation(target),
      source: engine.quoteRelation(source),
      keys,
      columns: mergeColumns(target, targetColumns, source, sourceColumns, keys),
      targetColumns,
      sourceColumns,
    });
    const session = await engine.session();
    try {
      await session.execute('ANALYZE');
      const plan = (await session.query(`EXPLAIN ${sql}`)).map((row) => String(row['QUERY PLAN'])).join('\n');
      expect(plan).toMatch(/Hash (Left )?Join|Merge (Left )?Join/);
      expect(plan).not.toMatch(/Nested Loop/);
    } finally {
      await session.close();
    }
  });

  it('keeps views that depend on a published view when the columns allow it, and refuses to break them otherwise', async () => {
    const engine = open();
    const [v1, v2, other] = [{ schema: 's', name: 'v1' }, { schema: 's', name: 'v2' }, { schema: 's', name: 'other' }];
    await engine.createTableAs(v1, `SELECT 1 AS id, 'a' AS name`);
    await engine.createTableAs(v2, `SELECT 2 AS id, 'b' AS name`);
    await engine.createTableAs(other, `SELECT 'x' AS label`);
    const published = { schema: 's', name: 'published' };
    await engine.pointView(published, v1);
    const downstream = { schema: 's', name: 'downstream' };
    await engine.createViewAs(downstream, `SELECT name FROM ${engine.quoteRelation(published)}`);

    await engine.pointView(published, v2);
    const read = async (ref: RelationRef): Promise<Row[]> => {
      const session = await engine.session();
      try {
        return await session.query(`SELECT * FROM ${engine.quoteRelation(ref)}`);
      } finally {
        await session.close();
      }
    };
    expect(await read(downstream)).toEqual([{ name: 'b' }]);
    await expect(engine.pointView(published, other)).rejects.toThrow(/depend/);
    expect(await read(published)).toEqual([{ id: 2, name: 'b' }]);
  });

  it('reads values without a plain JSON form as text rather than guessing', async () => {
    const session = await open().session();
    try {
      expect(
        await session.query(`SELECT CAST('infinity' AS TIMESTAMP) AS ts, CAST('NaN' AS NUMERIC) AS n, CAST('2024-01-02' AS DATE) AS d`),
      ).toEqual([{ ts: 'infinity', n: 'NaN', d: new Date('2024-01-02T00:00:00Z') }]);
    } finally {
      await session.close();
    }
  });

  it('reads an interval written in an IntervalStyle other than the default as PostgreSQL wrote it', async () => {
    const session = await open().session();
    try {
      const sql = `SELECT CAST('1 day 02:03:04' AS INTERVAL) AS span`;
      // SET LOCAL: the style ends with the transaction, and the pooled connection goes back unchanged.
      const iso = await session.transaction(async () => {
        await session.execute(`SET LOCAL IntervalStyle = 'iso_8601'`);
        return session.query(sql);
      });
      expect(iso).toEqual([{ span: 'P1DT2H3M4S' }]);
      expect(await session.query(sql)).toEqual([{ span: '1 day 02:03:04' }]);
    } finally {
      await session.close();
    }
  });
});
