/**
 * Conformance cases for the JS values of types without one obvious JS form: times, intervals,
 * infinite and far-off dates and timestamps, and 32-bit floats. Every engine hands them over in
 * one shape (text where a `Date` or a number would mislead), so a preview, `weir query` or a
 * TypeScript asset reads the same value whichever warehouse it runs on.
 */
import { expect, it } from 'vitest';
import type { ColumnInfo, Row } from '../engines/engine-adapter.js';
import { query, type ConformanceContext } from './engine-conformance-support.js';

const INTERVALS: Array<[written: string, read: string]> = [
  ['1 day 02:03:04', '1 day 02:03:04'],
  ['1 year 2 months -3 days -04:05:06.5', '1 year 2 months -3 days -04:05:06.5'],
  ['-14 months', '-1 year -2 months'],
  ['36 hours 0.000001 seconds', '36:00:00.000001'],
  ['-3 days 2 hours', '-3 days 02:00:00'],
  ['0 seconds', '00:00:00'],
];

/** Registers the value cases on the current `describe`. */
export function valueCases(context: ConformanceContext): void {
  const one = async (sql: string, params: unknown[] = []): Promise<Row> => {
    const [row] = await query(context.engine, sql, params);
    if (row === undefined) throw new Error(`no row from ${sql}`);
    return row;
  };

  it('returns TIME and TIME WITH TIME ZONE as their text, fractions to the microsecond', async () => {
    expect(
      await one(`SELECT CAST('03:04:05' AS TIME) AS plain, CAST('03:04:05.5' AS TIME) AS half, CAST('23:59:59.123456' AS TIME) AS micros,
                        CAST('00:00:00' AS TIME) AS midnight, CAST('03:04:05+05:30' AS TIME WITH TIME ZONE) AS zoned, CAST(NULL AS TIME) AS missing`),
    ).toEqual({ plain: '03:04:05', half: '03:04:05.5', micros: '23:59:59.123456', midnight: '00:00:00', zoned: '03:04:05+05:30', missing: null });
  });

  it('returns an INTERVAL as DuckDB writes it, which reads back as the same interval', async () => {
    const columns = INTERVALS.map(([written], index) => `CAST('${written}' AS INTERVAL) AS i${index}`).join(', ');
    const row = await one(`SELECT ${columns}`);
    expect(row).toEqual(Object.fromEntries(INTERVALS.map(([, read], index) => [`i${index}`, read])));
    for (const [written, read] of INTERVALS) {
      // Months, days and microseconds stay apart: '1 day' is not '24:00:00' on either engine.
      const same = await one(`SELECT CAST($1 AS INTERVAL) = CAST('${written}' AS INTERVAL) AS same`, [read]);
      expect(same.same, read).toBe(true);
    }
  });

  it('returns infinite dates and timestamps as infinity and -infinity, never failing the query', async () => {
    expect(
      await one(`SELECT CAST('infinity' AS TIMESTAMP) AS ts, CAST('-infinity' AS TIMESTAMP) AS ts_neg, CAST('infinity' AS TIMESTAMPTZ) AS tstz,
                        CAST('-infinity' AS TIMESTAMPTZ) AS tstz_neg, CAST('infinity' AS DATE) AS day, CAST('-infinity' AS DATE) AS day_neg`),
    ).toEqual({ ts: 'infinity', ts_neg: '-infinity', tstz: 'infinity', tstz_neg: '-infinity', day: 'infinity', day_neg: '-infinity' });
  });

  it('returns a date or timestamp a JS Date cannot hold as the engine\'s text, and the others as Dates', async () => {
    expect(
      await one(`SELECT CAST('290000-01-02 03:04:05' AS TIMESTAMP) AS ts, CAST('290000-01-02 03:04:05+00' AS TIMESTAMPTZ) AS tstz,
                        CAST('300000-01-02' AS DATE) AS day, CAST('2024-01-02 03:04:05' AS TIMESTAMP) AS near, CAST('2024-01-02' AS DATE) AS near_day`),
    ).toEqual({
      ts: '290000-01-02 03:04:05',
      tstz: '290000-01-02 03:04:05+00',
      day: '300000-01-02',
      near: new Date('2024-01-02T03:04:05Z'),
      near_day: new Date('2024-01-02T00:00:00Z'),
    });
  });

  it('converts times, intervals and infinities inside lists too', async () => {
    expect(
      await one(`SELECT ARRAY[CAST('03:04:05' AS TIME), NULL] AS times, ARRAY[CAST('1 day' AS INTERVAL), CAST('-00:00:01' AS INTERVAL)] AS spans,
                        ARRAY[CAST('infinity' AS TIMESTAMPTZ), CAST('2024-01-02 00:00:00+00' AS TIMESTAMPTZ)] AS stamps`),
    ).toEqual({ times: ['03:04:05', null], spans: ['1 day', '-00:00:01'], stamps: ['infinity', new Date('2024-01-02T00:00:00Z')] });
  });

  it('returns a REAL as the shortest number that is the same 32-bit float', async () => {
    const row = await one(
      `SELECT CAST(0.1 AS REAL) AS tenth, CAST(16777217 AS REAL) AS rounded, CAST(-2.5 AS REAL) AS exact, CAST('3.4028235e38' AS REAL) AS largest,
              CAST('1.4e-45' AS REAL) AS smallest, CAST(0.1 AS DOUBLE PRECISION) AS wide`,
    );
    expect(row).toEqual({ tenth: 0.1, rounded: 16777216, exact: -2.5, largest: 3.4028235e38, smallest: 1e-45, wide: 0.1 });
  });

  it('bulk-inserts these values back unchanged, as a TypeScript asset passing rows through does', async () => {
    const { engine } = context;
    const ref = { schema: await context.freshSchema('values_back'), name: 'copied' };
    const columns: ColumnInfo[] = [
      { name: 't', type: 'TIME', nullable: true },
      { name: 'span', type: 'INTERVAL', nullable: true },
      { name: 'r', type: 'REAL', nullable: true },
      { name: 'ts', type: 'TIMESTAMP', nullable: true },
      { name: 'day', type: 'DATE', nullable: true },
    ];
    const rows = [{ t: '03:04:05.5', span: '1 year 2 months -3 days -04:05:06.5', r: 0.1, ts: 'infinity', day: '-infinity' }];
    await engine.bulkInsert(ref, columns, rows, { append: false });
    expect(await query(engine, `SELECT * FROM ${engine.quoteRelation(ref)}`)).toEqual(rows);
  });

  it('streams rows with the same values as a query returns', async () => {
    const sql = `SELECT CAST('03:04:05.25' AS TIME) AS t, CAST('2 days 00:00:01' AS INTERVAL) AS i, CAST('infinity' AS TIMESTAMP) AS ts, CAST(0.1 AS REAL) AS r`;
    const session = await context.engine.session();
    try {
      const streamed: Row[] = [];
      for await (const batch of session.streamRows(sql, 10)) streamed.push(...batch);
      expect(streamed).toEqual([{ t: '03:04:05.25', i: '2 days 00:00:01', ts: 'infinity', r: 0.1 }]);
      expect(await session.query(sql)).toEqual(streamed);
    } finally {
      await session.close();
    }
  });
}
