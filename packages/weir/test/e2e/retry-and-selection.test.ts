/**
 * `weir retry` re-runs only what did not finish; `--select` / `--exclude` pick the assets of a run.
 */
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { ORDERS_HEADER, ORDERS_ROWS, ordersCsv, shopFiles, createBuiltShop } from './shop-fixture.js';
import { createWeirProject, latestRun, show, type RunDetailJson, type WeirTestProject } from './weir-test-project.js';

describe('weir retry', () => {
  let project: WeirTestProject | undefined;
  afterEach(async () => {
    await project?.cleanup();
    project = undefined;
  });

  it('after the data is fixed, re-runs only the failed and skipped steps of the run', async () => {
    project = await createWeirProject({
      ...shopFiles(),
      'data/orders.csv': `${[ORDERS_HEADER, ORDERS_ROWS[0], '2,11', ...ORDERS_ROWS.slice(2)].join('\n')}\n`,
    });
    const failed = await project.weir(['run']);
    expect(failed.code, show(failed)).toBe(1);
    const failedRun = await latestRun(project);
    expect(failed.stdout).toContain(`weir retry ${failedRun.runId}`);

    project.write({ 'data/orders.csv': ordersCsv() });
    const retry = await project.weir(['retry', failedRun.runId]);
    expect(retry.code, show(retry)).toBe(0);

    const retryRun = await latestRun(project);
    expect(retryRun).toMatchObject({ command: 'retry', retryOf: failedRun.runId, status: 'succeeded' });
    const detail = await project.weirJson<RunDetailJson>(['runs', 'show', retryRun.runId, '--json']);
    // calendar succeeded the first time and is not part of the retry.
    expect(detail.steps.map((step) => step.asset).sort()).toEqual(['big_customers', 'orders', 'raw_orders', 'revenue', 'status_counts']);
    expect(detail.steps.every((step) => step.status === 'succeeded')).toBe(true);
    expect(Number((await project.query<{ n: number }>('select count(*) as n from orders'))[0]?.n)).toBe(4);

    // A run with nothing left to retry says so.
    const nothing = await project.weir(['retry', retryRun.runId]);
    expect(nothing.code, show(nothing)).toBe(0);
    expect(nothing.stdout).toContain('nothing to retry');
  });

  it('an unknown run id is a usage error', async () => {
    project = await createWeirProject(shopFiles());
    const result = await project.weir(['retry', 'r-19990101-000000-dead']);
    expect(result.code, show(result)).toBe(2);
    expect(result.stderr).toContain('error [RUN_UNKNOWN]');
  });
});

describe('--select and --exclude', () => {
  let project: WeirTestProject;
  beforeAll(async () => {
    project = await createBuiltShop();
  });
  afterAll(async () => {
    await project.cleanup();
  });

  const planned = async (...args: string[]): Promise<string[]> => {
    const run = await project.weirJson<RunDetailJson>(['run', '--json', ...args]);
    return run.steps.map((step) => step.asset).sort();
  };

  it('orders+ selects orders and everything downstream', async () => {
    expect(await planned('--select', 'orders+')).toEqual(['big_customers', 'orders', 'revenue', 'status_counts']);
  });

  it('+orders selects orders and everything upstream', async () => {
    expect(await planned('-s', '+orders')).toEqual(['orders', 'raw_orders']);
  });

  it('tag:finance selects by tag; selectors combine with commas and repeat', async () => {
    expect(await planned('-s', 'tag:finance')).toEqual(['revenue']);
    expect(await planned('-s', 'tag:finance,calendar', '-s', 'tag:raw')).toEqual(['calendar', 'raw_orders', 'revenue']);
  });

  it('--exclude leaves assets out of a selection', async () => {
    expect(await planned('-s', 'orders+', '--exclude', 'big_customers')).toEqual(['orders', 'revenue', 'status_counts']);
    expect(await planned('-x', 'kind:typescript', '-x', 'tag:core')).toEqual(['calendar', 'raw_orders', 'revenue']);
  });

  it('an unknown asset in a selector is a usage error with a suggestion', async () => {
    const result = await project.weir(['run', '-s', 'ordrs+']);
    expect(result.code, show(result)).toBe(2);
    expect(result.stderr).toContain('did you mean "orders"?');
  });
});
