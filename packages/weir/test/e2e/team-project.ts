/**
 * The demo project in team mode for end-to-end tests: `weir init` in a temporary folder, then its
 * weir.yaml pointed at a PostgreSQL warehouse and state store; and what a worker's output says.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { expect } from 'vitest';
import { createWeirProject, show, type BackgroundWeir, type WeirTestProject } from './weir-test-project.js';

/** A demo project in team mode; run its commands with `{ cwd: shop }`. */
export interface TeamDemo {
  project: WeirTestProject;
  /** The demo project's folder. */
  shop: string;
}

/**
 * Writes the small demo and points its warehouse and state at the given databases.
 *
 * @example
 * ```ts
 * const { project, shop } = await createTeamDemo({ warehouseUrl: warehouse.url, stateUrl: state.url });
 * ```
 */
export async function createTeamDemo(urls: { warehouseUrl: string; stateUrl: string }): Promise<TeamDemo> {
  const project = await createWeirProject({ '.keep': '' });
  const init = await project.weir(['init', 'shop', '--size', 'small']);
  expect(init.code, show(init)).toBe(0);
  const shop = join(project.root, 'shop');
  const yaml = readFileSync(join(shop, 'weir.yaml'), 'utf8')
    .replace(/warehouse:\n {2}engine: duckdb\n {2}path: .*\n/, `warehouse:\n  engine: postgres\n  url: ${urls.warehouseUrl}\n`)
    .replace(/state:\n {2}store: sqlite\n {2}path: .*\n/, `state:\n  store: postgres\n  url: ${urls.stateUrl}\n`);
  expect(yaml).toContain('engine: postgres');
  expect(yaml).toContain('store: postgres');
  writeFileSync(join(shop, 'weir.yaml'), yaml);
  return { project, shop };
}

/** Partition jobs a worker has finished so far (built, or found already published). */
export function completedJobs(worker: BackgroundWeir): number {
  return (worker.stdout().match(/ done( \(already published\))? in /g) ?? []).length;
}

/**
 * Asserts the demo's daily mart holds each day of the range exactly once: one row per day and
 * channel, nearly every day present, and the days' order counts equal the staged orders'.
 *
 * @example
 * ```ts
 * await expectEachDayOnce(warehouse.url, '2025-10-03', '2025-12-31', 90);
 * ```
 */
export async function expectEachDayOnce(warehouseUrl: string, from: string, to: string, days: number): Promise<void> {
  const client = new pg.Client({ connectionString: warehouseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ rows: string; keys: string; days: string; orders: string }>(
      `select count(*) as rows, count(distinct (order_date, channel)) as keys, count(distinct order_date) as days, sum(orders) as orders
       from prod.daily_channel_revenue where order_date between $1 and $2`,
      [from, to],
    );
    expect(Number(rows[0]!.rows)).toBe(Number(rows[0]!.keys));
    expect(Number(rows[0]!.days)).toBeGreaterThan(days - 5);
    const { rows: source } = await client.query<{ orders: string }>(
      `select count(distinct o.order_id) as orders from prod.stg_orders o
       where o.order_date between $1 and $2 and o.status in ('placed', 'shipped', 'delivered')
         and exists (select 1 from prod.stg_order_items i where i.order_id = o.order_id)`,
      [from, to],
    );
    expect(Number(rows[0]!.orders)).toBe(Number(source[0]!.orders));
  } finally {
    await client.end();
  }
}
