/**
 * The SQL of quarantine: which rows of a relation break the checks that hold rows back
 * (`on_fail: quarantine`), written so that the count, the copy into `<asset>__quarantine` and the
 * delete use one predicate per check and can never disagree.
 */
import { checkableOnNewRows, type CheckSpec } from '../definitions/check-spec.js';
import type { CheckDialect } from './check-dialect.js';
import { describeRule } from './judge-check.js';
import { BoundValues, failingRowPredicate } from './row-predicates.js';

/** Columns Weir adds to a quarantine table, after the asset's own. */
export const QUARANTINE_COLUMNS = {
  checks: '_weir_checks',
  reason: '_weir_reason',
  runId: '_weir_run_id',
  version: '_weir_version',
  at: '_weir_quarantined_at',
} as const;

/** The predicates of the quarantining checks over one relation. */
export interface QuarantinePredicates {
  /** One predicate per check, TRUE for a row the check holds back. */
  byCheck: Array<{ check: CheckSpec; sql: string }>;
  /** TRUE for a row any check holds back. */
  any: string;
  /** The failed checks' names and rules of a row, as two text expressions. */
  names: string;
  reasons: string;
  /** Values bound by the predicates (`byCheck`, `any`). */
  params: unknown[];
  /** Values bound by the predicates and by `names` and `reasons` (which extend them). */
  labelParams: unknown[];
}

/** True for a check that holds failing rows back instead of failing the build. */
export function quarantines(check: CheckSpec): boolean {
  return check.onFail === 'quarantine' && checkableOnNewRows(check);
}

/**
 * The predicates of `checks` (those that quarantine) over `relationSql`. Columns are qualified
 * with the relation, so that a relationship's subquery cannot bind them to the parent.
 *
 * @example
 * ```ts
 * const q = quarantinePredicates(asset.checks.filter(quarantines), '"weir_versions"."orders__ab"', dialect, relationOf);
 * await session.execute(`DELETE FROM "weir_versions"."orders__ab" WHERE ${q.any}`, q.params);
 * ```
 */
export function quarantinePredicates(
  checks: readonly CheckSpec[],
  relationSql: string,
  dialect: CheckDialect,
  relationOf: (asset: string) => string,
): QuarantinePredicates {
  const params = new BoundValues();
  const qualified: CheckDialect = { ...dialect, quote: (name) => `${relationSql}.${dialect.quote(name)}` };
  const byCheck = checks.filter(quarantines).map((check) => ({ check, sql: predicate(check, qualified, dialect, params, relationOf) }));
  const predicateParams = [...params.values];
  const when = (pick: (entry: { check: CheckSpec }) => string) =>
    `concat_ws(', ', ${byCheck.map((entry) => `CASE WHEN ${entry.sql} THEN ${params.bind(pick(entry))} END`).join(', ')})`;
  const names = byCheck.length === 0 ? "''" : when((entry) => entry.check.name);
  const reasons = byCheck.length === 0 ? "''" : when((entry) => describeRule(entry.check));
  return { byCheck, any: byCheck.length === 0 ? 'FALSE' : byCheck.map((entry) => `(${entry.sql})`).join(' OR '), names, reasons, params: predicateParams, labelParams: params.values };
}

function predicate(check: CheckSpec, qualified: CheckDialect, dialect: CheckDialect, params: BoundValues, relationOf: (asset: string) => string): string {
  if (check.type === 'relationships') {
    const column = qualified.quote(check.column);
    const parent = dialect.quote('parent');
    const scope = check.where === undefined ? '' : ` AND (${check.where})`;
    return `${column} IS NOT NULL${scope} AND NOT EXISTS (SELECT 1 FROM ${relationOf(check.to)} AS ${parent} WHERE ${parent}.${dialect.quote(check.field)} = ${column})`;
  }
  if (check.type === 'expression') return failingRowPredicate(check, dialect, params);
  return failingRowPredicate(check as Parameters<typeof failingRowPredicate>[0], qualified, params);
}
