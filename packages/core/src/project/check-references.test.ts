/**
 * Checks that refer to other things (assets, metrics, checks files) are resolved when the project
 * loads, and every problem in them is reported before any build starts, all at once.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { isWeirError, type WeirError } from '../errors/weir-error.js';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { loadProject } from './load-project.js';
import { ProjectProblems } from './project-problems.js';
import { removeTempProject, writeTempProject } from './temp-project.js';

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((root) => removeTempProject(root)));
});

const BASE = {
  'weir.yaml': 'name: shop\n',
  'models/customers.sql': 'select 1 as customer_id, \'a\' as name',
};

async function load(files: Record<string, string>) {
  const root = await writeTempProject({ ...BASE, ...files });
  roots.push(root);
  return loadProject(root, { env: {} });
}

async function loadProblems(files: Record<string, string>): Promise<string[]> {
  try {
    await load(files);
  } catch (error) {
    if (error instanceof ProjectProblems) return error.problems.map((problem) => problem.describe());
    if (isWeirError(error)) return [(error as WeirError).describe()];
    throw error;
  }
  throw new Error('expected the project to fail to load');
}

describe('check references', () => {
  test('resolve asset names (ignoring case), custom SQL reads, and checks files', async () => {
    const project = await load({
      'models/orders.sql': `/*---
checks:
  - relationships: { column: customer_id, to: Customers, field: customer_id }
  - custom_sql: select * from orders o join customers c using (customer_id) where o.amount < 0
---*/
select 1 as order_id, 1 as customer_id, 5.0 as amount`,
      'checks/orders.yaml': 'asset: orders\nchecks:\n  - not_null: order_id\n',
    });
    const orders = project.assets.get('orders');
    expect(orders?.checks.map((check) => check.name)).toEqual(['relationships_customer_id_to_Customers', 'custom_sql_1', 'not_null_order_id']);
    expect(orders?.checks[0]).toMatchObject({ to: 'customers' });
    expect(orders?.checks[1]).toMatchObject({ reads: ['orders', 'customers'] });
    // The assets a check reads are built first: they are edges of the graph.
    expect(buildAssetGraph(project).order.indexOf('customers')).toBeLessThan(buildAssetGraph(project).order.indexOf('orders'));
  });

  test('every bad reference is reported at once, before any build', async () => {
    const problems = await loadProblems({
      'models/orders.sql': `/*---
checks:
  - relationships: { column: customer_id, to: customer, field: customer_id }
  - row_count: { equal_to: ordres }
  - spc: { metric: null_rat, column: amount }
  - spc: null_rate
  - regex: { column: order_id, pattern: '([a-z' }
  - regex: { column: order_id, pattern: '(?i)ab', name: case_insensitive_is_re2 }
  - parseable: { column: order_id, as: date, format: '%Q' }
---*/
select 1 as order_id, 1 as customer_id`,
      'models/payments.sql': `/*---
checks:
  - between: { column: amount, min: low }
---*/
select 'a' as code, 1 as amount`,
      'checks/payments.yaml': 'asset: paymnts\nchecks:\n  - not_null: id\n',
    });
    const text = problems.join('\n');
    expect(text).toContain('check "relationships_customer_id_to_customer" of orders: it refers to "customer", which is not an asset of this project');
    expect(text).toContain('did you mean "customers"?');
    expect(text).toContain('"ordres"');
    expect(text).toContain('"null_rat" is not a metric Weir records\n  hint: did you mean "null_rate"?');
    expect(text).toContain('"null_rate" is a column metric: add "column:"');
    expect(text).toContain('check "regex_order_id" of orders: the pattern does not compile: missing ]');
    expect(text).not.toContain('case_insensitive_is_re2');
    expect(text).toContain('check "parseable_order_id" of orders: the date format is not valid');
    expect(text).toContain('expected a number');
    expect(text).toContain('checks/payments.yaml:1:');
    expect(text).toContain('"paymnts", which is not an asset');
    expect(problems.length).toBeGreaterThanOrEqual(6);
  });

  test('a cycle through a check is a cycle', async () => {
    const problems = await loadProblems({
      'models/orders.sql': 'select 1 as order_id, customer_id from customers',
      'checks/customers.yaml': 'asset: customers\nchecks:\n  - row_count: { fewer_than: orders }\n',
    });
    expect(problems.join('\n')).toMatch(/cycle/i);
  });

  test('quarantine only where rows are stored and judged one by one', async () => {
    const problems = await loadProblems({
      'models/orders.sql': `/*---
materialization: view
checks:
  - not_null: { column: order_id, on_fail: quarantine }
---*/
select 1 as order_id`,
    });
    expect(problems.join('\n')).toContain('a view cannot quarantine rows');
  });

  test('a custom SQL check that does not parse names its asset and check', async () => {
    const problems = await loadProblems({
      'models/orders.sql': '/*---\nchecks:\n  - custom_sql: selec * from orders\n---*/\nselect 1 as order_id',
    });
    expect(problems.join('\n')).toContain('check "custom_sql_1" of orders: its SQL does not parse');
  });

  test('a check on a missing column names the model and the column, with every other such problem', async () => {
    const problems = await loadProblems({
      'models/orders.sql': `/*---
checks:
  - not_null: [order_id, ordr_total]
  - relationships: { column: customer_id, to: customers, field: id }
---*/
select 1 as order_id, 2 as order_total, 1 as customer_id`,
      'models/wide.sql': '/*---\nchecks:\n  - not_null: anything\n---*/\nselect * from read_csv(\'x.csv\')',
    });
    const text = problems.join('\n');
    expect(text).toContain('check "not_null_ordr_total" of orders: column "ordr_total" is not a column of orders');
    expect(text).toContain('did you mean "order_total"?');
    expect(text).toContain('column "id" is not a column of customers');
    // Columns that cannot be known (a table function) are never reported missing.
    expect(text).not.toContain('anything');
  });
});
