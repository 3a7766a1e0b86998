/**
 * Outcomes of conformance cases and the report printed from them. Shared by the Great Expectations
 * and the dbt harnesses so that both count the same way:
 *
 * - `passed`: Weir's verdict (and the observed value or failing-row count, where the case gives
 *   one) agrees with the upstream expectation, or Weir rejected a configuration upstream rejects;
 * - `failed`: it disagrees; the reason says how;
 * - `unsupported`: the case uses an option the Weir check cannot express (a row condition, a
 *   datetime bound, a group by); it counts against the pass rate, because a user cannot port it;
 * - `skipped`: the case is not meant for the backend Weir acts as (upstream `only_for` /
 *   `suppress_test_for`, dbt `enabled:`); it does not count.
 */

/** What happened to one case. */
export type CaseStatus = 'passed' | 'failed' | 'unsupported' | 'skipped';

/** One upstream test case run (or not) against Weir. */
export interface CaseResult {
  /** The expectation or dbt test type the case belongs to (its row in the report). */
  group: string;
  title: string;
  status: CaseStatus;
  /** Why it failed, was unsupported or skipped; for passes, a note such as "rejected at load". */
  reason?: string;
}

/** Counts of one group. */
export interface GroupSummary {
  group: string;
  cases: number;
  passed: number;
  failed: number;
  unsupported: number;
  skipped: number;
}

/** A group of upstream cases Weir has no equivalent check for, with why. */
export interface UnmappedGroup {
  group: string;
  cases: number;
  reason: string;
}

/** The whole result of a harness. */
export interface ConformanceSummary {
  groups: GroupSummary[];
  /** Cases judged (passed + failed + unsupported). */
  judged: number;
  passed: number;
  /** passed / judged: the acceptance rate (unsupported cases count as not passing). */
  passRate: number;
  /** passed / (passed + failed): how often Weir agrees where the case could be expressed at all. */
  expressibleRate: number;
}

/**
 * Counts results per group and overall.
 *
 * @example
 * ```ts
 * const summary = summarise(results);
 * expect(summary.passRate).toBeGreaterThanOrEqual(0.9);
 * ```
 */
export function summarise(results: readonly CaseResult[]): ConformanceSummary {
  const byGroup = new Map<string, GroupSummary>();
  for (const result of results) {
    let group = byGroup.get(result.group);
    if (group === undefined) {
      group = { group: result.group, cases: 0, passed: 0, failed: 0, unsupported: 0, skipped: 0 };
      byGroup.set(result.group, group);
    }
    group.cases += 1;
    group[result.status] += 1;
  }
  const groups = [...byGroup.values()].sort((a, b) => a.group.localeCompare(b.group));
  const passed = groups.reduce((sum, group) => sum + group.passed, 0);
  const failed = groups.reduce((sum, group) => sum + group.failed, 0);
  const unsupported = groups.reduce((sum, group) => sum + group.unsupported, 0);
  const judged = passed + failed + unsupported;
  return {
    groups,
    judged,
    passed,
    passRate: judged === 0 ? 0 : passed / judged,
    expressibleRate: passed + failed === 0 ? 0 : passed / (passed + failed),
  };
}

/**
 * The report as text: a table per group, then every failing and unsupported case with its
 * reason, then the unmapped groups. Skipped cases are counted, not listed (they are upstream's
 * backend matrix, not Weir's behaviour).
 *
 * @example
 * ```ts
 * console.log(formatReport('Great Expectations (acting as sqlite)', results, unmapped));
 * ```
 */
export function formatReport(title: string, results: readonly CaseResult[], unmapped: readonly UnmappedGroup[] = []): string {
  const summary = summarise(results);
  const width = Math.max(10, ...summary.groups.map((group) => group.group.length));
  const row = (cells: Array<string | number>): string =>
    `${String(cells[0]).padEnd(width)}  ${cells
      .slice(1)
      .map((cell) => String(cell).padStart(6))
      .join(' ')}`;
  const lines = [`${title}`, row(['group', 'cases', 'passed', 'failed', 'unsup', 'skipped'])];
  for (const group of summary.groups) lines.push(row([group.group, group.cases, group.passed, group.failed, group.unsupported, group.skipped]));
  const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
  lines.push(
    `overall: ${summary.passed} of ${summary.judged} judged cases pass (${percent(summary.passRate)}); ` +
      `${percent(summary.expressibleRate)} of the cases Weir can express`,
  );
  const listed = results.filter((result) => result.status === 'failed' || result.status === 'unsupported');
  if (listed.length > 0) {
    lines.push('', 'not passing:');
    for (const result of listed) lines.push(`  [${result.status}] ${result.group} / ${result.title}: ${result.reason ?? ''}`);
  }
  if (unmapped.length > 0) {
    lines.push('', 'unmapped (no equivalent Weir check):');
    for (const group of unmapped) lines.push(`  ${group.group} (${group.cases} cases): ${group.reason}`);
  }
  return lines.join('\n');
}
