import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckSpec } from '../definitions/check-spec.js';
import { openDuckDBAdapter, type DuckDBAdapter } from '../engines/duckdb/duckdb-adapter.js';
import type { EngineSession } from '../engines/engine-adapter.js';
import { compileChecks } from './compile-checks.js';
import { evaluateChecks } from './evaluate-checks.js';

let engine: DuckDBAdapter;
let session: EngineSession;
const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const relation = '"main"."orders"';

beforeAll(async () => {
  engine = await openDuckDBAdapter({ path: ':memory:' });
  session = await engine.session();
  await session.execute(`CREATE TABLE orders AS SELECT * FROM (VALUES
    (1, 'placed', 10.0, 'a'), (2, 'shipped', 20.0, 'b'), (3, 'lost', -5.0, NULL),
    (3, 'placed', 7.0, 'c'), (NULL, NULL, 1.0, 'd')) AS t(id, status, amount, code)`);
});
afterAll(async () => {
  await session.close();
  await engine.close();
});

function spec(check: Partial<CheckSpec> & Pick<CheckSpec, 'type'>): CheckSpec {
  return { name: check.type, severity: 'error', ...check } as CheckSpec;
}

describe('evaluateChecks', () => {
  it('counts failing rows for every check kind of the minimal set', async () => {
    const checks: CheckSpec[] = [
      spec({ type: 'not_null', name: 'nn_id', column: 'id' } as CheckSpec),
      spec({ type: 'not_null', name: 'nn_amount', column: 'amount' } as CheckSpec),
      spec({ type: 'unique', name: 'uq_id', columns: ['id'] } as CheckSpec),
      spec({ type: 'unique', name: 'uq_id_status', columns: ['id', 'status'] } as CheckSpec),
      spec({ type: 'accepted_values', name: 'av', column: 'status', values: ['placed', 'shipped'] } as CheckSpec),
      spec({ type: 'expression', name: 'positive', sql: 'amount > 0', severity: 'warn' } as CheckSpec),
      spec({ type: 'row_count', name: 'rows_ok', min: 1, max: 5 } as CheckSpec),
      spec({ type: 'row_count', name: 'rows_too_few', min: 6 } as CheckSpec),
    ];
    const { rows, outcomes } = await evaluateChecks(session, checks, relation, quote);
    const byName = new Map(outcomes.map((outcome) => [outcome.check.name, outcome]));
    expect(rows).toBe(5);
    expect(byName.get('nn_id')).toMatchObject({ passed: false, failingRows: 1 });
    expect(byName.get('nn_amount')).toMatchObject({ passed: true, failingRows: 0 });
    // id 3 appears twice; the NULL id is not a duplicate.
    expect(byName.get('uq_id')).toMatchObject({ passed: false, failingRows: 2 });
    expect(byName.get('uq_id_status')).toMatchObject({ passed: true, failingRows: 0 });
    // 'lost' fails; NULL status is not judged by accepted_values (not_null does that).
    expect(byName.get('av')).toMatchObject({ passed: false, failingRows: 1 });
    expect(byName.get('positive')).toMatchObject({ passed: false, failingRows: 1 });
    expect(byName.get('rows_ok')?.passed).toBe(true);
    expect(byName.get('rows_too_few')).toMatchObject({ passed: false, detail: 'rows: 5 (expected >= 6)' });
  });

  it('fetches samples of failing rows only for failed checks', async () => {
    const checks = [
      spec({ type: 'accepted_values', name: 'av', column: 'status', values: ['placed', 'shipped'] } as CheckSpec),
      spec({ type: 'unique', name: 'uq', columns: ['id'] } as CheckSpec),
      spec({ type: 'not_null', name: 'nn', column: 'amount' } as CheckSpec),
    ];
    const { outcomes } = await evaluateChecks(session, checks, relation, quote);
    expect(outcomes[0]?.sample).toEqual([{ id: 3, status: 'lost', amount: -5, code: null }]);
    expect(outcomes[1]?.sample).toEqual([{ id: 3, occurrences: 2 }]);
    expect(outcomes[2]?.sample).toBeUndefined();
  });

  it('binds accepted values instead of concatenating them', async () => {
    const checks = [spec({ type: 'accepted_values', name: 'av', column: 'code', values: ["a' OR '1'='1", 'b', 'c', 'd'] } as CheckSpec)];
    const { outcomes } = await evaluateChecks(session, checks, relation, quote);
    // Only 'a' is outside the list; the quote-laden value matched nothing and broke nothing.
    expect(outcomes[0]).toMatchObject({ passed: false, failingRows: 1 });
  });

  it('treats an expression that is NULL for a row as failing', async () => {
    const checks = [spec({ type: 'expression', name: 'has_code', sql: "code <> ''" } as CheckSpec)];
    const { outcomes } = await evaluateChecks(session, checks, relation, quote);
    expect(outcomes[0]).toMatchObject({ passed: false, failingRows: 1 });
  });

  it('names the check when an expression cannot be evaluated', async () => {
    const checks = [spec({ type: 'expression', name: 'broken', sql: 'no_such_column > 1' } as CheckSpec)];
    await expect(evaluateChecks(session, checks, relation, quote)).rejects.toThrow(/broken/);
  });
});

describe('compileChecks', () => {
  it('fuses the cheap checks into one scan and gives unique its own query', () => {
    const plan = compileChecks(
      [
        spec({ type: 'not_null', name: 'a', column: 'x' } as CheckSpec),
        spec({ type: 'accepted_values', name: 'b', column: 'y', values: [1, 2] } as CheckSpec),
        spec({ type: 'expression', name: 'c', sql: 'x > 0' } as CheckSpec),
        spec({ type: 'row_count', name: 'd', min: 1 } as CheckSpec),
        spec({ type: 'unique', name: 'e', columns: ['x'] } as CheckSpec),
      ],
      relation,
      quote,
    );
    expect(plan.queries).toHaveLength(2);
    expect(plan.queries[0]?.measures.map((measure) => measure.check)).toEqual(['a', 'b', 'c']);
    expect(plan.queries[0]?.params).toEqual(['1', '2']);
    expect(plan.queries[1]?.measures).toEqual([{ alias: 'duplicate_rows', check: 'e' }]);
  });
});
