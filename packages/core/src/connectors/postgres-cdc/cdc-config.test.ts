/**
 * `cdc:` in `sources/*.yaml`: a PostgreSQL table becomes a database asset with change data
 * capture and its defaults; every misuse (with incremental, with a query, on MySQL, on a file
 * table, a bad slot name) is reported at its line.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { loadProject } from '../../project/load-project.js';
import type { DatabaseSourceAsset } from '../../project/project-model.js';
import { ProjectProblems } from '../../project/project-problems.js';
import { removeTempProject, writeTempProject } from '../../project/temp-project.js';

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((root) => removeTempProject(root)));
});

async function load(sources: string) {
  const root = await writeTempProject({ 'weir.yaml': 'name: shop\n', 'sources/shop.yaml': sources, 'data/x.csv': 'a\n1\n' });
  roots.push(root);
  return loadProject(root);
}

async function problemsOf(sources: string): Promise<string[]> {
  const error = await load(sources).then(
    () => new Error('the project loaded'),
    (thrown: unknown) => thrown,
  );
  if (error instanceof ProjectProblems) return error.problems.map((problem) => problem.describe());
  if (error instanceof Error && 'describe' in error) return [(error as { describe(): string }).describe()];
  throw error;
}

describe('cdc: in sources/*.yaml', () => {
  test('a PostgreSQL table with cdc gets its history flag, slot and publication (weir_<table> by default)', async () => {
    const project = await load(`connection: { type: postgres, url: "\${SHOP_DB_URL}" }
tables:
  - name: Shop-Orders
    table: public.orders
    cdc: { history: true }
  - name: customers
    table: public.customers
    cdc: { slot: shop_customers, publication: shop_pub }
  - name: products
    table: public.products
`);
    expect(project.assets.get('Shop-Orders')).toMatchObject({ kind: 'database', from: '"public"."orders"', cdc: { history: true, slot: 'weir_shop_orders', publication: 'weir_shop_orders' } });
    expect(project.assets.get('customers')).toMatchObject({ cdc: { history: false, slot: 'shop_customers', publication: 'shop_pub' } });
    expect((project.assets.get('products') as DatabaseSourceAsset).cdc).toBeUndefined();
  });

  test('cdc with incremental, with a query, on MySQL, on a file table, or with a bad slot name is refused at its line', async () => {
    const postgres = await problemsOf(`connection: { type: postgres, url: "\${SHOP_DB_URL}" }
tables:
  - name: both
    table: public.orders
    incremental: { cursor: updated_at }
    cdc: {}
  - name: queried
    query: select * from orders
    cdc: { history: true }
  - name: badslot
    table: public.orders
    cdc: { slot: "Bad-Slot" }
`);
    expect(postgres).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/shop\.yaml:6:\d+: table "both": "cdc" and "incremental" cannot be used together[\s\S]*hint: CDC reads every insert/),
        expect.stringMatching(/shop\.yaml:9:\d+: table "queried": "cdc" needs "table:" \(schema\.name\), not "query:"/),
        expect.stringMatching(/shop\.yaml:12:\d+: .*replication slot name/),
      ]),
    );
    expect(postgres).toHaveLength(3);

    const mysql = await problemsOf(`connection: { type: mysql, url: "\${SHOP_MYSQL_URL}" }
tables:
  - name: orders
    table: shop.orders
    cdc: {}
`);
    expect(mysql).toEqual([expect.stringMatching(/shop\.yaml:5:\d+: table "orders": CDC is PostgreSQL only for now/)]);

    const file = await problemsOf(`tables:
  - name: x
    path: data/x.csv
    cdc: {}
`);
    expect(file).toEqual([expect.stringMatching(/shop\.yaml:4:\d+: table "x": "cdc" needs a database connection in this file/)]);
  });
});
