/**
 * Runs that do not end normally: a `weir run` killed with SIGKILL halfway (the next command
 * records it as crashed and every view still shows a complete version) and a run stopped with
 * Ctrl-C (recorded as cancelled, the step in flight publishes nothing).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ORDERS_ROWS, gatedAssetTs, ordersCsv, shopFiles } from './shop-fixture.js';
import { countRows, createWeirProject, latestRun, show, stepsByAsset, type LsAssetJson, type RunDetailJson, type RunJson, type WeirTestProject } from './weir-test-project.js';

let project: WeirTestProject | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

const GATE_LOG = 'slow_orders: waiting at the gate';

async function slowOrderCount(project: WeirTestProject): Promise<number> {
  return Number((await project.query<{ order_count: number }>('select order_count from slow_orders'))[0]?.order_count);
}

describe('kill -9 of weir run halfway', () => {
  it('is recorded as crashed by the next command; views keep complete versions; the next run succeeds', async () => {
    project = await createWeirProject({ ...shopFiles(), 'models/slow_orders.ts': gatedAssetTs() });
    const first = await project.weir(['run']);
    expect(first.code, show(first)).toBe(0);
    expect(await slowOrderCount(project)).toBe(4);

    // New data, and a run that stops inside slow_orders until the gate file appears (it never does).
    project.write({ 'data/orders.csv': ordersCsv([...ORDERS_ROWS, '5,12,3.00,placed']) });
    const running = project.spawnWeir(['run'], { env: { WEIR_E2E_GATE: join(project.root, 'gate-never-opened') } });
    await running.waitForOutput(GATE_LOG);
    running.kill('SIGKILL');
    const killed = await running.exited;
    expect(killed.signal).toBe('SIGKILL');

    const runs = await project.weirJson<RunJson[]>(['runs', '--json']);
    expect(runs[0]).toMatchObject({ pid: running.pid, status: 'crashed' });
    expect(runs[0]?.detail).toContain(`process ${running.pid}`);
    const crashed = await project.weirJson<RunDetailJson>(['runs', 'show', runs[0]!.runId, '--json']);
    expect(stepsByAsset(crashed.steps).get('slow_orders')).toMatchObject({ status: 'failed', error: expect.objectContaining({ code: 'RUN_CRASHED' }) });
    expect(crashed.steps.filter((step) => step.status === 'running')).toEqual([]);

    // Every published view answers with a whole version: the row count of the version it names.
    const ls = await project.weirJson<{ assets: LsAssetJson[] }>(['ls', '--json']);
    const counts = await countRows(project, ls.assets.map((asset) => asset.name));
    for (const asset of ls.assets) {
      expect(asset.version, asset.name).not.toBeNull();
      expect(counts.get(asset.name), asset.name).toBe(asset.rows);
    }
    // The asset whose build was killed still serves the earlier complete version.
    expect(await slowOrderCount(project)).toBe(4);

    const again = await project.weir(['run']);
    expect(again.code, show(again)).toBe(0);
    expect(await slowOrderCount(project)).toBe(5);
    expect(Number((await project.query<{ n: number }>('select count(*) as n from orders'))[0]?.n)).toBe(5);
    expect((await latestRun(project)).status).toBe('succeeded');
  });
});

describe('Ctrl-C during weir run', () => {
  it('records the run as cancelled, publishes nothing for the step in flight and exits nonzero', async () => {
    project = await createWeirProject({ ...shopFiles(), 'models/slow_orders.ts': gatedAssetTs() });
    const running = project.spawnWeir(['run'], { env: { WEIR_E2E_GATE: join(project.root, 'gate-never-opened') } });
    await running.waitForOutput(GATE_LOG);
    running.kill('SIGINT');
    const result = await running.exited;
    expect(result.code, show(result)).not.toBe(0);
    expect(result.signal).toBeNull();
    expect(result.stdout).toContain('cancelling');
    expect(result.stdout).toMatch(/slow_orders +cancelled, nothing published/);
    expect(result.stdout).toMatch(/Run r-\S+ cancelled/);

    const run = await latestRun(project);
    expect(run).toMatchObject({ pid: running.pid, status: 'cancelled' });
    const detail = await project.weirJson<RunDetailJson>(['runs', 'show', run.runId, '--json']);
    expect(stepsByAsset(detail.steps).get('slow_orders')?.status).toBe('cancelled');

    const ls = await project.weirJson<{ assets: LsAssetJson[] }>(['ls', '--json']);
    expect(ls.assets.find((asset) => asset.name === 'slow_orders')?.version).toBeNull();
    expect((await project.weir(['query', 'select * from slow_orders'])).code).not.toBe(0);
    // Steps that had finished before the interrupt are published and readable.
    expect(Number((await project.query<{ n: number }>('select count(*) as n from orders'))[0]?.n)).toBe(4);
  });
});
