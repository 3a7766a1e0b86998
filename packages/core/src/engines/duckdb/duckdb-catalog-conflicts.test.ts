/**
 * Catalog statements that several connections run at once on one DuckDB warehouse (a backfill's
 * concurrent partition runs, serve's first runs): a new schema created by each, an environment view
 * pointed by each partition of one asset. Every caller succeeds; none gets the "write-write
 * conflict" the losing transaction reports.
 */
import { describe, expect, it } from 'vitest';
import { queryNumber } from '../../testing/project-harness.js';
import { openDuckDBAdapter, type DuckDBAdapter } from './duckdb-adapter.js';

const CALLERS = 6;
const ROUNDS = 20;

async function eachRound(body: (engine: DuckDBAdapter, round: number) => Promise<void>): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    const engine = await openDuckDBAdapter({ path: ':memory:' });
    try {
      await body(engine, round);
    } finally {
      await engine.close();
    }
  }
}

const rejections = (results: PromiseSettledResult<void>[]) => results.filter((result) => result.status === 'rejected');

describe('catalog statements from several DuckDB connections at once', () => {
  it('creates one schema from six connections, every time', async () => {
    await eachRound(async (engine, round) => {
      const results = await Promise.allSettled(Array.from({ length: CALLERS }, () => engine.createSchema('weir_versions')));
      expect(rejections(results), `round ${round}`).toEqual([]);
      expect(await engine.listRelations('weir_versions')).toEqual([]);
    });
  });

  it('points one new view from six connections, every time, and the view reads its target', async () => {
    await eachRound(async (engine, round) => {
      await engine.createSchema('prod');
      await engine.createSchema('weir_versions');
      const target = { schema: 'weir_versions', name: 'daily_v1' };
      await engine.createTableAs(target, 'SELECT 42 AS answer');
      const view = { schema: 'prod', name: 'daily' };
      const results = await Promise.allSettled(Array.from({ length: CALLERS }, () => engine.pointView(view, target)));
      expect(rejections(results), `round ${round}`).toEqual([]);
      expect(await engine.viewDefinitions('prod')).toHaveProperty('size', 1);
      expect(await queryNumber(engine, 'SELECT answer FROM prod.daily')).toBe(42);
    });
  });
});
