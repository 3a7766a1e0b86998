/**
 * Running a compiled check plan and turning the numbers into results. A failed check is a result,
 * never an exception; only a check that cannot be evaluated at all (bad SQL in an expression)
 * throws, and it names the check.
 */
import type { CheckSpec } from '../definitions/check-spec.js';
import type { EngineSession } from '../engines/engine-adapter.js';
import { WeirError, messageOf } from '../errors/weir-error.js';
import { compileChecks, sampleQuery, type QuoteIdentifier } from './compile-checks.js';

/** The outcome of one check on one relation. */
export interface CheckOutcome {
  check: CheckSpec;
  passed: boolean;
  failingRows: number | null;
  detail: string;
  sample?: Array<Record<string, unknown>>;
}

/** The outcomes of all checks of an asset, plus the row count measured on the way (null when not measured). */
export interface CheckEvaluation {
  rows: number | null;
  outcomes: CheckOutcome[];
}

const SAMPLE_SIZE = 5;

/**
 * Evaluates `checks` on `relationSql` (a quoted relation) in as few queries as the plan allows.
 *
 * @example
 * ```ts
 * const { rows, outcomes } = await evaluateChecks(session, asset.checks, engine.quoteRelation(ref), (n) => engine.quoteIdentifier(n));
 * const blocking = outcomes.filter((o) => !o.passed && o.check.severity === 'error');
 * ```
 */
export async function evaluateChecks(
  session: EngineSession,
  checks: CheckSpec[],
  relationSql: string,
  quote: QuoteIdentifier,
): Promise<CheckEvaluation> {
  const plan = compileChecks(checks, relationSql, quote);
  const measured = new Map<string, number>();
  let rows = 0;
  for (const query of plan.queries) {
    let result: Record<string, unknown> | undefined;
    try {
      [result] = await session.query(query.sql, query.params);
    } catch (error) {
      throw new WeirError('SQL_EXECUTION', `checks could not be evaluated (${query.measures.map((m) => m.check).join(', ') || 'row count'}): ${messageOf(error)}`, { cause: error });
    }
    if (result && '__rows' in result) rows = Number(result.__rows);
    for (const measure of query.measures) measured.set(measure.check, Number(result?.[measure.alias] ?? 0));
  }
  const outcomes: CheckOutcome[] = [];
  for (const check of checks) {
    const outcome = judge(check, rows, measured.get(check.name) ?? 0);
    if (!outcome.passed) outcome.sample = await fetchSample(session, check, relationSql, quote);
    outcomes.push(outcome);
  }
  return { rows, outcomes };
}

function judge(check: CheckSpec, rows: number, failing: number): CheckOutcome {
  switch (check.type) {
    case 'row_count': {
      const tooFew = check.min !== undefined && rows < check.min;
      const tooMany = check.max !== undefined && rows > check.max;
      const expected = [check.min !== undefined ? `>= ${check.min}` : '', check.max !== undefined ? `<= ${check.max}` : ''].filter(Boolean).join(' and ');
      return { check, passed: !tooFew && !tooMany, failingRows: null, detail: `rows: ${rows} (expected ${expected || 'any'})` };
    }
    case 'not_null':
      return { check, passed: failing === 0, failingRows: failing, detail: `${failing} null value(s) in ${check.column} of ${rows} rows` };
    case 'unique':
      return { check, passed: failing === 0, failingRows: failing, detail: `${failing} row(s) share a duplicated ${check.columns.join(', ')}` };
    case 'accepted_values':
      return { check, passed: failing === 0, failingRows: failing, detail: `${failing} row(s) with ${check.column} outside [${check.values.join(', ')}]` };
    case 'expression':
      return { check, passed: failing === 0, failingRows: failing, detail: `${failing} row(s) where (${check.sql}) does not hold` };
  }
}

async function fetchSample(
  session: EngineSession,
  check: CheckSpec,
  relationSql: string,
  quote: QuoteIdentifier,
): Promise<Array<Record<string, unknown>> | undefined> {
  const query = sampleQuery(check, relationSql, quote, SAMPLE_SIZE);
  if (!query) return undefined;
  return session.query(query.sql, query.params);
}
