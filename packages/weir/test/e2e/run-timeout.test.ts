/**
 * A run's time limit (`weir run --timeout`, weir.yaml `defaults.run_timeout`): a run still going
 * when it passes is stopped like a cancel (the step in flight publishes nothing, the earlier
 * version stays live) but recorded as failed with the reason; bad durations are usage and config
 * errors.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ORDERS_ROWS, gatedAssetTs, ordersCsv, shopFiles } from './shop-fixture.js';
import { createWeirProject, latestRun, show, stepsByAsset, type RunDetailJson, type WeirTestProject } from './weir-test-project.js';

let project: WeirTestProject | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

async function slowOrderCount(project: WeirTestProject): Promise<number> {
  return Number((await project.query<{ order_count: number }>('select order_count from slow_orders'))[0]?.order_count);
}

/** A built shop whose slow_orders will wait at a gate that never opens in the next run. */
async function builtShopWithClosedGate(weirYaml = 'name: e2e_shop\n'): Promise<{ project: WeirTestProject; env: Record<string, string> }> {
  const created = await createWeirProject({ ...shopFiles(), 'models/slow_orders.ts': gatedAssetTs() });
  project = created;
  const first = await created.weir(['run']);
  expect(first.code, show(first)).toBe(0);
  created.write({ 'weir.yaml': weirYaml, 'data/orders.csv': ordersCsv([...ORDERS_ROWS, '5,12,3.00,placed']) });
  return { project: created, env: { WEIR_E2E_GATE: join(created.root, 'gate-never-opened') } };
}

describe('a run time limit', () => {
  it('stops a run past --timeout, records it failed with the reason, and keeps the earlier version live', async () => {
    const { project, env } = await builtShopWithClosedGate();
    const result = await project.weir(['run', '--timeout', '2s'], { env });
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toMatch(/Run r-\S+ failed/);
    expect(result.stdout).toContain('the run timed out after 2s');

    const run = await latestRun(project);
    expect(run.status).toBe('failed');
    expect(run.detail).toContain('timed out after 2s');
    const detail = await project.weirJson<RunDetailJson>(['runs', 'show', run.runId, '--json']);
    const steps = stepsByAsset(detail.steps);
    expect(steps.get('slow_orders')?.status).toBe('cancelled');
    // Steps that finished before the limit are published; the stopped one still serves its last complete version.
    expect(steps.get('orders')?.status).toBe('succeeded');
    expect(Number((await project.query<{ n: number }>('select count(*) as n from orders'))[0]?.n)).toBe(5);
    expect(await slowOrderCount(project)).toBe(4);
  });

  it('takes the limit from weir.yaml defaults.run_timeout', async () => {
    const { project, env } = await builtShopWithClosedGate('name: e2e_shop\ndefaults:\n  run_timeout: 1s\n');
    const result = await project.weir(['run'], { env });
    expect(result.code, show(result)).toBe(1);
    expect((await latestRun(project)).detail).toContain('timed out after 1s');
  });

  it('refuses a --timeout that is no duration, and a run_timeout that is none, naming weir.yaml', async () => {
    project = await createWeirProject(shopFiles());
    const badOption = await project.weir(['run', '--timeout', 'soon']);
    expect(badOption.code, show(badOption)).toBe(2);
    expect(badOption.stderr).toContain('--timeout must be a duration such as 90s, 30m or 2h, not "soon"');

    project.write({ 'weir.yaml': 'name: e2e_shop\ndefaults:\n  run_timeout: soon\n' });
    const badConfig = await project.weir(['run']);
    expect(badConfig.code, show(badConfig)).toBe(2);
    expect(badConfig.stderr).toContain('weir.yaml');
    expect(badConfig.stderr).toContain('expected a duration such as 90s, 30m, 6h or 2d, not "soon"');
  });
});
