/**
 * Model unit tests run for real: each test in its own in-memory DuckDB, the model built by the
 * materializer from the fixtures, rows compared with the expectation.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { openDuckDBAdapter } from '../engines/duckdb/duckdb-adapter.js';
import { loadProject } from '../project/load-project.js';
import { removeTempProject, writeTempProject } from '../project/temp-project.js';
import { loadModelTests } from './load-model-tests.js';
import { runModelTests, type ModelTestResult } from './run-model-tests.js';

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((root) => removeTempProject(root)));
});

const MODELS: Record<string, string> = {
  'weir.yaml': 'name: shop\n',
  'models/orders.sql': "select 1 as order_id, 10 as customer_id, 5.5 as amount, date '2024-01-01' as order_date, timestamp '2024-01-01 10:00:00' as updated_at\n",
  'models/customers.sql': "select 10 as customer_id, 'Ann' as name\n",
  'models/calendar.sql': '/*---\nmaterialization: view\n---*/\nselect range as day from range(3)\n',
  'models/orders_enriched.sql': `
    select o.order_id, c.name, o.amount, o.order_date
    from orders as o
    join customers as c on c.customer_id = o.customer_id
    order by o.order_id
  `,
  'models/revenue.sql': `
    select customer_id, cast(sum(amount) as decimal(18, 2)) as revenue, sum(amount) / 3 as third
    from orders
    group by customer_id
  `,
  'models/daily_totals.sql': `
    /*---
    materialization: incremental
    incremental:
      strategy: merge
      unique_key: order_date
      cursor: last_updated_at
    ---*/
    select order_date, count(*) as orders, sum(amount) as amount, max(updated_at) as last_updated_at
    from orders
    group by order_date
  `,
  'models/order_log.sql': `
    /*---
    materialization: incremental
    incremental:
      strategy: append
      unique_key: order_id
      cursor: updated_at
    ---*/
    select order_id, amount, updated_at from orders
  `,
};

/** Writes the project plus `tests`, loads and runs every test, and returns the results by test name. */
async function run(tests: Record<string, string>): Promise<Map<string, ModelTestResult>> {
  const root = await writeTempProject({ ...MODELS, ...tests });
  roots.push(root);
  const project = await loadProject(root, { env: {} });
  const results = await runModelTests(project, await loadModelTests(project), () => openDuckDBAdapter({ path: ':memory:' }));
  return new Map(results.map((result) => [result.name, result]));
}

function only(results: Map<string, ModelTestResult>, name: string): ModelTestResult {
  const result = results.get(name);
  if (result === undefined) throw new Error(`no result for ${name}: ${[...results.keys()].join(', ')}`);
  return result;
}

describe('table and view models', () => {
  test('a passing test: inputs typed from their values, output compared by value in any order', async () => {
    const results = await run({
      'tests/orders_enriched.yaml': `
        tests:
          - name: joins customers to orders
            model: orders_enriched
            given:
              orders:
                - { order_id: 2, customer_id: 11, amount: 7.25, order_date: 2024-01-02, updated_at: "2024-01-02 09:00:00" }
                - { order_id: 1, customer_id: 10, amount: 5.0, order_date: 2024-01-01, updated_at: "2024-01-01 09:00:00" }
                - { order_id: 3, customer_id: 99, amount: 1, order_date: 2024-01-03, updated_at: null }
              customers:
                - { customer_id: 10, name: Ann }
                - { customer_id: 11, name: Bo }
            expect:
              rows:
                - { order_id: 2, name: Bo, amount: 7.25, order_date: 2024-01-02 }
                - { order_id: 1, name: Ann, amount: 5, order_date: 2024-01-01 }
      `,
    });
    const result = only(results, 'joins customers to orders');
    expect(result, JSON.stringify(result)).toMatchObject({ status: 'passed', model: 'orders_enriched', file: 'tests/orders_enriched.yaml', line: 2 });
  });

  test('a failing test gives the rows missing and the rows not expected', async () => {
    const results = await run({
      'tests/orders_enriched.yaml': `
        tests:
          - name: wrong name expected
            model: orders_enriched
            given:
              orders:
                - { order_id: 1, customer_id: 10, amount: 5.0, order_date: 2024-01-01 }
                - { order_id: 2, customer_id: 10, amount: 2.5, order_date: 2024-01-01 }
              customers:
                - { customer_id: 10, name: Ann }
            expect:
              rows:
                - { order_id: 1, name: Ann, amount: 5.0, order_date: 2024-01-01 }
                - { order_id: 2, name: Anne, amount: 2.5, order_date: 2024-01-01 }
                - { order_id: 3, name: Cy, amount: 1, order_date: 2024-01-05 }
      `,
    });
    const result = only(results, 'wrong name expected');
    expect(result.status).toBe('failed');
    expect(result.message).toBe('2 expected rows missing, 1 unexpected row (expected 3, produced 2, 1 matched)');
    expect(result.diff).toEqual({
      columns: ['order_id', 'name', 'amount', 'order_date'],
      order: 'ignore',
      expectedCount: 3,
      producedCount: 2,
      matched: 1,
      missing: [
        { position: 2, values: { order_id: 2, name: 'Anne', amount: 2.5, order_date: '2024-01-01' } },
        { position: 3, values: { order_id: 3, name: 'Cy', amount: 1, order_date: '2024-01-05' } },
      ],
      unexpected: [{ position: 2, values: { order_id: 2, name: 'Ann', amount: 2.5, order_date: '2024-01-01' } }],
    });
  });

  test('order: keep fails on rows in another order; columns compares only the listed columns', async () => {
    const given = `
            given:
              orders:
                - { order_id: 1, customer_id: 10, amount: 5.0, order_date: 2024-01-01 }
                - { order_id: 2, customer_id: 10, amount: 2.5, order_date: 2024-01-02 }
              customers:
                - { customer_id: 10, name: Ann }`;
    const results = await run({
      'tests/order.yaml': `
        tests:
          - name: in order
            model: orders_enriched${given}
            expect:
              order: keep
              columns: [order_id]
              rows: [{ order_id: 1 }, { order_id: 2 }]
          - name: out of order
            model: orders_enriched${given}
            expect:
              order: keep
              columns: [order_id, amount]
              rows: [{ order_id: 2, amount: 2.5, name: ignored }, { order_id: 1, amount: 5 }]
      `,
    });
    expect(only(results, 'in order').status).toBe('passed');
    const outOfOrder = only(results, 'out of order');
    expect(outOfOrder.status).toBe('failed');
    expect(outOfOrder.diff?.columns).toEqual(['order_id', 'amount']);
    expect(outOfOrder.diff?.matched).toBe(1);
    // Order 2 was expected first and produced second: the shortest edit moves it.
    expect(outOfOrder.diff?.missing).toEqual([{ position: 1, values: { order_id: 2, amount: 2.5 } }]);
    expect(outOfOrder.diff?.unexpected).toEqual([{ position: 2, values: { order_id: 2, amount: 2.5 } }]);
  });

  test('floats compare within rounding or a tolerance; a decimal is not rounded to make a test pass', async () => {
    const given = `
            given:
              orders:
                - { order_id: 1, customer_id: 10, amount: 0.1, order_date: 2024-01-01 }
                - { order_id: 2, customer_id: 10, amount: 0.2, order_date: 2024-01-01 }`;
    const results = await run({
      'tests/revenue.yaml': `
        tests:
          - name: rounding
            model: revenue${given}
            expect:
              rows: [{ customer_id: 10, revenue: 0.3, third: 0.1 }]
          - name: tolerance
            model: revenue${given}
            expect:
              tolerance: 0.01
              rows: [{ customer_id: 10, revenue: 0.3, third: 0.105 }]
          - name: decimal places
            model: revenue${given}
            expect:
              columns: [customer_id, revenue]
              rows: [{ customer_id: 10, revenue: 0.304 }]
      `,
    });
    expect(only(results, 'rounding').status).toBe('passed');
    expect(only(results, 'tolerance').status).toBe('passed');
    const decimal = only(results, 'decimal places');
    expect(decimal.status).toBe('failed');
    expect(decimal.diff?.missing).toEqual([{ position: 1, values: { customer_id: 10, revenue: 0.304 } }]);
    expect(decimal.diff?.unexpected).toEqual([{ position: 1, values: { customer_id: 10, revenue: 0.3 } }]);
  });

  test('CSV fixtures: a file next to the test and inline text, with declared types', async () => {
    const results = await run({
      'tests/fixtures/orders.csv': 'order_id,customer_id,amount,order_date\n1,10,5.00,2024-01-01\n2,10,2.50,2024-01-02\n',
      'tests/csv.yaml': `
        tests:
          - name: from csv
            model: orders_enriched
            given:
              orders: { csv: fixtures/orders.csv, types: { amount: "DECIMAL(10,2)" } }
              customers:
                csv: |
                  customer_id,name
                  10,Ann
            expect:
              csv: |
                order_id,name,amount,order_date
                1,Ann,5,2024-01-01
                2,Ann,2.5,2024-01-02
      `,
    });
    expect(only(results, 'from csv')).toMatchObject({ status: 'passed' });
  });

  test('an expectation naming a column the model does not produce, or leaving one out, fails with a message', async () => {
    const given = `
            given:
              orders: [{ order_id: 1, customer_id: 10, amount: 5.0, order_date: 2024-01-01 }]
              customers: [{ customer_id: 10, name: Ann }]`;
    const results = await run({
      'tests/columns.yaml': `
        tests:
          - name: typo
            model: orders_enriched${given}
            expect:
              rows: [{ order_id: 1, nmae: Ann, amount: 5, order_date: 2024-01-01 }]
          - name: left out
            model: orders_enriched${given}
            expect:
              rows: [{ order_id: 1, name: Ann }]
      `,
    });
    const typo = only(results, 'typo');
    expect(typo.status).toBe('failed');
    expect(typo.message).toContain('the expected rows give "nmae", which the model does not produce (it produces order_id, name, amount, order_date); did you mean "name"?');
    expect(typo.location).toMatchObject({ file: 'tests/columns.yaml', line: 8 });
    expect(only(results, 'left out').message).toContain('the model also produces "amount", "order_date", which the expected rows do not give');
  });

  test('a view reading no table needs no fixture', async () => {
    const results = await run({
      'tests/calendar.yaml': `
        tests:
          - name: three days
            model: calendar
            expect:
              order: keep
              rows: [{ day: 0 }, { day: 1 }, { day: 2 }]
      `,
    });
    expect(only(results, 'three days')).toMatchObject({ status: 'passed' });
  });

  test("the model's SQL failing on the fixtures is an error pointing at the model", async () => {
    const results = await run({
      'tests/missing-column.yaml': `
        tests:
          - name: fixture lacks a column
            model: orders_enriched
            given:
              orders: [{ order_id: 1, customer_id: 10, order_date: 2024-01-01 }]
              customers: [{ customer_id: 10, name: Ann }]
            expect:
              rows: []
      `,
    });
    const result = only(results, 'fixture lacks a column');
    expect(result.status).toBe('error');
    expect(result.message).toMatch(/^the model failed on the fixtures: .*amount/s);
    expect(result.location?.file).toBe('models/orders_enriched.sql');
  });

  test('an expected value that does not fit the column type is an error at the expectation', async () => {
    const results = await run({
      'tests/bad-value.yaml': `
        tests:
          - name: text for a date
            model: orders_enriched
            given:
              orders: [{ order_id: 1, customer_id: 10, amount: 1, order_date: 2024-01-01 }]
              customers: [{ customer_id: 10, name: Ann }]
            expect:
              rows: [{ order_id: 1, name: Ann, amount: 1, order_date: yesterday }]
      `,
    });
    const result = only(results, 'text for a date');
    expect(result.status).toBe('error');
    expect(result.message).toContain("the expected rows do not fit the model's column types");
    expect(result.location).toMatchObject({ file: 'tests/bad-value.yaml', line: 8 });
  });
});

describe('incremental models', () => {
  const existing = `
            existing:
              - { order_date: 2024-01-01, orders: 2, amount: 10.0, last_updated_at: "2024-01-01 18:00:00" }
              - { order_date: 2024-01-02, orders: 1, amount: 4.0, last_updated_at: "2024-01-02 12:00:00" }`;
  const given = `
            given:
              orders:
                # Older than the existing version's cursor: not taken again.
                - { order_id: 1, customer_id: 1, amount: 99.0, order_date: 2024-01-01, updated_at: "2024-01-01 08:00:00" }
                # The second day changed: taken again and merged over the old row.
                - { order_id: 5, customer_id: 1, amount: 4.0, order_date: 2024-01-02, updated_at: "2024-01-02 12:00:00" }
                - { order_id: 6, customer_id: 1, amount: 6.0, order_date: 2024-01-02, updated_at: "2024-01-02 20:00:00" }
                # A new day.
                - { order_id: 7, customer_id: 1, amount: 3.0, order_date: 2024-01-03, updated_at: "2024-01-03 09:00:00" }`;

  test('existing rows plus new input give the merged result, the cursor filtering what is taken', async () => {
    const results = await run({
      'tests/daily_totals.yaml': `
        tests:
          - name: merges changed days and adds new ones
            model: daily_totals${existing}${given}
            expect:
              rows:
                - { order_date: 2024-01-01, orders: 2, amount: 10.0, last_updated_at: "2024-01-01 18:00:00" }
                - { order_date: 2024-01-02, orders: 2, amount: 10.0, last_updated_at: "2024-01-02 20:00:00" }
                - { order_date: 2024-01-03, orders: 1, amount: 3.0, last_updated_at: "2024-01-03 09:00:00" }
          - name: the first build takes everything
            model: daily_totals${given}
            expect:
              columns: [order_date, amount]
              rows:
                - { order_date: 2024-01-01, amount: 99 }
                - { order_date: 2024-01-02, amount: 10 }
                - { order_date: 2024-01-03, amount: 3 }
          - name: a wrong expectation of a merge fails
            model: daily_totals${existing}${given}
            expect:
              columns: [order_date, amount]
              rows:
                - { order_date: 2024-01-01, amount: 109 }
                - { order_date: 2024-01-02, amount: 10 }
                - { order_date: 2024-01-03, amount: 3 }
      `,
    });
    expect(only(results, 'merges changed days and adds new ones')).toMatchObject({ status: 'passed' });
    expect(only(results, 'the first build takes everything')).toMatchObject({ status: 'passed' });
    const wrong = only(results, 'a wrong expectation of a merge fails');
    expect(wrong.status).toBe('failed');
    expect(wrong.diff?.missing).toEqual([{ position: 1, values: { order_date: '2024-01-01', amount: 109 } }]);
    expect(wrong.diff?.unexpected).toEqual([{ position: expect.any(Number), values: { order_date: '2024-01-01', amount: 10 } }]);
  });

  test('an append model adds only rows past the cursor', async () => {
    const results = await run({
      'tests/order_log.yaml': `
        tests:
          - name: appends new orders
            model: order_log
            existing:
              - { order_id: 1, amount: 5.0, updated_at: "2024-01-01 10:00:00" }
            given:
              orders:
                - { order_id: 1, customer_id: 1, amount: 5.0, order_date: 2024-01-01, updated_at: "2024-01-01 10:00:00" }
                - { order_id: 2, customer_id: 1, amount: 6.0, order_date: 2024-01-02, updated_at: "2024-01-02 10:00:00" }
            expect:
              rows:
                - { order_id: 1, amount: 5.0, updated_at: "2024-01-01 10:00:00" }
                - { order_id: 2, amount: 6.0, updated_at: "2024-01-02 10:00:00" }
      `,
    });
    expect(only(results, 'appends new orders')).toMatchObject({ status: 'passed' });
  });

  test('existing rows with a column the model does not produce are an error at the rows', async () => {
    const results = await run({
      'tests/daily_totals.yaml': `
        tests:
          - name: bad existing
            model: daily_totals
            existing:
              - { order_date: 2024-01-01, order_count: 2 }
            given:
              orders: [{ order_id: 1, customer_id: 1, amount: 1, order_date: 2024-01-01, updated_at: "2024-01-01 08:00:00" }]
            expect: { rows: [] }
      `,
    });
    const result = only(results, 'bad existing');
    expect(result.status).toBe('error');
    expect(result.message).toContain('the existing rows give "order_count", which the model does not produce');
    expect(result.location).toMatchObject({ file: 'tests/daily_totals.yaml', line: 5 });
  });
});
