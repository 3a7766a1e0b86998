/**
 * A tiny project the end-to-end tests start from. Its graph:
 *
 * ```
 * raw_orders (CSV) -> orders -> revenue -> big_customers (TypeScript)
 *                            \-> status_counts
 * calendar (independent)
 * ```
 */
import { createWeirProject, show, type WeirTestProject } from './weir-test-project.js';

/** Header of `data/orders.csv`. */
export const ORDERS_HEADER = 'order_id,customer_id,amount,status';

/** Four orders of two customers. */
export const ORDERS_ROWS = ['1,10,5.50,placed', '2,11,7.25,shipped', '3,10,1.00,placed', '4,11,20.00,returned'];

/** `data/orders.csv` made from rows (header included). */
export function ordersCsv(rows: string[] = ORDERS_ROWS): string {
  return `${[ORDERS_HEADER, ...rows].join('\n')}\n`;
}

/** `models/revenue.sql`; `extra` goes into the select list (an edit that changes the model). */
export function revenueSql(extra = ''): string {
  return `/*---
description: Revenue per customer
tags: [finance]
checks:
  - not_null: customer_id
  - expression: { sql: "revenue >= 0", severity: warn, name: revenue_not_negative }
---*/
select customer_id, sum(amount) as revenue, count(*) as order_count${extra}
from orders
group by customer_id
`;
}

/** The project files. */
export function shopFiles(): Record<string, string> {
  return {
    'weir.yaml': 'name: e2e_shop\n',
    'data/orders.csv': ordersCsv(),
    'sources/files.yaml': `tables:
  - name: raw_orders
    path: data/orders.csv
    tags: [raw]
    options:
      columns:
        order_id: BIGINT
        customer_id: BIGINT
        amount: DECIMAL(12,2)
        status: VARCHAR
`,
    'models/orders.sql': `/*---
description: One row per order
tags: [core]
checks:
  - not_null: order_id
  - unique: order_id
  - expression: { sql: "amount < 1000", severity: warn, name: amount_plausible }
---*/
select order_id, customer_id, amount, status
from raw_orders
`,
    'models/revenue.sql': revenueSql(),
    'models/status_counts.sql': `/*---
tags: [core]
---*/
select status, count(*) as orders
from orders
group by status
`,
    'models/calendar.sql': `/*---
description: Independent of everything else
---*/
select range as day from range(3)
`,
    'models/big_customers.ts': `import { defineAsset } from 'weir';

export const big_customers = defineAsset({
  inputs: ['revenue'],
  description: 'Customers with revenue of at least 10',
  columns: { customer_id: 'BIGINT', revenue: 'DOUBLE' },
  checks: [{ not_null: 'customer_id' }],
  async run(ctx) {
    const out = [];
    for await (const batch of ctx.read('revenue')) {
      for (const row of batch) {
        if (Number(row.revenue) >= 10) out.push({ customer_id: row.customer_id, revenue: Number(row.revenue) });
      }
    }
    return out;
  },
});
`,
  };
}

/** Every asset of {@link shopFiles}. */
export const SHOP_ASSETS = ['raw_orders', 'orders', 'revenue', 'status_counts', 'calendar', 'big_customers'];

/**
 * A TypeScript asset that waits, when the environment variable `WEIR_E2E_GATE` names a file, until
 * that file exists (logging `waiting at the gate` first). Without the variable it finishes at once,
 * and the variable is not part of its fingerprint, so one project can be slow in one run and fast
 * in the next. `timeoutSeconds` bounds the wait should a test forget to open the gate.
 */
export function gatedAssetTs(name = 'slow_orders'): string {
  return `import { existsSync } from 'node:fs';
import { defineAsset } from 'weir';

export const ${name} = defineAsset({
  inputs: ['orders'],
  columns: { order_count: 'BIGINT' },
  timeoutSeconds: 60,
  async run(ctx) {
    const gate = process.env.WEIR_E2E_GATE;
    if (gate) {
      ctx.log('waiting at the gate');
      while (!existsSync(gate)) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    let count = 0;
    for await (const batch of ctx.read('orders')) count += batch.length;
    return [{ order_count: count }];
  },
});
`;
}

/**
 * The shop project after one successful `weir run`: where most end-to-end tests start. A failing
 * first run fails the test with the run's output, before anything else is asserted.
 */
export async function createBuiltShop(): Promise<WeirTestProject> {
  const project = await createWeirProject(shopFiles());
  const first = await project.weir(['run']);
  if (first.code !== 0) {
    await project.cleanup();
    throw new Error(`the shop project's first run failed (exit ${first.code}):\n${show(first)}`);
  }
  return project;
}
