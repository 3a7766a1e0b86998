/**
 * `weir lineage` on the demo, the way a user asks it: specific column-lineage edges of the
 * marts, read from the binary's --json, end to end down to the raw files; the tree for people;
 * and typos answered with a did-you-mean. The demo's SQL decides every expectation here.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir, runWeirIn, show } from './weir-test-project.js';

interface Edge {
  asset: string;
  column: string | null;
  kind: 'exact' | 'derived' | 'unknown';
}

interface Reached extends Edge {
  exact: boolean;
  path: Edge[];
}

interface LineageJson {
  asset: string;
  column: string | null;
  lineage: { kind: string; complete: boolean; tableLevel: boolean; columns: Array<{ name: string; known: boolean; upstream: Edge[] }> };
  upstream?: Reached[];
  downstream?: Reached[];
}

describe('weir lineage on the demo', () => {
  const temp = createTempDir();
  let projectDir = '';
  afterAll(() => temp.remove());

  beforeAll(async () => {
    const init = await runWeirIn(temp.dir, ['init', 'x', '--size', 'small']);
    expect(init.code, show(init)).toBe(0);
    projectDir = join(temp.dir, 'x');
  });

  async function lineage(args: string[]): Promise<LineageJson> {
    const result = await runWeirIn(projectDir, ['lineage', ...args, '--json']);
    expect(result.code, show(result)).toBe(0);
    return JSON.parse(result.stdout) as LineageJson;
  }

  const named = (nodes: readonly Reached[] | undefined) => (nodes ?? []).map((node) => `${node.asset}.${node.column ?? '*'}:${node.kind}`).sort();
  const directOf = (json: LineageJson, column: string) => json.lineage.columns.find((candidate) => candidate.name === column)?.upstream;

  it('daily_channel_revenue: revenue is derived from the line amounts, order_date and channel are exact copies', async () => {
    const mart = await lineage(['daily_channel_revenue']);
    expect(mart.lineage).toMatchObject({ kind: 'sql', complete: true, tableLevel: false });
    expect(directOf(mart, 'revenue')).toEqual([{ asset: 'stg_order_items', column: 'line_amount', kind: 'derived' }]);
    expect(directOf(mart, 'order_date')).toEqual([{ asset: 'stg_orders', column: 'order_date', kind: 'exact' }]);
    expect(directOf(mart, 'channel')).toEqual([{ asset: 'stg_orders', column: 'channel', kind: 'exact' }]);
    // count(*) reads no column.
    expect(directOf(mart, 'orders')).toEqual([]);

    // End to end, each node with its path: the line amount is quantity * unit_price * (1 - discount_rate)
    // of the raw file; order_date is a cast of ordered_at in staging; channel is copied all the way.
    expect(named(mart.upstream)).toEqual([
      'raw_order_items.discount_rate:derived',
      'raw_order_items.quantity:derived',
      'raw_order_items.unit_price:derived',
      'raw_orders.channel:exact',
      'raw_orders.ordered_at:derived',
      'stg_order_items.line_amount:derived',
      'stg_orders.channel:exact',
      'stg_orders.order_date:exact',
    ]);
    const pathTo = (column: string) => mart.upstream?.find((node) => node.column === column)?.path;
    expect(pathTo('quantity')).toEqual([
      { asset: 'stg_order_items', column: 'line_amount', kind: 'derived' },
      { asset: 'raw_order_items', column: 'quantity', kind: 'derived' },
    ]);
    expect(pathTo('ordered_at')).toEqual([
      { asset: 'stg_orders', column: 'order_date', kind: 'exact' },
      { asset: 'raw_orders', column: 'ordered_at', kind: 'derived' },
    ]);
    // A mart nobody reads.
    expect(mart.downstream).toEqual([]);
  });

  it('daily_revenue and customer_lifetime_value: aggregates through CTEs name the staging columns they sum', async () => {
    const daily = await lineage(['daily_revenue', '--upstream']);
    expect(daily.downstream).toBeUndefined();
    expect(directOf(daily, 'units_sold')).toEqual([{ asset: 'stg_order_items', column: 'quantity', kind: 'derived' }]);
    expect(directOf(daily, 'revenue')).toEqual([{ asset: 'stg_order_items', column: 'line_amount', kind: 'derived' }]);
    expect(directOf(daily, 'last_updated_at')).toEqual([{ asset: 'stg_orders', column: 'updated_at', kind: 'derived' }]);

    const customers = await lineage(['customer_lifetime_value', '--upstream']);
    expect(directOf(customers, 'customer_name')).toEqual([{ asset: 'stg_customers', column: 'customer_name', kind: 'exact' }]);
    expect(directOf(customers, 'total_paid')?.map((edge) => `${edge.asset}.${edge.column ?? '*'}:${edge.kind}`).sort()).toEqual([
      'stg_payments.amount:derived',
      'stg_payments.payment_status:derived',
    ]);
    expect(directOf(customers, 'days_since_last_order')).toEqual([{ asset: 'stg_orders', column: 'order_date', kind: 'derived' }]);
  });

  it('impact analysis: a change to the line amount reaches every revenue column, and the TypeScript asset through its declared lineage', async () => {
    const impact = await lineage(['stg_order_items.line_amount', '--downstream']);
    expect(impact.upstream).toBeUndefined();
    const reached = named(impact.downstream);
    for (const column of ['daily_revenue.revenue', 'daily_channel_revenue.revenue', 'customer_lifetime_value.lifetime_revenue', 'product_performance.revenue', 'customer_segments.monetary']) {
      expect(reached).toContain(`${column}:derived`);
    }
    // Not everything: order dates do not depend on amounts.
    expect(reached.some((node) => node.startsWith('daily_revenue.order_date'))).toBe(false);
  });

  it('prints a tree for people (customer_segments declares customer_id an exact copy), and answers a typo with a did-you-mean', async () => {
    const text = await runWeirIn(projectDir, ['lineage', 'customer_segments.customer_id', '--upstream']);
    expect(text.code, show(text)).toBe(0);
    expect(text.stdout).toContain(
      [
        'upstream:',
        '  └── customer_lifetime_value.customer_id  [exact]',
        '      └── stg_customers.customer_id  [exact]',
        '          └── raw_customers.customer_id  [exact]',
      ].join('\n'),
    );
    expect(text.stdout).not.toContain('downstream:');

    const typo = await runWeirIn(projectDir, ['lineage', 'daily_channel_revenue.revenu']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('COLUMN_UNKNOWN');
    expect(typo.stderr).toContain('did you mean "daily_channel_revenue.revenue"?');
  });
});
