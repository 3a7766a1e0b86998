/**
 * Turning measured numbers into a verdict and a sentence for people. Judging is pure: the numbers
 * come from the planned queries, the clock from the caller.
 */
import type { Bounds, CheckSeverity, CheckSpec, CheckTolerance, SchemaCheck } from '../definitions/check-spec.js';
import type { ColumnInfo } from '../engines/engine-adapter.js';
import { typeFamily } from './type-family.js';

/** The outcome of one check on one relation. */
export interface CheckOutcome {
  check: CheckSpec;
  passed: boolean;
  /** The severity this outcome carries: the check's, or `warn` for drift a contract only warns about. */
  severity: CheckSeverity;
  /** Rows that broke the rule, or null for checks that do not count rows. */
  failingRows: number | null;
  /** The number judged (a mean, a row count, an age in seconds), when there is one. */
  observed?: number | null;
  detail: string;
  /** A few failing rows (with their keys), fetched only when the check failed. */
  sample?: Array<Record<string, unknown>>;
}

/** What the planned queries measured for one check. */
export interface CheckMeasures {
  rows: number;
  failing?: number;
  applicable?: number;
  value?: number | null;
}

/** Rows a tolerance allows out of `applicable`. */
export function allowedFailures(tolerance: CheckTolerance | undefined, applicable: number): number {
  if (tolerance === undefined) return 0;
  // The epsilon absorbs binary fractions: `mostly: 0.95` is a tolerance of 0.050000000000000044.
  return 'rows' in tolerance ? tolerance.rows : Math.floor(tolerance.fraction * applicable + 1e-9);
}

/**
 * Judges a check that counts failing rows (row-level checks, relationships, custom SQL, unique).
 *
 * @example
 * ```ts
 * judgeFailingRows(check, 3, 1000); // passed: false unless the check tolerates 3 of 1000
 * ```
 */
export function judgeFailingRows(check: CheckSpec, failing: number, applicable: number | undefined): CheckOutcome {
  const allowed = allowedFailures(check.tolerance, applicable ?? 0);
  const passed = failing <= allowed;
  const scope = applicable === undefined ? '' : ` of ${applicable} checked`;
  const tolerance = allowed > 0 || check.tolerance !== undefined ? `; ${allowed} allowed` : '';
  return { check, passed, severity: check.severity, failingRows: failing, detail: `${failing} failing row(s)${scope}: ${describeRule(check)}${tolerance}` };
}

/** What the check requires, in words ("status in [a, b]"). */
export function describeRule(check: CheckSpec): string {
  switch (check.type) {
    case 'not_null':
      return `${check.column} is never null`;
    case 'unique':
      return `${check.columns.join(', ')} is unique`;
    case 'accepted_values':
      return `${check.column} in [${check.values.join(', ')}]`;
    case 'not_accepted_values':
      return `${check.column} not in [${check.values.join(', ')}]`;
    case 'between':
      return `${check.column} ${describeBounds(check)}`;
    case 'length':
      return `length of ${check.column} ${describeBounds(check)}`;
    case 'regex':
      return `${check.column} matches /${check.pattern}/`;
    case 'not_regex':
      return `${check.column} does not match /${check.pattern}/`;
    case 'parseable':
      return `${check.column} parses as ${check.as}${check.format === undefined ? '' : ` (${check.format})`}`;
    case 'relationships':
      return `every ${check.column} exists in ${check.to}.${check.field}${check.where === undefined ? '' : ` (where ${check.where})`}`;
    case 'expression':
      return `(${check.sql}) holds`;
    case 'custom_sql':
      return 'the custom query returns no rows';
    default:
      return check.type;
  }
}

/** Bounds in words: ">= 0 and < 10". */
export function describeBounds(bounds: Bounds): string {
  const parts: string[] = [];
  if (bounds.min !== undefined) parts.push(`${bounds.strictMin === true ? '>' : '>='} ${bounds.min}`);
  if (bounds.max !== undefined) parts.push(`${bounds.strictMax === true ? '<' : '<='} ${bounds.max}`);
  return parts.join(' and ') || 'any';
}

/** True when `value` lies within `bounds`. */
export function withinBounds(value: number, bounds: Bounds): boolean {
  if (bounds.min !== undefined && (bounds.strictMin === true ? value <= bounds.min : value < bounds.min)) return false;
  if (bounds.max !== undefined && (bounds.strictMax === true ? value >= bounds.max : value > bounds.max)) return false;
  return true;
}

/**
 * Judges a check on one number (a statistic, a row count, a proportion).
 * A statistic of no rows (NULL) passes only when the check has no bounds to break: an empty table
 * has no mean, and saying it is "between 1 and 5" would be a silent pass.
 */
export function judgeValue(check: CheckSpec & Bounds, value: number | null, label: string): CheckOutcome {
  if (value === null || Number.isNaN(value)) {
    return { check, passed: false, severity: check.severity, failingRows: null, observed: null, detail: `${label}: no value (no non-null rows), expected ${describeBounds(check)}` };
  }
  const passed = withinBounds(value, check);
  return { check, passed, severity: check.severity, failingRows: null, observed: value, detail: `${label}: ${formatNumber(value)} (expected ${describeBounds(check)})` };
}

/** A number for a sentence: integers as they are, others to 6 significant digits. */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

/**
 * Judges a schema contract against the relation's columns. Missing columns and changed types
 * fail at the check's severity; extra columns are drift, handled by the contract's policy.
 */
export function judgeSchema(check: SchemaCheck, columns: readonly ColumnInfo[]): CheckOutcome {
  const actual = new Map(columns.map((column) => [column.name.toLowerCase(), column]));
  const broken: string[] = [];
  for (const [name, type] of Object.entries(check.columns)) {
    const found = actual.get(name.toLowerCase());
    if (found === undefined) broken.push(`missing column ${name}`);
    else if (type.toLowerCase() !== 'any' && !sameType(type, found.type)) broken.push(`${name} is ${found.type}, expected ${type}`);
  }
  const required = new Set(Object.keys(check.columns).map((name) => name.toLowerCase()));
  const added = columns.filter((column) => !required.has(column.name.toLowerCase())).map((column) => column.name);
  const drift = added.length > 0 ? [`columns beyond the contract: ${added.join(', ')}`] : [];
  if (broken.length > 0) {
    return { check, passed: false, severity: check.severity, failingRows: null, detail: [...broken, ...drift].join('; ') };
  }
  if (drift.length === 0 || check.onDrift === 'allow_additive') {
    return { check, passed: true, severity: check.severity, failingRows: null, detail: drift.length === 0 ? 'matches the contract' : `matches the contract; ${drift[0]} (allowed)` };
  }
  return { check, passed: false, severity: check.onDrift === 'warn' ? 'warn' : check.severity, failingRows: null, detail: drift[0] as string };
}

/** Types are compared by family, and exactly where the contract gives a precision. */
function sameType(expected: string, actual: string): boolean {
  if (/\(/.test(expected)) return expected.replace(/\s+/g, '').toUpperCase() === actual.replace(/\s+/g, '').toUpperCase();
  return typeFamily(expected) === typeFamily(actual) && typeFamily(expected) !== 'other' ? true : expected.trim().toUpperCase() === actual.trim().toUpperCase();
}

/** Seconds as people read them: "3h 20m", "2d 4h", "45s". */
export function formatAge(seconds: number): string {
  const units: Array<[string, number]> = [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]];
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(seconds));
  for (const [unit, size] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join(' ') || '0s';
}
