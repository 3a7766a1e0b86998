/**
 * Follow-up queries for checks that failed: a few failing rows for the run record, and the exact
 * size of a uniqueness failure. They run only after a failure, so a passing suite never pays.
 */
import type { CheckSpec, UniqueCheck } from '../definitions/check-spec.js';
import { isRowLevelCheck } from '../definitions/check-spec.js';
import type { EngineSession, Row } from '../engines/engine-adapter.js';
import type { CheckDialect } from './check-dialect.js';
import { customSqlWith, stripSemicolon, uniqueKeys, type PlanTarget } from './plan-checks.js';
import { BoundValues, failingRowPredicate } from './row-predicates.js';

/** How many failing rows a result keeps. */
export const SAMPLE_SIZE = 5;

interface SampleContext {
  session: EngineSession;
  dialect: CheckDialect;
  target: PlanTarget;
}

/**
 * A few rows that break `check`, or undefined for checks that are not about rows.
 *
 * @example
 * ```ts
 * const rows = await fetchSample(check, { session, dialect, target }); // up to 5 failing rows
 * ```
 */
export async function fetchSample(check: CheckSpec, context: SampleContext): Promise<Row[] | undefined> {
  const { session, dialect, target } = context;
  const q = (name: string) => dialect.quote(name);
  if (isRowLevelCheck(check)) {
    const params = new BoundValues();
    const predicate = failingRowPredicate(check, dialect, params);
    return session.query(`SELECT * FROM ${target.relationSql} WHERE ${predicate} LIMIT ${SAMPLE_SIZE}`, params.values);
  }
  if (check.type === 'relationships') {
    const parent = check.to === target.asset ? target.relationSql : target.relationOf(check.to);
    const column = `${q('child')}.${q(check.column)}`;
    const scope = check.where === undefined ? '' : ` AND (${check.where})`;
    return session.query(
      `SELECT ${q('child')}.* FROM ${target.relationSql} AS ${q('child')}
       WHERE ${column} IS NOT NULL${scope}
         AND NOT EXISTS (SELECT 1 FROM ${parent} AS ${q('parent')} WHERE ${q('parent')}.${q(check.field)} = ${column})
       LIMIT ${SAMPLE_SIZE}`,
    );
  }
  if (check.type === 'custom_sql') {
    const read = (asset: string) => (asset === target.asset ? target.relationSql : target.relationOf(asset));
    return session.query(customSqlWith(`SELECT * FROM (${stripSemicolon(check.sql)}) AS ${q('failing_rows')} LIMIT ${SAMPLE_SIZE}`, check.reads, read, dialect));
  }
  return undefined;
}

/** The size of a uniqueness failure, with the most repeated keys as its sample. */
export interface DuplicateKeyFacts {
  /** Keys that appear more than once. */
  keys: number;
  /** Rows carrying such a key (every occurrence counts, as Great Expectations counts them). */
  rows: number;
  sample: Row[];
}

/** Measures a failed uniqueness check exactly (the fused count only says "some rows repeat"). */
export async function duplicateKeyFacts(check: UniqueCheck, context: SampleContext): Promise<DuplicateKeyFacts> {
  const { session, dialect, target } = context;
  const { notNull } = uniqueKeys(check.columns, dialect);
  const columns = check.columns.map((column) => dialect.quote(column)).join(', ');
  const [totals] = await session.query(
    `SELECT count(*) AS ${dialect.quote('keys')}, COALESCE(sum(n), 0) AS ${dialect.quote('rows')}
     FROM (SELECT count(*) AS n FROM ${target.relationSql} WHERE ${notNull} GROUP BY ${columns} HAVING count(*) > 1) AS duplicates`,
  );
  const sample = await session.query(
    `SELECT ${columns}, count(*) AS ${dialect.quote('occurrences')} FROM ${target.relationSql} WHERE ${notNull}
     GROUP BY ${columns} HAVING count(*) > 1 ORDER BY count(*) DESC LIMIT ${SAMPLE_SIZE}`,
  );
  return { keys: Number(totals?.keys ?? 0), rows: Number(totals?.rows ?? 0), sample };
}
