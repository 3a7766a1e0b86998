import { describe, expect, it } from 'vitest';
import { openDuckDBAdapter, openPostgresAdapter, type EngineAdapter } from '@weir/core';
import { describeWithService, postgresService, testPostgresUrl } from '../../../core/src/testing/services.js';
import { jsonSafeValue } from './json-safe-value.js';

describe('jsonSafeValue', () => {
  it('keeps whole numbers exact: a number while exact, else the digits', () => {
    expect(jsonSafeValue(42n)).toBe(42);
    expect(jsonSafeValue(-(2n ** 53n) + 1n)).toBe(-(2 ** 53) + 1);
    expect(jsonSafeValue(2n ** 53n)).toBe('9007199254740992');
    expect(jsonSafeValue(-(2n ** 63n))).toBe('-9223372036854775808');
  });

  it('writes dates as ISO strings, bytes as hex, and what JSON cannot hold as text', () => {
    expect(jsonSafeValue(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)))).toBe('2024-01-02T03:04:05.000Z');
    expect(jsonSafeValue(new Date(Number.NaN))).toBe('Invalid Date');
    expect(jsonSafeValue(new Uint8Array([0, 255, 16]))).toBe('\\x00ff10');
    expect(jsonSafeValue(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(jsonSafeValue(Number.NaN)).toBe('NaN');
    expect(jsonSafeValue(undefined)).toBeNull();
  });

  it('goes into lists and structs', () => {
    expect(jsonSafeValue([1n, { at: new Date(0), big: 2n ** 60n, name: 'x', none: null }])).toEqual([1, { at: '1970-01-01T00:00:00.000Z', big: '1152921504606846976', name: 'x', none: null }]);
  });
});

/**
 * The values a preview once showed differently per engine (or failed on): a TIME, an INTERVAL, a
 * REAL and infinite timestamps, read by the engine as the preview route reads them.
 */
const AWKWARD_SQL = `SELECT CAST('03:04:05' AS TIME) AS t, CAST('1 day 02:03:04' AS INTERVAL) AS span, CAST(0.1 AS REAL) AS r,
  CAST('infinity' AS TIMESTAMP) AS ts, CAST('-infinity' AS TIMESTAMPTZ) AS tstz, CAST('infinity' AS DATE) AS day`;
const AWKWARD_JSON = { t: '03:04:05', span: '1 day 02:03:04', r: 0.1, ts: 'infinity', tstz: '-infinity', day: 'infinity' };

async function previewJson(engine: EngineAdapter): Promise<unknown> {
  const session = await engine.session();
  try {
    const [row] = await session.query(AWKWARD_SQL);
    return JSON.parse(JSON.stringify(jsonSafeValue(row)));
  } finally {
    await session.close();
    await engine.close();
  }
}

describe('jsonSafeValue of engine rows', () => {
  it('gives DuckDB times, intervals, reals and infinities as a person reads them', async () => {
    expect(await previewJson(await openDuckDBAdapter({ path: ':memory:' }))).toEqual(AWKWARD_JSON);
  });
});

await describeWithService(postgresService, 'jsonSafeValue of PostgreSQL rows', () => {
  it('gives PostgreSQL the same values as DuckDB', async () => {
    expect(await previewJson(await openPostgresAdapter({ url: testPostgresUrl() }))).toEqual(AWKWARD_JSON);
  });
});
