/**
 * The quarantine round trip, as a user drives it: bad rows are held back, good rows published,
 * and after the upstream fix a replay publishes the held rows. Nothing is dropped on the way.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWeirProject, show, type WeirTestProject } from './weir-test-project.js';

let project: WeirTestProject;

beforeAll(async () => {
  project = await createWeirProject({
    'weir.yaml': 'name: shop\n',
    'data/customers.csv': 'customer_id,name\n1,Ann\n2,Bo\n',
    'data/orders.csv': 'order_id,customer_id,status\n1,1,placed\n2,2,shipped\n3,3,placed\n4,3,bogus\n',
    'sources/shop.yaml': 'tables:\n  - name: customers\n    path: data/customers.csv\n  - name: orders\n    path: data/orders.csv\n',
    'models/orders_clean.sql': `/*---
materialization: table
checks:
  - relationships: { column: customer_id, to: customers, field: customer_id, on_fail: quarantine }
  - accepted_values: { column: status, values: [placed, shipped, bogus], on_fail: quarantine }
  - not_null: order_id
---*/
select order_id, customer_id, status from orders`,
  });
});
afterAll(async () => project.cleanup());

describe('quarantine', () => {
  test('holds the bad rows, publishes the good ones, and replays the held rows after the upstream fix', async () => {
    const first = await project.weir(['run']);
    expect(first.code, show(first)).toBe(0);
    expect(first.stdout).toContain('orders_clean');
    expect((await project.query<{ n: number }>('select count(*) as n from orders_clean'))[0]?.n).toBe(2);

    const listed = await project.weirJson<Array<{ asset: string; held: number; would_pass_now: number }>>(['quarantine', 'ls', '--json']);
    expect(listed).toEqual([expect.objectContaining({ asset: 'orders_clean', held: 2, would_pass_now: 0 })]);
    const held = await project.weirJson<{ total: number; rows: Array<Record<string, unknown>> }>(['quarantine', 'show', 'orders_clean', '--json']);
    expect(held.total).toBe(2);
    expect(held.rows.map((row) => row.order_id).sort()).toEqual([3, 4]);
    expect(held.rows[0]?._weir_checks).toContain('relationships_customer_id_to_customers');
    expect(String(held.rows[0]?._weir_reason)).toContain('exists in customers.customer_id');

    // Nothing to replay while the parent still lacks customer 3.
    const early = await project.weir(['quarantine', 'replay', 'orders_clean']);
    expect(early.code, show(early)).toBe(0);
    expect(early.stdout).toContain('2 quarantined row(s) of orders_clean still fail their checks');

    // The upstream fix: customer 3 arrives.
    project.write({ 'data/customers.csv': 'customer_id,name\n1,Ann\n2,Bo\n3,Cy\n' });
    expect((await project.weir(['run'])).code).toBe(0);
    const replay = await project.weir(['quarantine', 'replay', 'orders_clean']);
    expect(replay.code, show(replay)).toBe(0);
    expect(replay.stdout).toContain('2 quarantined row(s) of orders_clean pass now');
    const rows = await project.query<{ order_id: number }>('select order_id from orders_clean order by order_id');
    expect(rows.map((row) => row.order_id)).toEqual([1, 2, 3, 4]);
    const after = await project.weirJson<{ total: number }>(['quarantine', 'show', 'orders_clean', '--json']);
    expect(after.total).toBe(0);
  });

  test('refuses to replay an asset that quarantines nothing, naming it', async () => {
    const result = await project.weir(['quarantine', 'replay', 'customers']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('customers has no check with on_fail: quarantine');
  });
});
