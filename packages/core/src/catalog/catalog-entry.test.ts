import { afterAll, describe, expect, it } from 'vitest';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { inferOutputColumns } from '../graph/infer-output-columns.js';
import { loadProject } from '../project/load-project.js';
import { removeTempProject, writeTempProject } from '../project/temp-project.js';
import { catalogEntries } from './catalog-entry.js';

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map(removeTempProject));
});

const FILES = {
  'weir.yaml': 'name: shop\n',
  'models/customers.sql': `/*---
description: One row per customer
owner: crm-team
tags: [pii, core]
columns:
  email: Where receipts go
  Customer_ID: { description: The key }
  not_in_sql: Declared but not selected
---*/
select 1 as customer_id, 'a@b.c' as email, 'x' as name
`,
  'models/orders.sql': `select 7 as order_id, customer_id from customers\n`,
  'models/scores.ts': `import { defineAsset } from 'weir';
export const scores = defineAsset({
  inputs: ['orders'],
  columns: { order_id: 'BIGINT', score: 'DOUBLE' },
  async run() { return []; },
});
`,
};

async function project() {
  const root = await writeTempProject(FILES);
  roots.push(root);
  return loadProject(root);
}

describe('catalogEntries', () => {
  it('takes columns from the project files when nothing is described, with their declared descriptions', async () => {
    const loaded = await project();
    const inferred = await inferOutputColumns(loaded.assets, buildAssetGraph(loaded));
    const entries = catalogEntries(loaded.assets, { inferred });
    expect(entries.map((entry) => entry.name)).toEqual(['customers', 'orders', 'scores']);
    const [customers, orders, scores] = entries;
    expect(customers).toEqual({
      name: 'customers',
      kind: 'sql',
      materialization: 'table',
      description: 'One row per customer',
      owner: 'crm-team',
      tags: ['pii', 'core'],
      file: 'models/customers.sql',
      upstream: [],
      downstream: ['orders'],
      columns: [
        { name: 'customer_id', type: 'INTEGER', description: 'The key' },
        { name: 'email', type: 'VARCHAR', description: 'Where receipts go' },
        { name: 'name', type: 'VARCHAR', description: null },
        // Declared only: kept, so its description can be found.
        { name: 'not_in_sql', type: null, description: 'Declared but not selected' },
      ],
      columnsFrom: 'declared',
    });
    expect(orders!.upstream).toEqual(['customers']);
    expect(orders!.downstream).toEqual(['scores']);
    expect(orders!.columns.map((column) => column.name)).toEqual(['order_id', 'customer_id']);
    expect(scores!.kind).toBe('typescript');
    expect(scores!.columns).toEqual([
      { name: 'order_id', type: 'BIGINT', description: null },
      { name: 'score', type: 'DOUBLE', description: null },
    ]);
  });

  it('prefers the warehouse description of a built asset, keeping the declared descriptions', async () => {
    const loaded = await project();
    const described = new Map([['customers', [{ name: 'CUSTOMER_ID', type: 'BIGINT', nullable: false }, { name: 'email', type: 'VARCHAR', nullable: true }]]]);
    const [customers, orders] = catalogEntries(loaded.assets, { described });
    expect(customers!.columnsFrom).toBe('warehouse');
    expect(customers!.columns).toEqual([
      { name: 'CUSTOMER_ID', type: 'BIGINT', description: 'The key' },
      { name: 'email', type: 'VARCHAR', description: 'Where receipts go' },
    ]);
    // Neither described nor inferred: nothing is made up.
    expect(orders!.columnsFrom).toBe('declared');
    expect(orders!.columns).toEqual([]);
  });
});
