/**
 * What a second run does (nothing, and says so), what an edit rebuilds (the edited model and its
 * downstream only), and rollback / unpin as a user drives them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ORDERS_ROWS, SHOP_ASSETS, ordersCsv, revenueSql, createBuiltShop } from './shop-fixture.js';
import { show, stepsByAsset, type RunDetailJson, type WeirTestProject } from './weir-test-project.js';

let project: WeirTestProject | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

interface ShowJson {
  version: string | null;
  pinned: boolean;
  versions: Array<{ version: string; status: string; rows: number }>;
}

describe('weir run twice and after an edit', () => {
  it('rebuilds nothing on a second run and says so; an edit rebuilds the model and its downstream only', async () => {
    project = await createBuiltShop();

    const second = await project.weir(['run']);
    expect(second.code, show(second)).toBe(0);
    expect(second.stdout).toMatch(/nothing was rebuilt/);
    expect(second.stdout).toMatch(/published 0 · unchanged 6/);
    for (const asset of SHOP_ASSETS) expect(second.stdout).toContain(`= ${asset}  unchanged`);

    const third = await project.weirJson<RunDetailJson>(['run', '--json']);
    expect(third.status).toBe('succeeded');
    expect(third.steps.map((step) => step.asset).sort()).toEqual([...SHOP_ASSETS].sort());
    for (const step of third.steps) {
      expect(step, step.asset).toMatchObject({ status: 'skipped', skipReason: 'unchanged' });
    }

    project.write({ 'models/revenue.sql': revenueSql(', max(amount) as largest_order') });
    const edited = await project.weirJson<RunDetailJson>(['run', '--json']);
    expect(edited.status).toBe('succeeded');
    const steps = stepsByAsset(edited.steps);
    expect(steps.get('revenue')?.status).toBe('succeeded');
    expect(steps.get('big_customers')?.status).toBe('succeeded');
    for (const asset of ['raw_orders', 'orders', 'status_counts', 'calendar']) {
      expect(steps.get(asset), asset).toMatchObject({ status: 'skipped', skipReason: 'unchanged' });
    }
    // The edit is live: the new column is readable through the published view.
    const rows = await project.query<{ customer_id: number; largest_order: number }>('select customer_id, largest_order from revenue order by customer_id');
    expect(rows.map((row) => [Number(row.customer_id), Number(row.largest_order)])).toEqual([
      [10, 5.5],
      [11, 20],
    ]);
  });
});

describe('weir rollback and weir unpin', () => {
  it('keeps versions, rolls a mart back to the previous count, pins it, and unpin releases it', async () => {
    project = await createBuiltShop();
    const countRevenue = async (): Promise<number> => Number((await project!.query<{ n: number }>('select count(*) as n from revenue'))[0]?.n);
    expect(await countRevenue()).toBe(2);

    // A third customer arrives: raw_orders and everything downstream get new versions.
    project.write({ 'data/orders.csv': ordersCsv([...ORDERS_ROWS, '5,12,3.00,placed']) });
    const changed = await project.weir(['run']);
    expect(changed.code, show(changed)).toBe(0);
    expect(await countRevenue()).toBe(3);

    const before = await project.weirJson<ShowJson>(['show', 'revenue', '--json']);
    expect(before.versions.length).toBeGreaterThanOrEqual(2);
    const [newest, previous] = before.versions;
    expect(before.version).toBe(newest?.version);
    expect(before.pinned).toBe(false);

    const rollback = await project.weir(['rollback', 'revenue']);
    expect(rollback.code, show(rollback)).toBe(0);
    expect(rollback.stdout).toContain(`${newest?.version} -> ${previous?.version}`);
    expect(rollback.stdout).toContain('weir unpin revenue');
    expect(await countRevenue()).toBe(2);
    const rolledBack = await project.weirJson<ShowJson>(['show', 'revenue', '--json']);
    expect(rolledBack).toMatchObject({ version: previous?.version, pinned: true });

    // A run leaves the pinned mart alone.
    const pinnedRun = await project.weirJson<RunDetailJson>(['run', '--json']);
    expect(stepsByAsset(pinnedRun.steps).get('revenue')).toMatchObject({ status: 'skipped', skipReason: 'pinned' });
    expect(await countRevenue()).toBe(2);

    const unpin = await project.weir(['unpin', 'revenue']);
    expect(unpin.code, show(unpin)).toBe(0);
    expect(unpin.stdout).toContain('no longer pinned');
    const released = await project.weirJson<RunDetailJson>(['run', '--json']);
    expect(stepsByAsset(released.steps).get('revenue')?.status).toBe('succeeded');
    expect(await countRevenue()).toBe(3);
    expect(await project.weirJson<ShowJson>(['show', 'revenue', '--json'])).toMatchObject({ version: newest?.version, pinned: false });
  });
});
