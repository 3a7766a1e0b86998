/**
 * `weir test` as a user runs it: unit tests of models on fixture rows, a row diff when one fails,
 * config errors with file:line, and never a touch of the warehouse or the state.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBuiltShop } from './shop-fixture.js';
import { createTempDir, createWeirProject, runWeirIn, show, type WeirTestProject } from './weir-test-project.js';

const projects: WeirTestProject[] = [];
afterAll(async () => {
  await Promise.all(projects.map((project) => project.cleanup()));
});

const FILES: Record<string, string> = {
  'weir.yaml': 'name: tested\n',
  'models/orders.sql': "select 1 as order_id, 10 as customer_id, 5.5 as amount, 'placed' as status\n",
  'models/revenue.sql': `/*---
materialization: table
---*/
select customer_id, sum(amount) as revenue, count(*) as order_count
from orders
where status <> 'cancelled'
group by customer_id
`,
};

/** A test of `revenue` expecting `revenue` for customer 10. */
function revenueTest(revenue: number): string {
  return `tests:
  - name: leaves out cancelled orders
    model: revenue
    given:
      orders:
        - { order_id: 1, customer_id: 10, amount: 5.0, status: placed }
        - { order_id: 2, customer_id: 10, amount: 2.5, status: shipped }
        - { order_id: 3, customer_id: 10, amount: 100.0, status: cancelled }
        - { order_id: 4, customer_id: 11, amount: 1.0, status: placed }
    expect:
      rows:
        - { customer_id: 10, revenue: ${revenue}, order_count: 2 }
        - { customer_id: 11, revenue: 1.0, order_count: 1 }
`;
}

async function project(files: Record<string, string>): Promise<WeirTestProject> {
  const created = await createWeirProject({ ...FILES, ...files });
  projects.push(created);
  return created;
}

function fingerprint(path: string): string {
  return `${statSync(path).mtimeMs}:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
}

describe('weir test', () => {
  it('passes with exit 0 and creates no warehouse', async () => {
    const tested = await project({ 'tests/revenue.yaml': revenueTest(7.5) });
    const result = await tested.weir(['test']);
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toContain('PASS  revenue: leaves out cancelled orders');
    expect(result.stdout).toContain('1 test: 1 passed, 0 failed');
    expect(existsSync(join(tested.root, '.weir', 'warehouse.duckdb'))).toBe(false);
    expect(existsSync(join(tested.root, '.weir', 'state.db'))).toBe(false);

    const json = await tested.weirJson<{ passed: number; failed: number; tests: Array<{ status: string }> }>(['test', '--json']);
    expect(json).toMatchObject({ passed: 1, failed: 0, tests: [{ status: 'passed' }] });
  });

  it('fails with exit 1 and prints the row diff', async () => {
    const tested = await project({ 'tests/revenue.yaml': revenueTest(105) });
    const result = await tested.weir(['test']);
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toContain('FAIL  revenue: leaves out cancelled orders  (tests/revenue.yaml:2)');
    expect(result.stdout).toContain('1 expected row missing, 1 unexpected row (expected 2, produced 2, 1 matched)');
    const diff = result.stdout.split('\n').filter((line) => /^\s+[-+]\s+\d/.test(line)).map((line) => line.trim().split(/\s+/));
    expect(diff).toEqual([
      ['-', '10', '105', '2', 'expected', 'row', '1'],
      ['+', '10', '7.5', '2', 'produced', 'row', '1'],
    ]);
    expect(result.stdout).toContain('1 test: 0 passed, 1 failed');
  });

  it('reports a malformed test file with exit 2 and its file:line', async () => {
    const tested = await project({ 'tests/revenue.yaml': revenueTest(7.5).replace('model: revenue', 'model: revenu') });
    const result = await tested.weir(['test']);
    expect(result.code, show(result)).toBe(2);
    expect(result.stderr).toContain('tests/revenue.yaml:3:12: no model "revenu" in this project');
    expect(result.stderr).toContain('did you mean "revenue"?');

    tested.write({ 'tests/revenue.yaml': 'tests:\n  - name: x\n    model: [revenue\n' });
    const malformed = await tested.weir(['test']);
    expect(malformed.code, show(malformed)).toBe(2);
    expect(malformed.stderr).toMatch(/error \[YAML_MALFORMED\]: tests\/revenue\.yaml:\d+:\d+: malformed YAML/);
  });

  it('selects the tests of the selected models', async () => {
    const tested = await project({ 'tests/revenue.yaml': revenueTest(105) });
    const result = await tested.weir(['test', 'orders']);
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toContain('no model tests for the selected models');
  });

  it('leaves a built warehouse and the state untouched', async () => {
    const shop = await createBuiltShop();
    projects.push(shop);
    shop.write({
      'tests/status_counts.yaml': `tests:
  - name: counts orders per status
    model: status_counts
    given:
      orders: [{ status: placed }, { status: placed }, { status: shipped }]
    expect:
      rows: [{ status: placed, orders: 2 }, { status: shipped, orders: 1 }]
`,
    });
    const warehouse = join(shop.root, '.weir', 'warehouse.duckdb');
    const state = join(shop.root, '.weir', 'state.db');
    const before = [fingerprint(warehouse), fingerprint(state)];
    const result = await shop.weir(['test']);
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toContain('PASS  status_counts: counts orders per status');
    expect([fingerprint(warehouse), fingerprint(state)]).toEqual(before);
  });
});

describe('weir test on the demo', () => {
  const temp = createTempDir();
  afterAll(() => temp.remove());

  it('runs the demo project\'s unit tests, and they pass', async () => {
    const init = await runWeirIn(temp.dir, ['init', 'shop', '--size', 'small']);
    expect(init.code, show(init)).toBe(0);
    const result = await runWeirIn(join(temp.dir, 'shop'), ['test']);
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toMatch(/^\d+ tests: (\d+) passed, 0 failed$/m);
    expect(Number(/(\d+) passed/.exec(result.stdout)?.[1])).toBeGreaterThanOrEqual(3);
    for (const model of ['stg_orders', 'daily_revenue', 'product_performance']) expect(result.stdout).toContain(`PASS  ${model}: `);
    expect(existsSync(join(temp.dir, 'shop', '.weir', 'warehouse.duckdb'))).toBe(false);
  });
});
