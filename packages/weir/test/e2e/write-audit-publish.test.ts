/**
 * Write, audit, publish as a user sees it: a failing `error` check holds the new version back and
 * the old one stays live and readable; a failing `warn` check is recorded and the version publishes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ORDERS_ROWS, ordersCsv, createBuiltShop } from './shop-fixture.js';
import { latestRun, show, stepsByAsset, summarySection, type LsAssetJson, type RunDetailJson, type WeirTestProject } from './weir-test-project.js';

let project: WeirTestProject | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

async function liveVersions(project: WeirTestProject): Promise<Map<string, string | null>> {
  const ls = await project.weirJson<{ assets: LsAssetJson[] }>(['ls', '--json']);
  return new Map(ls.assets.map((asset) => [asset.name, asset.version]));
}

describe('a failing error check', () => {
  it('keeps the previous version live, skips downstream with a reason, exits 1 and names the check', async () => {
    project = await createBuiltShop();
    const before = await liveVersions(project);

    // Order 2 twice: `unique: order_id` on orders fails.
    project.write({ 'data/orders.csv': ordersCsv([...ORDERS_ROWS, '2,12,9.00,placed']) });
    const result = await project.weir(['run']);
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toMatch(/orders +held back/);
    const heldBack = summarySection(result.stdout, 'Held back');
    expect(heldBack).toContain(`orders: version ${before.get('orders')} stays live`);
    expect(heldBack).toMatch(/unique_order_id — .*duplicated order_id/);
    expect(summarySection(result.stdout, 'Skipped')).toMatch(/revenue: input orders was held back by a failing check/);

    // The old data is still what readers get.
    const orders = await project.query<{ n: number }>('select count(*) as n from orders');
    expect(Number(orders[0]?.n)).toBe(4);
    const revenue = await project.query<{ customer_id: number; revenue: number }>('select customer_id, revenue from revenue order by customer_id');
    expect(revenue.map((row) => [Number(row.customer_id), Number(row.revenue)])).toEqual([
      [10, 6.5],
      [11, 27.25],
    ]);

    const after = await liveVersions(project);
    for (const asset of ['orders', 'revenue', 'status_counts', 'big_customers', 'calendar']) {
      expect(after.get(asset), asset).toBe(before.get(asset));
    }
    // The raw table has no blocking check: its new version (5 rows) is published.
    expect(after.get('raw_orders')).not.toBe(before.get('raw_orders'));
    expect(Number((await project.query<{ n: number }>('select count(*) as n from raw_orders'))[0]?.n)).toBe(5);

    const run = await project.weirJson<RunDetailJson>(['runs', 'show', (await latestRun(project)).runId, '--json']);
    expect(run.status).toBe('failed');
    const steps = stepsByAsset(run.steps);
    expect(steps.get('orders')?.status).toBe('blocked');
    for (const asset of ['revenue', 'status_counts']) {
      expect(steps.get(asset), asset).toMatchObject({ status: 'skipped', skipReason: 'upstream_blocked' });
    }
    expect(steps.get('big_customers')).toMatchObject({ status: 'skipped', skipReason: 'upstream_failed' });
    expect(run.checks.filter((check) => !check.passed)).toEqual([expect.objectContaining({ asset: 'orders', check: 'unique_order_id', severity: 'error' })]);

    // The blocked version is kept for inspection, but marked as such.
    const versions = (await project.weirJson<{ versions: Array<{ status: string }> }>(['show', 'orders', '--json'])).versions;
    expect(versions.map((version) => version.status)).toContain('blocked');
  });
});

describe('a failing warn check', () => {
  it('is recorded and shown, and the new version publishes', async () => {
    project = await createBuiltShop();

    // An implausible amount: `amount_plausible` (severity warn) fails.
    project.write({ 'data/orders.csv': ordersCsv([...ORDERS_ROWS, '5,12,5000.00,placed']) });
    const result = await project.weir(['run']);
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toMatch(/orders +check amount_plausible warning/);
    expect(summarySection(result.stdout, 'Warnings')).toMatch(/orders: amount_plausible — /);
    expect(result.stdout).toMatch(/warnings 1/);

    expect(Number((await project.query<{ n: number }>('select count(*) as n from orders'))[0]?.n)).toBe(5);
    expect(Number((await project.query<{ n: number }>('select count(*) as n from big_customers where customer_id = 12'))[0]?.n)).toBe(1);

    const run = await project.weirJson<RunDetailJson>(['runs', 'show', (await latestRun(project)).runId, '--json']);
    expect(run.status).toBe('succeeded');
    expect(stepsByAsset(run.steps).get('orders')?.status).toBe('succeeded');
    expect(run.checks.filter((check) => !check.passed)).toEqual([expect.objectContaining({ asset: 'orders', check: 'amount_plausible', severity: 'warn' })]);

    // `weir show` reports the warning on the live version.
    const detail = await project.weirJson<{ checks: Array<{ check: string; passed: boolean }> }>(['show', 'orders', '--json']);
    expect(detail.checks).toContainEqual(expect.objectContaining({ check: 'amount_plausible', passed: false }));
  });
});
