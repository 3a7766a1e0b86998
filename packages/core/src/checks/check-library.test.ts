/**
 * Every check type of the library against the same small table, on DuckDB and on PostgreSQL: the
 * same checks must give the same verdicts and counts on both engines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckSpec } from '../definitions/check-spec.js';
import { openDuckDBAdapter } from '../engines/duckdb/duckdb-adapter.js';
import type { EngineAdapter, EngineSession } from '../engines/engine-adapter.js';
import { openPostgresAdapter } from '../engines/postgres/postgres-adapter.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../testing/services.js';
import { checkDialectFor } from './check-dialect.js';
import { evaluateChecks, type CheckEvaluation } from './evaluate-checks.js';
import { planChecks } from './plan-checks.js';

const ORDERS = `CREATE TABLE orders (id INTEGER, status VARCHAR, amount DOUBLE PRECISION, code TEXT, email TEXT,
  created_at TIMESTAMP, raw_date TEXT, payload TEXT, customer_id INTEGER)`;
const ROWS = `INSERT INTO orders VALUES
  (1, 'placed', 10.0, 'AB', 'a@x.com', '2026-11-20 10:00:00', '2026-01-31', '{"a":1}', 10),
  (2, 'shipped', 20.0, 'ABC', 'b@x.com', '2026-11-20 12:00:00', '2026-02-30', '[1,2]', 11),
  (3, 'lost', -5.0, NULL, 'not-an-email', '2026-11-19 08:00:00', 'hello', '{bad', 99),
  (3, 'placed', 7.0, 'ABCD', NULL, '2026-11-21 00:00:00', NULL, NULL, NULL),
  (NULL, NULL, 1.0, 'A', 'e@x.com', NULL, '2026-03-01', '3', 10)`;
const NOW = new Date('2026-11-21T12:00:00Z');

let counter = 0;
function spec(fields: Record<string, unknown>): CheckSpec {
  counter += 1;
  return { name: `check_${counter}`, severity: 'error', ...fields } as unknown as CheckSpec;
}

/** Each case: a check and what its outcome must contain. */
const CASES: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
  ['not_null fails on one NULL', { type: 'not_null', column: 'id' }, { passed: false, failingRows: 1 }],
  ['not_null passes', { type: 'not_null', column: 'amount' }, { passed: true, failingRows: 0 }],
  ['not_null within a row tolerance', { type: 'not_null', column: 'id', tolerance: { rows: 1 } }, { passed: true, failingRows: 1 }],
  ['unique counts every row of a repeated key', { type: 'unique', columns: ['id'] }, { passed: false, failingRows: 2 }],
  ['unique together ignores NULL keys', { type: 'unique', columns: ['id', 'status'] }, { passed: true, failingRows: 0 }],
  ['accepted_values ignores NULL', { type: 'accepted_values', column: 'status', values: ['placed', 'shipped'] }, { passed: false, failingRows: 1 }],
  ['not_accepted_values', { type: 'not_accepted_values', column: 'status', values: ['lost'] }, { passed: false, failingRows: 1 }],
  ['between inclusive', { type: 'between', column: 'amount', min: 0 }, { passed: false, failingRows: 1 }],
  ['between with an exclusive minimum', { type: 'between', column: 'amount', min: 1, strictMin: true }, { passed: false, failingRows: 2 }],
  ['between with an exclusive maximum', { type: 'between', column: 'amount', min: 0, max: 20, strictMax: true }, { passed: false, failingRows: 2 }],
  ['between passes', { type: 'between', column: 'amount', min: -5, max: 20 }, { passed: true, failingRows: 0 }],
  ['regex', { type: 'regex', column: 'email', pattern: '^[^@]+@[^@]+$' }, { passed: false, failingRows: 1 }],
  ['regex with mostly 0.75 (1 of 4 allowed)', { type: 'regex', column: 'email', pattern: '^[^@]+@[^@]+$', tolerance: { fraction: 0.25 } }, { passed: true }],
  ['regex with mostly 0.8 (0 of 4 allowed)', { type: 'regex', column: 'email', pattern: '^[^@]+@[^@]+$', tolerance: { fraction: 0.2 } }, { passed: false }],
  ['not_regex', { type: 'not_regex', column: 'code', pattern: 'D' }, { passed: false, failingRows: 1 }],
  ['length', { type: 'length', column: 'code', min: 2, max: 3 }, { passed: false, failingRows: 2 }],
  ['parseable as date', { type: 'parseable', column: 'raw_date', as: 'date' }, { passed: false, failingRows: 2 }],
  ['parseable as date with a format', { type: 'parseable', column: 'raw_date', as: 'date', format: '%Y-%m-%d' }, { passed: false, failingRows: 2 }],
  ['parseable as json', { type: 'parseable', column: 'payload', as: 'json' }, { passed: false, failingRows: 1 }],
  ['parseable as number', { type: 'parseable', column: 'code', as: 'number' }, { passed: false, failingRows: 4 }],
  ['relationships', { type: 'relationships', column: 'customer_id', to: 'customers', field: 'customer_id' }, { passed: false, failingRows: 1 }],
  ['relationships with a filter', { type: 'relationships', column: 'customer_id', to: 'customers', field: 'customer_id', where: "status <> 'lost'" }, { passed: true, failingRows: 0 }],
  ['row_count between', { type: 'row_count', min: 1, max: 5 }, { passed: true, observed: 5 }],
  ['row_count too few', { type: 'row_count', min: 6 }, { passed: false, detail: 'rows: 5 (expected >= 6)' }],
  ['row_count equal to another asset', { type: 'row_count', equalTo: 'customers' }, { passed: false, detail: "rows: 5, expected equal to customers's 3" }],
  ['row_count fewer than another asset', { type: 'row_count', fewerThan: 'customers' }, { passed: false }],
  ['freshness within its age', { type: 'freshness', column: 'created_at', maxAgeSeconds: 86_400 }, { passed: true, observed: 43_200 }],
  ['freshness too old', { type: 'freshness', column: 'created_at', maxAgeSeconds: 6 * 3600 }, { passed: false, detail: 'newest created_at is 12h old (expected at most 6h)' }],
  ['distinct_count', { type: 'distinct_count', column: 'status', min: 3 }, { passed: true, observed: 3 }],
  ['distinct_count too many', { type: 'distinct_count', column: 'status', max: 2 }, { passed: false }],
  ['unique_proportion', { type: 'unique_proportion', column: 'id', min: 0.8 }, { passed: false, observed: 0.75 }],
  ['mean', { type: 'mean', column: 'amount', min: 6, max: 7 }, { passed: true, observed: 6.6 }],
  ['median', { type: 'median', column: 'amount', min: 7, max: 7 }, { passed: true, observed: 7 }],
  ['stddev', { type: 'stddev', column: 'amount', max: 9 }, { passed: false }],
  ['sum', { type: 'sum', column: 'amount', min: 33, max: 33 }, { passed: true, observed: 33 }],
  ['minimum', { type: 'minimum', column: 'amount', min: 0 }, { passed: false, observed: -5 }],
  ['maximum', { type: 'maximum', column: 'amount', max: 20 }, { passed: true, observed: 20 }],
  ['quantile', { type: 'quantile', column: 'amount', quantile: 0.75, min: 10, max: 10 }, { passed: true, observed: 10 }],
  ['null_proportion too high', { type: 'null_proportion', column: 'email', max: 0.1 }, { passed: false, observed: 0.2 }],
  ['null_proportion fine', { type: 'null_proportion', column: 'email', max: 0.25 }, { passed: true }],
  ['expression', { type: 'expression', sql: 'amount > 0' }, { passed: false, failingRows: 1 }],
  ['custom SQL returning failing rows', { type: 'custom_sql', sql: 'SELECT * FROM orders WHERE amount > 15;', reads: ['orders'] }, { passed: false, failingRows: 1 }],
  ['schema contract with additive drift allowed', { type: 'schema', columns: { id: 'INTEGER', status: 'VARCHAR' }, onDrift: 'allow_additive' }, { passed: true }],
  ['schema contract failing on drift', { type: 'schema', columns: { id: 'INTEGER', status: 'VARCHAR' }, onDrift: 'fail' }, { passed: false, severity: 'error' }],
  ['schema contract warning on drift', { type: 'schema', columns: { id: 'INTEGER', status: 'VARCHAR' }, onDrift: 'warn' }, { passed: false, severity: 'warn' }],
  ['schema contract with a changed type', { type: 'schema', columns: { id: 'VARCHAR' }, onDrift: 'allow_additive' }, { passed: false }],
  ['schema contract with a missing column', { type: 'schema', columns: { order_id: 'any' }, onDrift: 'allow_additive' }, { passed: false, detail: expect.stringContaining('missing column order_id') }],
];

function checkLibrary(openEngine: () => Promise<{ engine: EngineAdapter; schema: string }>, closeEngine: () => Promise<void>) {
  let engine: EngineAdapter;
  let session: EngineSession;
  let schema: string;
  const checks = CASES.map(([, fields]) => spec(fields));
  let evaluation: CheckEvaluation;

  beforeAll(async () => {
    ({ engine, schema } = await openEngine());
    session = await engine.session();
    await session.execute(`CREATE SCHEMA IF NOT EXISTS ${engine.quoteIdentifier(schema)}`);
    await session.setSearchPath(schema);
    await session.execute(ORDERS);
    await session.execute(ROWS);
    await session.execute('CREATE TABLE customers AS SELECT * FROM (VALUES (10), (11), (12)) AS t(customer_id)');
    evaluation = await evaluate(checks);
  });
  afterAll(async () => {
    await session?.close();
    await engine?.close();
    await closeEngine();
  });

  function evaluate(list: CheckSpec[]): Promise<CheckEvaluation> {
    const relation = (name: string) => engine.quoteRelation({ schema, name });
    return evaluateChecks(list, {
      session,
      dialect: checkDialectFor(engine.kind, (name) => engine.quoteIdentifier(name)),
      target: { relationSql: relation('orders'), asset: 'orders', relationOf: relation },
      columns: [
        { name: 'id', type: engine.kind === 'postgres' ? 'INT4' : 'INTEGER', nullable: true },
        { name: 'status', type: 'VARCHAR', nullable: true },
        { name: 'amount', type: 'DOUBLE', nullable: true },
      ],
      now: NOW,
    });
  }

  it.each(CASES.map(([title, , expected], index) => [title, index, expected] as const))('%s', (_title, index, expected) => {
    expect(evaluation.rows).toBe(5);
    const outcome = evaluation.outcomes[index];
    expect(outcome).toMatchObject(expected);
    if (typeof expected.observed === 'number') expect(outcome?.observed).toBeCloseTo(expected.observed, 9);
  });

  it('fetches samples only for failed checks, with the failing rows', () => {
    const byTitle = new Map(CASES.map(([title], index) => [title, evaluation.outcomes[index]]));
    expect(byTitle.get('accepted_values ignores NULL')?.sample).toEqual([expect.objectContaining({ id: 3, status: 'lost' })]);
    expect(byTitle.get('unique counts every row of a repeated key')?.sample).toEqual([{ id: 3, occurrences: 2 }]);
    expect(byTitle.get('relationships')?.sample).toEqual([expect.objectContaining({ customer_id: 99 })]);
    expect(byTitle.get('custom SQL returning failing rows')?.sample).toEqual([expect.objectContaining({ amount: 20 })]);
    expect(byTitle.get('not_null passes')?.sample).toBeUndefined();
  });

  it('binds listed values instead of concatenating them', async () => {
    const { outcomes } = await evaluate([spec({ type: 'accepted_values', column: 'code', values: ["AB' OR '1'='1", 'ABC', 'ABCD', 'A'] })]);
    expect(outcomes[0]).toMatchObject({ passed: false, failingRows: 1 });
  });

  it('names the check when its SQL cannot run', async () => {
    await expect(evaluate([spec({ type: 'expression', name: 'broken_expression', sql: 'no_such_column > 1' })])).rejects.toThrow(/broken_expression/);
  });

  it('judges an empty relation: row checks pass, statistics have no value and fail', async () => {
    await session.execute('CREATE TABLE empty_orders AS SELECT * FROM orders WHERE false');
    const relation = engine.quoteRelation({ schema, name: 'empty_orders' });
    const { outcomes, rows } = await evaluateChecks([spec({ type: 'not_null', column: 'id' }), spec({ type: 'mean', column: 'amount', min: 0 })], {
      session,
      dialect: checkDialectFor(engine.kind, (name) => engine.quoteIdentifier(name)),
      target: { relationSql: relation, asset: 'empty_orders', relationOf: (name) => engine.quoteRelation({ schema, name }) },
    });
    expect(rows).toBe(0);
    expect(outcomes.map((outcome) => outcome.passed)).toEqual([true, false]);
  });
}

describe('check library on DuckDB', () => {
  checkLibrary(async () => ({ engine: await openDuckDBAdapter({ path: ':memory:' }), schema: 'main' }), async () => {});
});

let database: TestDatabase | undefined;
await describeWithService(postgresService, 'check library on PostgreSQL', () => {
  checkLibrary(
    async () => {
      database = await createTestDatabase('weir_checks');
      return { engine: await openPostgresAdapter({ url: database.url }), schema: 'checked' };
    },
    async () => database?.drop(),
  );
});

describe('planChecks', () => {
  const quote = (name: string) => `"${name}"`;
  const target = { relationSql: '"v"."t"', asset: 't', relationOf: (name: string) => `"prod"."${name}"` };
  const cheap = [
    { type: 'not_null', column: 'a' },
    { type: 'between', column: 'b', min: 0 },
    { type: 'accepted_values', column: 'c', values: [1, 2] },
    { type: 'regex', column: 'd', pattern: 'x' },
    { type: 'length', column: 'd', max: 3 },
    { type: 'mean', column: 'b', min: 0 },
    { type: 'stddev', column: 'b', max: 3 },
    { type: 'null_proportion', column: 'c', max: 0.1 },
    { type: 'expression', sql: 'a < b' },
    { type: 'row_count', min: 1 },
  ].map(spec);

  it('puts every cheap check of an asset into one scan', () => {
    for (const kind of ['duckdb', 'postgres']) {
      const plan = planChecks(cheap, [], target, checkDialectFor(kind, quote));
      expect(plan.queries).toHaveLength(1);
      expect(plan.queries[0]?.params).toEqual(['1', '2', 'x']);
    }
  });

  it('places exact distinct counts per engine and computes a shared one once', () => {
    const distinct = [spec({ type: 'unique', columns: ['a'] }), spec({ type: 'distinct_count', column: 'a', min: 1 }), spec({ type: 'unique', columns: ['b'] })];
    const onDuckDB = planChecks([...cheap, ...distinct], [], target, checkDialectFor('duckdb', quote));
    // DuckDB: each unique key by a GROUP BY of its own (perfect hash for integer keys), distinct values apart.
    expect(onDuckDB.queries).toHaveLength(4);
    expect(onDuckDB.queries.filter((query) => query.sql.includes('HAVING count(*) > 1'))).toHaveLength(2);
    // Two checks needing the same distinct count share one query.
    const shared = planChecks([spec({ type: 'distinct_count', column: 'a', min: 1 }), spec({ type: 'unique_proportion', column: 'a', min: 0.5 })], [], target, checkDialectFor('duckdb', quote));
    expect(shared.queries).toHaveLength(2);
    // PostgreSQL keeps the shared scan parallel: a sort for each unique key, a GROUP BY for the distinct values.
    const onPostgres = planChecks([...cheap, ...distinct], [], target, checkDialectFor('postgres', quote));
    expect(onPostgres.queries).toHaveLength(4);
    expect(onPostgres.queries[2]?.sql).toContain('GROUP BY');
  });

  it('runs checks that read other relations as their own queries', () => {
    const plan = planChecks(
      [spec({ type: 'relationships', column: 'a', to: 'parents', field: 'id' }), spec({ type: 'row_count', equalTo: 'other' })],
      [],
      target,
      checkDialectFor('postgres', quote),
    );
    expect(plan.queries).toHaveLength(3);
    expect(plan.queries[1]?.sql).toContain('"prod"."parents"');
    expect(plan.queries[2]?.sql).toContain('"prod"."other"');
  });
});
