/**
 * Failures inside a run: TypeScript assets that throw or never return, and CSV files that cannot
 * be read. Each fails its own step (exit 1), points at the user's file and line, publishes nothing
 * for that asset, and leaves weir itself and the other assets unharmed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ORDERS_HEADER, ORDERS_ROWS, ordersCsv, shopFiles, createBuiltShop } from './shop-fixture.js';
import { createWeirProject, latestRun, show, stepsByAsset, type LsAssetJson, type RunDetailJson, type WeirTestProject } from './weir-test-project.js';

let project: WeirTestProject | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

async function liveVersions(project: WeirTestProject): Promise<Map<string, string | null>> {
  const ls = await project.weirJson<{ assets: LsAssetJson[] }>(['ls', '--json']);
  return new Map(ls.assets.map((asset) => [asset.name, asset.version]));
}

async function lastRunDetail(project: WeirTestProject): Promise<RunDetailJson> {
  return project.weirJson<RunDetailJson>(['runs', 'show', (await latestRun(project)).runId, '--json']);
}

// The throw is on line 9 of this file; the test asserts that line, so keep the layout.
const THROWING_ASSET = `import { defineAsset } from 'weir';

export const exploding = defineAsset({
  inputs: ['orders'],
  columns: { order_id: 'BIGINT' },
  async run(ctx) {
    let seen = 0;
    for await (const batch of ctx.read('orders')) seen += batch.length;
    if (seen > 0) throw new Error(\`cannot score \${seen} orders: model file missing\`);
    return [];
  },
});
`;

describe('TypeScript assets that misbehave', () => {
  it('a throw fails the step at the user file and line; weir does not crash and the rest publishes', async () => {
    project = await createWeirProject({ ...shopFiles(), 'models/exploding.ts': THROWING_ASSET });
    const result = await project.weir(['run']);
    expect(result.code, show(result)).toBe(1);
    expect(result.stderr).not.toMatch(/internal error/i);
    expect(result.stdout).toMatch(/exploding +failed: models\/exploding\.ts:9(:\d+)?: exploding threw Error: cannot score 4 orders: model file missing/);

    const step = stepsByAsset((await lastRunDetail(project)).steps).get('exploding');
    expect(step?.status).toBe('failed');
    expect(step?.error).toMatchObject({ code: 'USER_CODE_FAILED', file: 'models/exploding.ts', line: 9 });

    const live = await liveVersions(project);
    expect(live.get('exploding')).toBeNull();
    for (const asset of ['raw_orders', 'orders', 'revenue', 'status_counts', 'calendar', 'big_customers']) {
      expect(live.get(asset), asset).not.toBeNull();
    }
    expect(await project.query('select customer_id from big_customers')).toHaveLength(1);
  });

  it('an asset that never returns, or busy-loops, is stopped at timeoutSeconds and publishes nothing', async () => {
    project = await createWeirProject({
      ...shopFiles(),
      'models/never_returns.ts': `import { defineAsset } from 'weir';

export const never_returns = defineAsset({
  columns: { a: 'BIGINT' },
  timeoutSeconds: 2,
  async run() {
    await new Promise(() => {});
    return [{ a: 1 }];
  },
});
`,
      'models/busy_loop.ts': `import { defineAsset } from 'weir';

export const busy_loop = defineAsset({
  columns: { a: 'BIGINT' },
  timeoutSeconds: 2,
  async run() {
    let spins = 0;
    for (;;) spins += 1;
    return [{ a: spins }];
  },
});
`,
    });
    const result = await project.weir(['run']);
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toMatch(/never_returns +failed: .*did not finish within 2 s/);
    expect(result.stdout).toMatch(/busy_loop +failed: .*did not finish within 2 s/);

    const steps = stepsByAsset((await lastRunDetail(project)).steps);
    for (const asset of ['never_returns', 'busy_loop']) {
      expect(steps.get(asset), asset).toMatchObject({ status: 'failed', error: expect.objectContaining({ code: 'STEP_TIMEOUT' }) });
    }
    const live = await liveVersions(project);
    expect(live.get('never_returns')).toBeNull();
    expect(live.get('busy_loop')).toBeNull();
    expect(live.get('big_customers')).not.toBeNull();
    // The timed-out step left no table behind for a view to point at.
    expect((await project.weir(['query', 'select * from never_returns'])).code).not.toBe(0);
  });
});

describe('CSV files that cannot be read', () => {
  it('ragged rows: names the file and line, publishes nothing new, the previous version stays live', async () => {
    project = await createBuiltShop();
    const before = await liveVersions(project);

    // Line 4 of the file (header = line 1) has three fields instead of four.
    project.write({ 'data/orders.csv': `${[ORDERS_HEADER, ORDERS_ROWS[0], ORDERS_ROWS[1], '3,10,1.00', ORDERS_ROWS[3], '5,12,2.00,placed'].join('\n')}\n` });
    const result = await project.weir(['run']);
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toMatch(/raw_orders +failed: .*data\/orders\.csv:4/);
    expect(result.stdout).toMatch(/Expected Number of Columns: 4 Found: 3/);
    expect(result.stdout).toMatch(/orders: input raw_orders failed/);

    const steps = stepsByAsset((await lastRunDetail(project)).steps);
    expect(steps.get('raw_orders')).toMatchObject({ status: 'failed', error: expect.objectContaining({ code: 'SOURCE_READ_FAILED', line: 4 }) });
    expect(steps.get('raw_orders')?.error?.file).toMatch(/data\/orders\.csv$/);
    expect(await liveVersions(project)).toEqual(before);
    expect(Number((await project.query<{ n: number }>('select count(*) as n from raw_orders'))[0]?.n)).toBe(4);
  });

  it('a value that does not parse as the declared type: names file, line and column', async () => {
    project = await createBuiltShop();
    const before = await liveVersions(project);

    project.write({ 'data/orders.csv': ordersCsv([...ORDERS_ROWS.slice(0, 2), '3,10,one euro,placed', ORDERS_ROWS[3]!]) });
    const result = await project.weir(['run']);
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toMatch(/raw_orders +failed: .*data\/orders\.csv:4/);
    expect(result.stdout).toMatch(/column "amount"/);
    expect(result.stdout).toContain('one euro');

    expect(stepsByAsset((await lastRunDetail(project)).steps).get('raw_orders')).toMatchObject({
      status: 'failed',
      error: expect.objectContaining({ code: 'SOURCE_READ_FAILED', line: 4 }),
    });
    expect(await liveVersions(project)).toEqual(before);
    const amounts = await project.query<{ total: number }>('select sum(amount) as total from raw_orders');
    expect(Number(amounts[0]?.total)).toBe(33.75);
  });

  it('types declared for only some CSV columns (docs/project-format.md example): the rest are detected', async () => {
    project = await createWeirProject({
      ...shopFiles(),
      'sources/files.yaml': `tables:
  - name: raw_orders
    path: data/orders.csv
    options:
      columns:
        order_id: BIGINT
        amount: DECIMAL(12,2)
`,
    });
    const result = await project.weir(['run']);
    expect(result.code, show(result)).toBe(0);
    const columns = (await project.weirJson<{ columns: Array<{ name: string; type: string }> }>(['show', 'raw_orders', '--json'])).columns;
    expect(columns.map((column) => column.name)).toEqual(['order_id', 'customer_id', 'amount', 'status']);
    expect(columns.find((column) => column.name === 'amount')?.type).toBe('DECIMAL(12,2)');
  });
});
