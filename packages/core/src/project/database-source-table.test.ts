/**
 * `sources/*.yaml` with a database connection: the good form becomes a `database` asset that keeps
 * its `${ENV}` reference unresolved; every bad form is reported, all at once, at its line.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { loadProject } from './load-project.js';
import type { DatabaseSourceAsset } from './project-model.js';
import { ProjectProblems } from './project-problems.js';
import { removeTempProject, writeTempProject } from './temp-project.js';

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((root) => removeTempProject(root)));
});

async function load(sources: string) {
  const root = await writeTempProject({ 'weir.yaml': 'name: shop\n', 'sources/shop.yaml': sources });
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

describe('database sources in sources/*.yaml', () => {
  test('a table and a query become database assets; the URL keeps its variable', async () => {
    const project = await load(`source: shop
connection: { type: postgres, url: "\${SHOP_DB_URL}" }
tables:
  - name: shop_orders
    table: public.orders
    incremental: { cursor: updated_at, lookback: 2h, primary_key: [id] }
  - name: big_customers
    query: select * from customers where spend > 100;
`);
    const orders = project.assets.get('shop_orders') as DatabaseSourceAsset;
    expect(orders).toMatchObject({
      kind: 'database',
      source: 'shop',
      connection: { type: 'postgres', url: '${SHOP_DB_URL}' },
      from: '"public"."orders"',
      incremental: { cursor: 'updated_at', lookback: { seconds: 7200 }, primaryKey: ['id'] },
    });
    expect(project.assets.get('big_customers')).toMatchObject({ kind: 'database', from: '(select * from customers where spend > 100)' });
    expect((project.assets.get('big_customers') as DatabaseSourceAsset).incremental).toBeUndefined();
  });

  test('a MySQL connection quotes table names with backticks, in the source\'s own SQL', async () => {
    const project = await load(`source: shop
connection: { type: mysql, url: "\${SHOP_MYSQL_URL}" }
tables:
  - name: shop_orders
    table: shop.orders
    incremental: { cursor: updated_at, primary_key: id }
  - name: shop_items
    table: items
  - name: shop_odd
    table: "\`odd.name\`"
  - name: shop_recent
    query: select * from orders where id > 10
`);
    expect(project.assets.get('shop_orders')).toMatchObject({
      kind: 'database',
      connection: { type: 'mysql', url: '${SHOP_MYSQL_URL}' },
      from: '`shop`.`orders`',
      incremental: { cursor: 'updated_at', primaryKey: ['id'] },
    });
    expect(project.assets.get('shop_items')).toMatchObject({ from: '`items`' });
    expect(project.assets.get('shop_odd')).toMatchObject({ from: '`odd.name`' });
    expect(project.assets.get('shop_recent')).toMatchObject({ from: '(select * from orders where id > 10)' });
  });

  test('every bad table is named at its line, all in one report', async () => {
    const problems = await problemsOf(`connection: { type: postgres, url: "\${SHOP_DB_URL}" }
tables:
  - name: both
    table: public.a
    query: select 1
  - name: neither
  - name: with_path
    table: public.b
    path: data/b.csv
  - name: bad_lookback
    table: public.c
    incremental: { cursor: updated_at, lookback: soon, primary_key: id }
  - name: lookback_without_key
    table: public.d
    incremental: { cursor: updated_at, lookback: 1h }
  - name: no_cursor
    table: public.e
    incremental: { lookback: 1h }
`);
    expect(problems).toEqual([
      expect.stringMatching(/sources\/shop\.yaml:3.*"both": give exactly one of "table" \(schema\.name\) or "query"/),
      expect.stringMatching(/sources\/shop\.yaml:6.*"neither": give exactly one of "table"/),
      expect.stringMatching(/sources\/shop\.yaml:9.*"with_path": "path" is for file sources/),
      expect.stringMatching(/sources\/shop\.yaml:12.*"bad_lookback": "soon" is not a duration/),
      expect.stringMatching(/sources\/shop\.yaml:15.*"lookback_without_key": a lookback re-reads rows already loaded, so it needs a primary_key/),
      expect.stringMatching(/sources\/shop\.yaml:18.*cursor/),
    ]);
  });

  test('an unknown connection type, and database keys without a connection', async () => {
    expect(await problemsOf(`connection: { type: oracle, url: x }\ntables:\n  - name: a\n    table: t\n`)).toEqual([expect.stringMatching(/sources\/shop\.yaml:1:.*"connection.type": expected one of postgres.*mysql/)]);
    expect(await problemsOf(`tables:\n  - name: a\n    path: data/a.csv\n    table: public.a\n`)).toEqual(
      expect.arrayContaining([expect.stringMatching(/"table" needs a database connection in this file/)]),
    );
  });
});
