/**
 * Comparing Weir's outcome of a mapped GE case with GE's expected result, with the rules of GE's
 * own runner (`check_json_test_result`) where they apply to Weir:
 *
 * - `success` must be equal (all mapped checks passed);
 * - a numeric `observed_value` must be close: |weir - ge| <= atol + rtol * |ge| with atol 5e-2 and
 *   rtol 1e-7, or the case's `tolerance` as rtol; quantile ranges compare value by value;
 * - `unexpected_list` must have as many entries as Weir counted failing rows, and Weir's sample of
 *   failing rows must hold only values from the list;
 * - a case that expects a configuration error (`traceback_substring`) passes only when Weir
 *   rejects the configuration: when the check parser refuses it, or the engine cannot evaluate it.
 */
import type { CheckOutcome } from '../evaluate-checks.js';
import type { CaseStatus } from './conformance-report.js';
import { expectedError, type GeTestCase } from './ge-definitions.js';

/** What Weir made of a mapped case. */
export type WeirVerdict = { kind: 'rejected'; stage: 'load' | 'evaluation'; message: string } | { kind: 'evaluated'; outcomes: CheckOutcome[] };

/** The judgement of one case. */
export interface CaseJudgement {
  status: Exclude<CaseStatus, 'skipped' | 'unsupported'>;
  reason?: string;
}

const ABSOLUTE_TOLERANCE = 5e-2;
const RELATIVE_TOLERANCE = 1e-7;

/**
 * True when `actual` is within GE's tolerance of `expected` (numpy's allclose with atol 5e-2).
 *
 * @example
 * ```ts
 * closeEnough(3.54, 3.5); // true
 * closeEnough(3.6, 3.5); // false
 * ```
 */
export function closeEnough(actual: number, expected: number, relative = RELATIVE_TOLERANCE): boolean {
  return Math.abs(actual - expected) <= ABSOLUTE_TOLERANCE + relative * Math.abs(expected);
}

/** Loose equality of a value from the engine and one from GE's JSON (numbers as numbers, else text). */
function sameValue(actual: unknown, expected: unknown): boolean {
  if (actual === null || actual === undefined || expected === null || expected === undefined) return (actual ?? null) === (expected ?? null);
  const a = Number(actual);
  const e = Number(expected);
  if (typeof expected === 'number' && !Number.isNaN(a)) return a === e;
  return String(actual) === String(expected);
}

/**
 * Judges a case from Weir's verdict.
 *
 * @example
 * ```ts
 * judgeGeCase(test, { kind: 'evaluated', outcomes }); // { status: 'passed' } or { status: 'failed', reason }
 * ```
 */
export function judgeGeCase(test: GeTestCase, verdict: WeirVerdict): CaseJudgement {
  const error = expectedError(test);
  if (error !== undefined) {
    if (verdict.kind === 'rejected') return { status: 'passed', reason: `rejected at ${verdict.stage}, as GE rejects it ("${error}")` };
    const success = verdict.outcomes.every((outcome) => outcome.passed);
    return { status: 'failed', reason: `GE rejects the configuration ("${error}"); Weir evaluated it (success ${success}: ${details(verdict.outcomes)})` };
  }
  if (verdict.kind === 'rejected') return { status: 'failed', reason: `Weir rejected it at ${verdict.stage}: ${verdict.message}` };
  const problems = [...successProblems(test, verdict.outcomes), ...observedProblems(test, verdict.outcomes), ...unexpectedProblems(test, verdict.outcomes)];
  return problems.length === 0 ? { status: 'passed' } : { status: 'failed', reason: problems.join('; ') };
}

function details(outcomes: readonly CheckOutcome[]): string {
  return outcomes.map((outcome) => outcome.detail).join(' | ');
}

function successProblems(test: GeTestCase, outcomes: readonly CheckOutcome[]): string[] {
  const expected = test.out.success;
  if (typeof expected !== 'boolean') return [];
  const success = outcomes.every((outcome) => outcome.passed);
  return success === expected ? [] : [`success: GE ${expected}, Weir ${success} (${details(outcomes)})`];
}

/** GE's observed value of the case: in `out`, or in `out.result` for complete result formats. */
function expectedObserved(test: GeTestCase): { present: boolean; value: unknown } {
  if ('observed_value' in test.out) return { present: true, value: test.out.observed_value };
  const result = test.out.result as Record<string, unknown> | undefined;
  if (result !== undefined && 'observed_value' in result) return { present: true, value: result.observed_value };
  return { present: false, value: undefined };
}

function observedProblems(test: GeTestCase, outcomes: readonly CheckOutcome[]): string[] {
  const { present, value } = expectedObserved(test);
  if (!present) return [];
  const relative = test.tolerance ?? RELATIVE_TOLERANCE;
  const compare = (expected: unknown, outcome: CheckOutcome | undefined, label: string): string[] => {
    if (outcome === undefined) return [];
    const actual = outcome.observed;
    if (expected === null) return actual === null || actual === undefined ? [] : [`${label}: GE has no value, Weir ${actual}`];
    if (typeof expected !== 'number') return [];
    if (typeof actual !== 'number') return [`${label}: GE ${expected}, Weir has no value`];
    return closeEnough(actual, expected, relative) ? [] : [`${label}: GE ${expected}, Weir ${actual}`];
  };
  if (typeof value === 'number' || value === null) return outcomes.length === 1 ? compare(value, outcomes[0], 'observed') : [];
  if (typeof value === 'object' && value !== null && 'values' in value && Array.isArray((value as { values: unknown }).values)) {
    const values = (value as { values: unknown[] }).values;
    return values.flatMap((expected, index) => compare(expected, outcomes[index], `quantile ${index}`));
  }
  if (typeof value === 'object' && value !== null && 'self' in value) {
    return compare((value as { self: unknown }).self, outcomes[0], 'observed row count');
  }
  // unexpected_rows_expectation reports "N unexpected row(s)": Weir's failing-row count.
  const rows = typeof value === 'string' ? /^(\d+) unexpected rows?$/.exec(value) : null;
  if (rows !== null && outcomes.length === 1) {
    const failing = outcomes[0]?.failingRows;
    return failing === Number(rows[1]) ? [] : [`unexpected rows: GE ${rows[1]}, Weir ${failing}`];
  }
  // Lists of distinct values and type names have no Weir counterpart to compare.
  return [];
}

function unexpectedProblems(test: GeTestCase, outcomes: readonly CheckOutcome[]): string[] {
  const result = test.out.result as Record<string, unknown> | undefined;
  const list = Array.isArray(test.out.unexpected_list) ? test.out.unexpected_list : Array.isArray(result?.unexpected_list) ? result.unexpected_list : undefined;
  const count = list?.length ?? (typeof result?.unexpected_count === 'number' ? result.unexpected_count : undefined);
  // Several checks (a `match_on: all` list) count their failing rows separately; the union is unknown.
  if (count === undefined || outcomes.length !== 1) return [];
  const outcome = outcomes[0] as CheckOutcome;
  if (outcome.failingRows === null) return [];
  const problems = outcome.failingRows === count ? [] : [`unexpected rows: GE ${count}, Weir ${outcome.failingRows}`];
  const column = 'column' in outcome.check ? outcome.check.column : undefined;
  if (list !== undefined && column !== undefined && outcome.sample !== undefined && list.every((entry) => entry === null || typeof entry !== 'object')) {
    const strays = outcome.sample.map((row) => row[column]).filter((value) => !list.some((entry) => sameValue(value, entry)));
    if (strays.length > 0) problems.push(`Weir sampled failing value(s) ${JSON.stringify(strays)} not in GE's unexpected_list`);
  }
  return problems;
}
