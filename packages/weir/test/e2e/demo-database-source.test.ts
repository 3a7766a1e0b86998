/**
 * The demo's database source: without SHOP_DB_URL its table is left out and the run says so; with
 * it, `weir init --seed-database` fills the PostgreSQL table, the run loads it, and a change at the
 * source is picked up incrementally and shown by `weir show`.
 */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../../../core/src/testing/services.js';
import { createTempDir, runWeirIn, show } from './weir-test-project.js';

let database: TestDatabase;
const temp = createTempDir();

await describeWithService(postgresService, 'the demo database source', () => {
  beforeAll(async () => {
    database = await createTestDatabase('weir_demo_db');
  });
  afterAll(async () => {
    temp.remove();
    await database?.drop();
  });

  it('is left out, with a message, while SHOP_DB_URL is not set', async () => {
    const init = await runWeirIn(temp.dir, ['init', 'plain', '--size', 'small']);
    expect(init.code, show(init)).toBe(0);
    const run = await runWeirIn(join(temp.dir, 'plain'), ['run', '--select', 'raw_customers'], { SHOP_DB_URL: '' });
    expect(run.code, show(run)).toBe(0);
    expect(run.stdout).toContain('left out: raw_refunds (sources/shop_db.yaml requires SHOP_DB_URL, which is not set)');
    expect((await runWeirIn(join(temp.dir, 'plain'), ['show', 'raw_refunds'], { SHOP_DB_URL: '' })).code).toBe(2);
  });

  it('loads the refunds from PostgreSQL, then only what changed', async () => {
    const env = { SHOP_DB_URL: database.url };
    const init = await runWeirIn(temp.dir, ['init', 'withdb', '--size', 'small', '--seed-database'], env);
    expect(init.code, show(init)).toBe(0);
    expect(init.stdout).toContain('filled weir_demo.refunds with 100 refunds');
    const dir = join(temp.dir, 'withdb');
    const first = await runWeirIn(dir, ['run', '--select', 'raw_refunds'], env);
    expect(first.code, show(first)).toBe(0);
    expect(first.stdout).toMatch(/raw_refunds: read 100 row\(s\) from the postgres source/);

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query("UPDATE weir_demo.refunds SET amount = 999.99, updated_at = '2027-01-01 00:00:00' WHERE refund_id = 7");
    } finally {
      await client.end();
    }
    const second = await runWeirIn(dir, ['run', '--select', 'raw_refunds'], env);
    expect(second.code, show(second)).toBe(0);
    // Past the mark minus the hour of lookback: only refund 100 (at the mark) and the changed refund 7.
    expect(second.stdout).toMatch(/raw_refunds: read 2 row\(s\) from the postgres source past the mark/);
    const rows = await runWeirIn(dir, ['query', 'select count(*) as n, max(amount) as top from raw_refunds', '--format', 'json'], env);
    expect(JSON.parse(rows.stdout)).toEqual([{ n: 100, top: 999.99 }]);
    const shown = await runWeirIn(dir, ['show', 'raw_refunds'], env);
    expect(shown.stdout).toMatch(/high-water mark 2027-01-01 00:00:00/);
  });
});
