import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDuckDBAdapter, type DuckDBAdapter } from './duckdb-adapter.js';

let engine: DuckDBAdapter;

beforeAll(async () => {
  engine = await openDuckDBAdapter({ path: ':memory:' });
  await engine.createTableAs({ schema: 'main', name: 'src' }, 'SELECT i, md5(i::VARCHAR) AS h FROM range(6000000) r(i)');
});
afterAll(async () => engine.close());

it('reports rows read by the statement running for a signal, and nothing once it is done', async () => {
  const controller = new AbortController();
  expect(engine.statementProgress(controller.signal)).toBeUndefined();
  const readings: number[] = [];
  const poll = setInterval(() => {
    const progress = engine.statementProgress(controller.signal);
    if (progress) readings.push(progress.rowsRead);
  }, 5);
  await engine.createTableAs({ schema: 'main', name: 'grouped' }, 'SELECT h, count(*) AS n, sum(i) AS s FROM src GROUP BY h', undefined, controller.signal);
  clearInterval(poll);
  expect(readings.some((rows) => rows > 0)).toBe(true);
  expect(readings.every((rows, index) => index === 0 || rows >= readings[index - 1]!)).toBe(true);
  expect(engine.statementProgress(controller.signal)).toBeUndefined();
});
