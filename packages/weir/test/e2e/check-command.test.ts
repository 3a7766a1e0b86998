/**
 * `weir check`: the checks of the published versions, evaluated without building anything, the
 * way a scheduled audit of production data runs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWeirProject, show, type CheckJson, type RunJson, type WeirTestProject } from './weir-test-project.js';

let project: WeirTestProject;

beforeAll(async () => {
  project = await createWeirProject({
    'weir.yaml': 'name: shop\n',
    'data/orders.csv': 'order_id,amount,status\n1,10,placed\n2,-5,shipped\n3,7,lost\n',
    'sources/shop.yaml': 'tables:\n  - name: orders\n    path: data/orders.csv\n',
    'models/order_totals.sql': '/*---\nmaterialization: table\n---*/\nselect status, sum(amount) as total from orders group by status',
  });
  const built = await project.weir(['run']);
  expect(built.code, show(built)).toBe(0);
});
afterAll(async () => project.cleanup());

async function versions(): Promise<Record<string, string>> {
  const { assets } = await project.weirJson<{ assets: Array<{ name: string; version: string | null }> }>(['ls', '--json']);
  return Object.fromEntries(assets.map((asset) => [asset.name, asset.version ?? '']));
}

describe('weir check', () => {
  test('evaluates checks added since the build on the published version, building nothing', async () => {
    const before = await versions();
    project.write({
      'checks/orders.yaml': 'asset: orders\nchecks:\n  - between: { column: amount, min: 0 }\n  - accepted_values: { column: status, values: [placed, shipped], severity: warn }\n',
    });
    const result = await project.weir(['check', '--json']);
    expect(result.code, show(result)).toBe(1);
    const run = JSON.parse(result.stdout) as RunJson & { steps: Array<{ asset: string; status: string }> };
    expect(run.command).toBe('check');
    expect(run.steps.map((step) => [step.asset, step.status]).sort()).toEqual([
      ['order_totals', 'succeeded'],
      ['orders', 'failed'],
    ]);
    const shown = await project.weirJson<{ checks: CheckJson[] }>(['runs', 'show', run.runId, '--json']);
    const byName = new Map(shown.checks.map((check) => [check.check, check]));
    expect(byName.get('between_amount')).toMatchObject({ passed: false, failingRows: 1 });
    expect(byName.get('accepted_values_status')).toMatchObject({ passed: false, severity: 'warn' });
    // Nothing was built or switched: the same versions are live and the data is readable.
    expect(await versions()).toEqual(before);
    expect((await project.query<{ n: number }>('select count(*) as n from orders'))[0]?.n).toBe(3);
  });

  test('judges how long ago new data arrived (freshness expected_every)', async () => {
    project.write({ 'checks/orders.yaml': 'asset: orders\nchecks:\n  - freshness: { expected_every: 1s, severity: warn }\n' });
    await sleep(1500);
    const result = await project.weir(['check', '-s', 'orders']);
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toMatch(/freshness.*last new data is \d+s old \(expected at most 1s\)/s);
  });

  test('a selection of assets never published is a usage error', async () => {
    project.write({ 'models/later.sql': 'select 1 as x' });
    const result = await project.weir(['check', '-s', 'later']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no selected asset has a published version');
    project.remove('models/later.sql');
  });
});
