/**
 * Conformance cases for data in and out through JavaScript: bulk inserts, bound parameters, wide
 * numbers, transactions, streaming, the search path and cancellation.
 */
import { expect, it } from 'vitest';
import { isWeirError } from '../errors/weir-error.js';
import type { ColumnInfo, EngineSession, RelationRef } from '../engines/engine-adapter.js';
import { familiesOf, query, rejectionOf, rowsOf, type ConformanceContext } from './engine-conformance-support.js';

const MIXED: ColumnInfo[] = [
  { name: 'id', type: 'BIGINT', nullable: true },
  { name: 'name', type: 'VARCHAR', nullable: true },
  { name: 'amount', type: 'DOUBLE', nullable: true },
  { name: 'price', type: 'DECIMAL(10,2)', nullable: true },
  { name: 'active', type: 'BOOLEAN', nullable: true },
  { name: 'created_at', type: 'TIMESTAMP', nullable: true },
  { name: 'day', type: 'DATE', nullable: true },
];
const AWKWARD_TEXT = 'tab\there "quoted" \'single\' back\\slash\nnew line, comma; \\N';
const BEYOND_DOUBLE = 9007199254740993n; // 2^53 + 1: the first integer a double cannot hold

/** Registers the session and bulk-insert cases on the current `describe`. */
export function sessionCases(context: ConformanceContext): void {
  const withSession = async <T>(work: (session: EngineSession) => Promise<T>): Promise<T> => {
    const session = await context.engine.session();
    try {
      return await work(session);
    } finally {
      await session.close();
    }
  };

  it('bulk-inserts rows of mixed types exactly, then appends by column name and replaces', async () => {
    const { engine } = context;
    const ref = { schema: await context.freshSchema('bulk'), name: 'mixed' };
    await engine.bulkInsert(
      ref,
      MIXED,
      [
        { id: 1, name: 'plain', amount: 1.5, price: '19.99', active: true, created_at: new Date('2024-01-02T03:04:05.250Z'), day: new Date('2024-01-02T00:00:00Z') },
        { id: BEYOND_DOUBLE, name: AWKWARD_TEXT, amount: -0.25, price: 0.1, active: false, created_at: '2024-05-06 07:08:09', day: '2024-05-06' },
        { id: 3, name: null, amount: null, price: null, active: null, created_at: null, day: null },
        { id: 4 },
        { id: 5, name: '' },
      ],
      { append: false },
    );
    expect(await familiesOf(engine, ref)).toEqual({
      id: 'integer', name: 'text', amount: 'float', price: 'decimal', active: 'boolean', created_at: 'timestamp', day: 'date',
    });
    const empty = { name: null, amount: null, price: null, active: null, created_at: null, day: null };
    expect(await rowsOf(engine, ref, ['id'])).toEqual([
      { id: 1, name: 'plain', amount: 1.5, price: 19.99, active: true, created_at: new Date('2024-01-02T03:04:05.250Z'), day: new Date('2024-01-02T00:00:00Z') },
      { id: 3, ...empty },
      { id: 4, ...empty },
      { id: 5, ...empty, name: '' },
      { id: '9007199254740993', name: AWKWARD_TEXT, amount: -0.25, price: 0.1, active: false, created_at: new Date('2024-05-06T07:08:09Z'), day: new Date('2024-05-06T00:00:00Z') },
    ]);

    const reordered = [MIXED[1], MIXED[0]].filter((column): column is ColumnInfo => column !== undefined);
    await engine.bulkInsert(ref, reordered, [{ name: 'appended', id: 6 }], { append: true });
    expect(await engine.rowCount(ref)).toBe(6);
    expect(await query(engine, `SELECT name FROM ${engine.quoteRelation(ref)} WHERE id = 6`)).toEqual([{ name: 'appended' }]);

    await engine.bulkInsert(ref, MIXED, [{ id: 7, name: 'fresh' }], { append: false });
    expect(await engine.rowCount(ref)).toBe(1);
  });

  it('bulk-inserts many rows in one call, and an empty batch creates an empty table', async () => {
    const { engine } = context;
    const schema = await context.freshSchema('bulk_many');
    const rows = Array.from({ length: 20_000 }, (_, index) => ({ id: index, name: `row ${index}` }));
    await engine.bulkInsert({ schema, name: 'many' }, MIXED.slice(0, 2), rows, { append: false });
    expect(await engine.rowCount({ schema, name: 'many' })).toBe(20_000);
    expect(await query(engine, `SELECT sum(id) AS total FROM ${engine.quoteRelation({ schema, name: 'many' })}`)).toEqual([{ total: 199_990_000 }]);
    await engine.bulkInsert({ schema, name: 'none' }, MIXED, [], { append: false });
    expect((await engine.describe({ schema, name: 'none' }))?.map((column) => column.name)).toEqual(MIXED.map((column) => column.name));
    expect(await engine.rowCount({ schema, name: 'none' })).toBe(0);
  });

  it('refuses a bad type name and a value that does not fit, leaving the table as it was', async () => {
    const { engine } = context;
    const ref = { schema: await context.freshSchema('bulk_bad'), name: 'strict' };
    const injected = await rejectionOf(engine.bulkInsert(ref, [{ name: 'id', type: 'BIGINT); DROP TABLE x; --', nullable: true }], [], { append: false }));
    expect(isWeirError(injected) && injected.code).toBe('CONFIG_INVALID');
    await engine.bulkInsert(ref, MIXED.slice(0, 2), [{ id: 1, name: 'a' }], { append: false });
    await expect(engine.bulkInsert(ref, MIXED.slice(0, 2), [{ id: 2, name: 'b' }, { id: 'three', name: 'c' }], { append: true })).rejects.toThrow();
    await expect(engine.bulkInsert(ref, MIXED.slice(0, 2), [{ id: 2.5, name: 'b' }], { append: true })).rejects.toThrow();
    expect(await rowsOf(engine, ref, ['id'])).toEqual([{ id: 1, name: 'a' }]);
  });

  it('binds parameters instead of splicing them into SQL', async () => {
    const { engine } = context;
    const ref = { schema: await context.freshSchema('params'), name: 'people' };
    const tricky = `O'Brien"; DROP TABLE people; --`;
    await engine.bulkInsert(ref, MIXED.slice(0, 2), [{ id: 1, name: tricky }, { id: 2, name: 'plain' }], { append: false });
    expect(await query(engine, 'SELECT CAST($1 AS VARCHAR) AS echoed', [tricky])).toEqual([{ echoed: tricky }]);
    expect(await query(engine, `SELECT id FROM ${engine.quoteRelation(ref)} WHERE name = $1`, [tricky])).toEqual([{ id: 1 }]);
    expect(await query(engine, 'SELECT CAST($1 AS BIGINT) + 1 AS next, CAST($2 AS DOUBLE PRECISION) * 2 AS twice, CAST($3 AS BOOLEAN) AS flag', [41, 1.25, true])).toEqual([
      { next: 42, twice: 2.5, flag: true },
    ]);
    expect(await engine.rowCount(ref)).toBe(2);
  });

  it('returns 64-bit integers and decimals as numbers only when exact', async () => {
    const rows = await query(
      context.engine,
      `SELECT CAST('9007199254740993' AS BIGINT) AS big, CAST('-9223372036854775808' AS BIGINT) AS min, CAST(42 AS BIGINT) AS small,
              CAST('12345678901234567890.123' AS DECIMAL(38,3)) AS wide, CAST('1.50' AS DECIMAL(10,2)) AS narrow, count(*) AS n
       FROM (VALUES (1), (2)) AS v(x)`,
    );
    expect(rows).toEqual([{ big: '9007199254740993', min: '-9223372036854775808', small: 42, wide: '12345678901234567890.123', narrow: 1.5, n: 2 }]);
    expect(typeof rows[0]?.n).toBe('number');
  });

  it('commits a transaction, and rolls it back (DDL included) when the work throws', async () => {
    const { engine } = context;
    const schema = await context.freshSchema('tx');
    const ref = { schema, name: 'ledger' };
    await engine.bulkInsert(ref, MIXED.slice(0, 2), [], { append: false });
    const insert = (id: number) => `INSERT INTO ${engine.quoteRelation(ref)} (id, name) VALUES (${id}, 'row ${id}')`;
    await withSession(async (session) => {
      const result = await session.transaction(async () => {
        await session.execute(insert(1));
        // Not visible to other sessions before commit.
        expect(await engine.rowCount(ref)).toBe(0);
        return 'done';
      });
      expect(result).toBe('done');
      const boom = new Error('boom');
      const created = { schema, name: 'created_in_tx' };
      const rejected = await rejectionOf(
        session.transaction(async () => {
          await session.execute(insert(2));
          if (engine.capabilities.transactionalDdl) await session.execute(`CREATE TABLE ${engine.quoteRelation(created)} (x INTEGER)`);
          throw boom;
        }),
      );
      expect(rejected).toBe(boom);
      expect(await engine.describe(created)).toBeUndefined();
      expect(await session.query(`SELECT id FROM ${engine.quoteRelation(ref)}`)).toEqual([{ id: 1 }]);
    });
  });

  it('streams rows in batches, and stops cleanly when the reader stops early', async () => {
    const { engine } = context;
    const ref = { schema: await context.freshSchema('stream'), name: 'numbers' };
    await engine.createTableAs(ref, 'SELECT CAST(i AS BIGINT) AS id FROM generate_series(1, 2500) AS g(i)');
    const sql = `SELECT id FROM ${engine.quoteRelation(ref)} ORDER BY id`;
    await withSession(async (session) => {
      const sizes: number[] = [];
      const ids: unknown[] = [];
      for await (const batch of session.streamRows(sql, 1000)) {
        sizes.push(batch.length);
        ids.push(...batch.map((row) => row.id));
      }
      expect(sizes).toEqual([1000, 1000, 500]);
      expect(ids).toEqual(Array.from({ length: 2500 }, (_, index) => index + 1));

      for await (const batch of session.streamRows(sql, 100)) {
        expect(batch[0]).toEqual({ id: 1 });
        break;
      }
      expect(await session.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      const inTransaction = await session.transaction(async () => {
        let count = 0;
        for await (const batch of session.streamRows(sql, 1000)) count += batch.length;
        return count;
      });
      expect(inTransaction).toBe(2500);
    });
  });

  it('sets a search path for a session, and only for that session', async () => {
    const { engine } = context;
    const schema = await context.freshSchema('search, "odd" path'); // a comma and quotes must not split the name
    await engine.createTableAs({ schema, name: 'only_here' }, 'SELECT 7 AS lucky');
    await withSession(async (session) => {
      await session.setSearchPath(schema);
      expect(await session.query('SELECT lucky FROM only_here')).toEqual([{ lucky: 7 }]);
    });
    await expect(query(engine, 'SELECT lucky FROM only_here')).rejects.toThrow();
  });

  it('stops a running statement when its signal aborts, publishing nothing', async () => {
    const { engine } = context;
    const schema = await context.freshSchema('abort');
    const ref: RelationRef = { schema, name: 'never' };
    const already = new AbortController();
    already.abort(new Error('stopped before it started'));
    expect(await rejectionOf(engine.createTableAs(ref, 'SELECT 1 AS x', undefined, already.signal))).toBe(already.signal.reason);

    const controller = new AbortController();
    const reason = new Error('step timed out');
    setTimeout(() => controller.abort(reason), 300);
    const started = Date.now();
    const slow = 'SELECT count(*) AS n FROM generate_series(1, 200000) AS a(i), generate_series(1, 200000) AS b(j)';
    expect(await rejectionOf(engine.createTableAs(ref, slow, undefined, controller.signal))).toBe(reason);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await engine.describe(ref)).toBeUndefined();
    expect(await query(engine, 'SELECT 1 AS alive')).toEqual([{ alive: 1 }]);
  });
}
