/**
 * Rows from JavaScript appended as data chunks straight into the target table: columns matched by
 * name whatever order they are given in, across several chunks, repeated texts sent as ENUMs; a
 * value DuckDB refuses leaves the table as it was (nothing of the batch half appended); a column
 * the table lacks is refused, naming it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ColumnInfo, EngineSession, RelationRef, Row } from '../engine-adapter.js';
import { WeirError } from '../../errors/weir-error.js';
import { openDuckDBAdapter, type DuckDBAdapter } from './duckdb-adapter.js';

const TABLE: RelationRef = { schema: 'bulk', name: 'orders' };
const STATUSES = ['new', 'paid', 'shipped', "it's \"late\"", ''];

let engine: DuckDBAdapter;
let session: EngineSession;

beforeAll(async () => {
  engine = await openDuckDBAdapter({ path: ':memory:' });
  session = await engine.session();
  await session.execute('CREATE SCHEMA bulk');
});
afterAll(async () => {
  await session.close();
  await engine.close();
});
beforeEach(async () => {
  await session.execute(
    'CREATE OR REPLACE TABLE bulk.orders (id BIGINT, amount DOUBLE, status VARCHAR, note VARCHAR, paid BOOLEAN, created_at TIMESTAMP, due DATE)',
  );
});

/** The given columns, in another order than the table's. */
const columns: ColumnInfo[] = [
  { name: 'created_at', type: 'TIMESTAMP', nullable: true },
  { name: 'status', type: 'VARCHAR', nullable: true },
  { name: 'paid', type: 'BOOLEAN', nullable: true },
  { name: 'id', type: 'BIGINT', nullable: false },
  { name: 'due', type: 'DATE', nullable: true },
  { name: 'note', type: 'VARCHAR', nullable: true },
  { name: 'amount', type: 'DOUBLE', nullable: true },
];

/** Row `i`: a few statuses repeated (an ENUM per chunk), a note of its own, some nulls, one integer past 2^53. */
function row(i: number): Row {
  return {
    created_at: `2026-01-${String(1 + (i % 28)).padStart(2, '0')} 10:${String(i % 60).padStart(2, '0')}:00`,
    status: i % 13 === 0 ? null : STATUSES[i % STATUSES.length]!,
    paid: i % 3 === 0,
    id: i === 4 ? 9_007_199_254_740_993n : i,
    due: i % 7 === 0 ? null : '2026-02-01',
    note: `note ${i}`,
    amount: i / 4,
  };
}

async function stored(): Promise<Row[]> {
  return await session.query('SELECT id::VARCHAR AS id, amount, status, note, paid, created_at::VARCHAR AS created_at, due::VARCHAR AS due FROM bulk.orders ORDER BY id');
}

describe('appending data chunks straight into a DuckDB table', () => {
  it('matches the columns by name, given in another order than the table has them, across several chunks', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => row(i));
    // The direct path runs no statement: a fall-back to the landing table would (CREATE TEMP TABLE, INSERT).
    const execute = vi.spyOn(session, 'execute');
    try {
      await session.appendRows(TABLE, columns, rows);
      expect(execute).not.toHaveBeenCalled();
    } finally {
      execute.mockRestore();
    }
    const back = await stored();
    expect(back).toHaveLength(5000);
    const byId = new Map(back.map((stored) => [stored.id, stored]));
    for (const i of [0, 1, 4, 7, 13, 2047, 2048, 2049, 4999]) {
      const expected = row(i);
      expect(byId.get(String(expected.id))).toEqual({
        id: String(expected.id),
        amount: i / 4,
        status: expected.status,
        note: `note ${i}`,
        paid: i % 3 === 0,
        created_at: expected.created_at,
        due: expected.due,
      });
    }
  });

  it('reads timestamp text into the instants that DuckDB CAST reads from it, and leaves other shapes to CAST', async () => {
    await session.execute('CREATE OR REPLACE TABLE bulk.instants (n BIGINT, happened TIMESTAMP, text VARCHAR)');
    const samples = [
      '1970-01-01 00:00:00',
      '1969-12-31 23:59:59.999999',
      '2024-02-29 12:00:00.5',
      '2000-02-29T01:02:03.000001',
      '1900-03-01 00:00:00',
      '0001-01-01 00:00:00',
      '9999-12-31 23:59:59.999999',
      '2262-04-11 23:47:16.854775',
      '2026-11-21 10:00:00.123',
      null,
    ];
    for (const shapes of [samples, [...samples, '2026-11-21 10:00']]) {
      await session.execute('DELETE FROM bulk.instants');
      const rows = shapes.map((text, n) => ({ n, happened: text, text }));
      await session.appendRows({ schema: 'bulk', name: 'instants' }, [
        { name: 'n', type: 'BIGINT', nullable: false },
        { name: 'happened', type: 'TIMESTAMP', nullable: true },
        { name: 'text', type: 'VARCHAR', nullable: true },
      ], rows);
      const differing = await session.query('SELECT n, happened::VARCHAR AS happened, text FROM bulk.instants WHERE happened IS DISTINCT FROM CAST(text AS TIMESTAMP) ORDER BY n');
      expect(differing).toEqual([]);
      expect(Number((await session.query('SELECT count(*) AS n FROM bulk.instants'))[0]!.n)).toBe(shapes.length);
    }
  });

  it('a bad timestamp in a later chunk leaves the table untouched, in a transaction and outside one', async () => {
    await session.appendRows(TABLE, columns, [row(1)]);
    const rows = Array.from({ length: 4500 }, (_, i) => row(100 + i));
    rows[3000]!.created_at = 'not a time';
    await expect(session.appendRows(TABLE, columns, rows)).rejects.toThrow(/not a time/);
    await expect(session.transaction(() => session.appendRows(TABLE, columns, rows))).rejects.toThrow(/not a time/);
    expect((await stored()).map((stored) => stored.id)).toEqual(['1']);
  });

  it('refuses a column the table does not have, naming it and the table, and appends nothing', async () => {
    const extra: ColumnInfo[] = [...columns, { name: 'coupon', type: 'VARCHAR', nullable: true }];
    const rows = [{ ...row(1), coupon: 'X' }];
    const error = await session.appendRows(TABLE, extra, rows).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(WeirError);
    expect((error as WeirError).code).toBe('SQL_EXECUTION');
    expect((error as WeirError).message).toMatch(/"bulk"\."orders" has no column "coupon" \(its columns: id, amount, status, note, paid, created_at, due\)/);
    expect(await stored()).toEqual([]);
  });
});
