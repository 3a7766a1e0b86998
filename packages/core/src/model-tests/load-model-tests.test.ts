/**
 * Every bad test file a user can write, and the error it must produce: the right code, a message
 * that starts at the right `file:line:column`, and a suggestion where one helps.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { isWeirError, type WeirError, type WeirErrorCode } from '../errors/weir-error.js';
import { loadProject } from '../project/load-project.js';
import { ProjectProblems } from '../project/project-problems.js';
import { removeTempProject, writeTempProject } from '../project/temp-project.js';
import { loadModelTests } from './load-model-tests.js';

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((root) => removeTempProject(root)));
});

const PROJECT: Record<string, string> = {
  'weir.yaml': 'name: shop\n',
  'sources/files.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n',
  'data/orders.csv': 'order_id,amount\n1,5\n',
  'models/orders.sql': 'select order_id, amount from raw_orders\n',
  'models/customers.sql': "select 10 as customer_id, 'Ann' as name\n",
  'models/enriched.sql': 'select o.order_id, c.name from orders as o cross join customers as c\n',
  'models/scores.ts': "import { defineAsset } from 'weir';\nexport const scores = defineAsset({ inputs: ['orders'], async run() { return []; } });\n",
};

async function load(tests: Record<string, string>) {
  const root = await writeTempProject({ ...PROJECT, ...tests });
  roots.push(root);
  return loadModelTests(await loadProject(root, { env: {} }));
}

async function loadError(tests: Record<string, string>): Promise<WeirError> {
  try {
    await load(tests);
  } catch (error) {
    if (isWeirError(error)) return error;
    throw error;
  }
  throw new Error('expected the test files to fail to load');
}

function expectError(error: WeirError, code: WeirErrorCode, where: string, ...fragments: string[]): void {
  const text = error.describe();
  expect(error.code, text).toBe(code);
  expect(text.startsWith(where), `"${text}" should start with ${where}`).toBe(true);
  for (const fragment of fragments) expect(text).toContain(fragment);
}

/** A valid test of `enriched`, with `extra` lines added to it. */
function enrichedTest(extra = ''): string {
  return `tests:
  - name: joins
    model: enriched
    given:
      orders: [{ order_id: 1 }]
      customers: [{ customer_id: 10, name: Ann }]
    expect:
      rows: [{ order_id: 1, name: Ann }]
${extra}`;
}

describe('loading test files', () => {
  test('a valid file: every test with its file, line, fixtures and inferred column types', async () => {
    const tests = await load({
      'tests/enriched.yaml': `tests:
  - name: typed
    model: enriched
    given:
      orders:
        - { order_id: 1, amount: 5.0, day: 2024-01-01, at: "2024-01-01 10:00", paid: true, note: null }
        - { order_id: 2, amount: 7, day: 2024-01-02, at: 2024-01-02, paid: false, note: null }
      customers: { types: { customer_id: BIGINT, name: VARCHAR } }
    expect:
      order: keep
      columns: [order_id]
      rows: [{ order_id: 1 }]
`,
      'tests/nested/more.yml': enrichedTest(),
    });
    expect(tests.map((one) => [one.file, one.line, one.name])).toEqual([
      ['tests/enriched.yaml', 2, 'typed'],
      ['tests/nested/more.yml', 2, 'joins'],
    ]);
    const orders = tests[0]?.given.orders;
    expect(orders?.kind === 'rows' && orders.columns).toEqual([
      { name: 'order_id', type: 'BIGINT' },
      { name: 'amount', type: 'DOUBLE' },
      { name: 'day', type: 'DATE' },
      { name: 'at', type: 'TIMESTAMP' },
      { name: 'paid', type: 'BOOLEAN' },
      { name: 'note', type: 'VARCHAR' },
    ]);
    const customers = tests[0]?.given.customers;
    expect(customers?.kind === 'rows' && customers.rows).toEqual([]);
    expect(tests[0]?.expect).toMatchObject({ order: 'keep', columns: ['order_id'] });
  });

  test('a project without tests has none', async () => {
    expect(await load({})).toEqual([]);
  });
});

describe('bad test files', () => {
  test('malformed YAML', async () => {
    expectError(await loadError({ 'tests/a.yaml': 'tests:\n  - name: x\n    model: [unclosed\n' }), 'YAML_MALFORMED', 'tests/a.yaml:');
  });

  test('an unknown key, with the closest valid one', async () => {
    const error = await loadError({ 'tests/a.yaml': enrichedTest().replace('    given:', '    givn:') });
    expectError(error, 'CONFIG_UNKNOWN_KEY', 'tests/a.yaml:4:5: unknown key "givn" in "tests[0]"', 'did you mean "given"?');
  });

  test('an unknown key in the expectation', async () => {
    const error = await loadError({ 'tests/a.yaml': enrichedTest().replace('      rows:', '      row:') });
    expectError(error, 'CONFIG_UNKNOWN_KEY', 'tests/a.yaml:8:7: unknown key "row" in "tests[0].expect"', 'did you mean "rows"?');
  });

  test('a model that does not exist, with a suggestion', async () => {
    expectError(await loadError({ 'tests/a.yaml': enrichedTest().replace('model: enriched', 'model: enrichd') }), 'ASSET_UNKNOWN', 'tests/a.yaml:3:12: no model "enrichd"', 'did you mean "enriched"?');
  });

  test('a TypeScript asset or a source is not a SQL model', async () => {
    expectError(
      await loadError({ 'tests/a.yaml': 'tests:\n  - name: ts\n    model: scores\n    given: { orders: [{ order_id: 1 }] }\n    expect: { rows: [] }\n' }),
      'CONFIG_INVALID',
      'tests/a.yaml:3:12: "scores" is a TypeScript asset; unit tests are for SQL models',
    );
    expectError(await loadError({ 'tests/a.yaml': 'tests:\n  - name: src\n    model: raw_orders\n    expect: { rows: [] }\n' }), 'CONFIG_INVALID', 'tests/a.yaml:3:12: "raw_orders" is a source table');
  });

  test('an input the model does not read, with a suggestion among its inputs', async () => {
    const error = await loadError({ 'tests/a.yaml': enrichedTest().replace('      customers:', '      customer:') });
    const problems = error instanceof ProjectProblems ? error.problems : [error];
    expectError(problems[0]!, 'CONFIG_INVALID', 'tests/a.yaml:4:5: model "enriched" reads "customers": give its rows under "given"');
    expectError(problems[1]!, 'ASSET_UNKNOWN', 'tests/a.yaml:6:7: "customer" is not an input of model "enriched" (it reads "orders", "customers")', 'did you mean "customers"?');
  });

  test('a model input without a fixture', async () => {
    const text = 'tests:\n  - name: x\n    model: enriched\n    expect: { rows: [] }\n';
    expectError(await loadError({ 'tests/a.yaml': text }), 'CONFIG_INVALID', 'tests/a.yaml:2:5: model "enriched" reads "orders", "customers": give their rows under "given"');
  });

  test('existing rows for a model that is not incremental', async () => {
    const text = enrichedTest().replace('    expect:', '    existing: [{ order_id: 1 }]\n    expect:');
    expectError(await loadError({ 'tests/a.yaml': text }), 'CONFIG_INVALID', 'tests/a.yaml:7:5: "existing" rows are for incremental models; "enriched" is materialized as a table');
  });

  test('a row that is not a mapping', async () => {
    const text = enrichedTest().replace('orders: [{ order_id: 1 }]', 'orders:\n        - { order_id: 1 }\n        - 2');
    expectError(await loadError({ 'tests/a.yaml': text }), 'CONFIG_INVALID', 'tests/a.yaml:7:11: "tests[0].given.orders[1]": expected a row: a mapping of column: value, got a whole number');
  });

  test('a table that is neither rows nor a mapping', async () => {
    const text = enrichedTest().replace('orders: [{ order_id: 1 }]', 'orders: 12');
    expectError(await loadError({ 'tests/a.yaml': text }), 'CONFIG_INVALID', 'tests/a.yaml:5:15: "tests[0].given.orders": expected a list of rows, or a mapping with "rows:" or "csv:"');
  });

  test('a column mixing numbers and text', async () => {
    const text = enrichedTest().replace('orders: [{ order_id: 1 }]', 'orders:\n        - { order_id: 1 }\n        - { order_id: two }');
    expectError(await loadError({ 'tests/a.yaml': text }), 'CONFIG_INVALID', 'tests/a.yaml:7:23: column "order_id" holds numbers and text', 'declare the column\'s SQL type under "types"');
  });

  test('an empty input without its columns', async () => {
    const text = enrichedTest().replace('orders: [{ order_id: 1 }]', 'orders: []');
    expectError(await loadError({ 'tests/a.yaml': text }), 'CONFIG_INVALID', 'tests/a.yaml:5:15: "tests[0].given.orders": an empty table needs its columns');
  });

  test('a type that is not a SQL type name', async () => {
    const text = enrichedTest().replace('orders: [{ order_id: 1 }]', 'orders: { rows: [{ order_id: 1 }], types: { order_id: "INT; drop table x" } }');
    expectError(await loadError({ 'tests/a.yaml': text }), 'CONFIG_INVALID', 'tests/a.yaml:5:61: "INT; drop table x" is not a SQL type name');
  });

  test('a CSV file that does not exist', async () => {
    const text = enrichedTest().replace('orders: [{ order_id: 1 }]', 'orders: { csv: fixtures/nope.csv }');
    expectError(await loadError({ 'tests/a.yaml': text }), 'CONFIG_INVALID', 'tests/a.yaml:5:22: CSV file "fixtures/nope.csv" does not exist', 'relative to the folder of the test file');
  });

  test('expected rows that do not give the same columns', async () => {
    const text = enrichedTest().replace('rows: [{ order_id: 1, name: Ann }]', 'rows:\n        - { order_id: 1, name: Ann }\n        - { order_id: 2 }');
    expectError(await loadError({ 'tests/a.yaml': text }), 'CONFIG_INVALID', 'tests/a.yaml:10:11: expected row 2 lacks "name"');
  });

  test('a test name used twice in one file', async () => {
    const text = `${enrichedTest()}${enrichedTest().replace('tests:\n', '')}`;
    expectError(await loadError({ 'tests/a.yaml': text }), 'CONFIG_INVALID', 'tests/a.yaml:9:11: test "joins" is named twice in this file');
  });

  test('every problem of every file at once', async () => {
    const error = await loadError({
      'tests/a.yaml': enrichedTest().replace('model: enriched', 'model: nope'),
      'tests/b.yaml': enrichedTest().replace('    expect:', '    expected:'),
    });
    expect(error).toBeInstanceOf(ProjectProblems);
    const problems = (error as ProjectProblems).problems.map((problem) => problem.describe().split('\n')[0]);
    expect(problems).toEqual([
      'tests/a.yaml:3:12: no model "nope" in this project',
      'tests/b.yaml:7:5: unknown key "expected" in "tests[0]"',
    ]);
  });
});
