/**
 * dbt-utils and dbt-expectations conformance: the packages' integration tests
 * (../shared/conformance/dbt_utils, dbt_expectations) run against Weir's equivalent checks on an
 * in-memory DuckDB, acting as dbt's duckdb adapter, with "now" frozen for the recency models.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDuckDBAdapter } from '../../engines/duckdb/duckdb-adapter.js';
import type { EngineAdapter } from '../../engines/engine-adapter.js';
import { corpusRequired, locateCorpus } from './conformance-material.js';
import { formatReport, summarise } from './conformance-report.js';
import { enabledFor, expectsFailure, readDbtTests } from './dbt-cases.js';
import { runDbtPackage, type DbtHarnessResult } from './dbt-harness.js';
import { DBT_MAPPINGS, DBT_UNMAPPED } from './dbt-mapping.js';
import { renderDbtSql } from './dbt-models.js';

/** A weekday noon: the recency models put data 23 hours and one calendar day before "now". */
const NOW = new Date('2026-11-21T12:00:00Z');

describe('dbt test declarations', () => {
  test('negative cases are read from the inverted thresholds of both packages', () => {
    expect(expectsFailure({ error_if: '<1', warn_if: '<0' })).toBe(true);
    expect(expectsFailure({ error_if: '=0', warn_if: '<4' })).toBe(true);
    expect(expectsFailure({ fail_calc: 'cast((count(*)=0) as int)' })).toBe(true);
    expect(expectsFailure({ severity: 'warn' })).toBe(false);
  });

  test('enabled gates are evaluated for the adapter the harness acts as', () => {
    expect(enabledFor({ enabled: "{{ target.type not in ['bigquery', 'spark' ] }}" }, 'duckdb')).toBe(true);
    expect(enabledFor({ enabled: "{{ target.type in ['bigquery', 'trino'] }}" }, 'duckdb')).toBe(false);
    expect(enabledFor({}, 'duckdb')).toBe(true);
  });

  test('a declaration becomes a case with its arguments, configuration and expected outcome', () => {
    const cases = readDbtTests(`
models:
  - name: m
    columns:
      - name: id
        data_tests:
          - dbt_utils.accepted_range: { min_value: 0, where: "id <> 1" }
          - dbt_utils.accepted_range: { min_value: 5, config: { error_if: "<1", warn_if: "<0" } }
`);
    expect(cases).toEqual([
      { type: 'dbt_utils.accepted_range', model: 'm', column: 'id', args: { min_value: 0 }, config: { where: 'id <> 1' }, expect: 'pass', title: 'm.id #1' },
      { type: 'dbt_utils.accepted_range', model: 'm', column: 'id', args: { min_value: 5 }, config: { error_if: '<1', warn_if: '<0' }, expect: 'fail', title: 'm.id #2' },
    ]);
  });

  test('model Jinja renders for DuckDB with the frozen clock, and unknown Jinja is refused', () => {
    expect(renderDbtSql("select * from {{ ref('a') }} where t > {{ dbt.dateadd('hour', -23, dbt.current_timestamp()) }}", { now: NOW })).toBe(
      "select * from a where t > (TIMESTAMP '2026-11-21 12:00:00' + INTERVAL (-23) hour)",
    );
    expect(() => renderDbtSql('{{ dbt_utils.star(ref("a")) }}', { now: NOW })).toThrow(/unsupported Jinja/);
  });
});

/** Every dbt case Weir does not pass, as `<type> / <title>`; docs/conformance.md gives the reasons. */
const DOCUMENTED_DEVIATIONS: Record<string, readonly string[]> = {
  dbt_utils: [
    // Unsupported: Weir checks have no group_by and (except relationships) no row filter.
    'dbt_utils.accepted_range / data_test_accepted_range.id #3',
    'dbt_utils.at_least_one / data_test_at_least_one.value #1',
    'dbt_utils.equal_rowcount / test_equal_rowcount #2',
    'dbt_utils.fewer_rows_than / test_fewer_rows_than #2',
    'dbt_utils.not_constant / data_test_not_constant.field #2',
    'dbt_utils.not_null_proportion / data_not_null_proportion.point_5 #2',
    'dbt_utils.recency / recency_time_included #2',
    'dbt_utils.recency / recency_time_included #3',
    // Unsupported: freshness compares timestamps, not calendar dates.
    'dbt_utils.recency / recency_time_excluded #1',
  ],
  dbt_expectations: [
    // Weir's unique skips rows with any NULL key; dbt-expectations compares them unless all are NULL.
    'dbt_expectations.expect_compound_columns_to_be_unique / data_test #6',
    // Unsupported: not_match lists with match_on: any ("fails to match at least one pattern").
    'dbt_expectations.expect_column_values_to_not_match_regex_list / data_text.email_address #14',
    'dbt_expectations.expect_column_values_to_not_match_regex_list / data_text.email_address #18',
    'dbt_expectations.expect_column_values_to_not_match_regex_list / data_text.email_address #19',
    'dbt_expectations.expect_column_values_to_not_match_regex_list / data_text.postal_code_5 #9',
    'dbt_expectations.expect_column_values_to_not_match_like_pattern_list / data_text.email_address #27',
    // Unsupported: row conditions, group_by and column positions.
    'dbt_expectations.expect_column_distinct_count_to_equal / timeseries_data_extended.row_value #1',
    'dbt_expectations.expect_column_distinct_count_to_be_greater_than / timeseries_data_extended.row_value #2',
    'dbt_expectations.expect_column_distinct_count_to_be_less_than / timeseries_data_extended.row_value #3',
    'dbt_expectations.expect_column_to_exist / data_test.idx #1',
    'dbt_expectations.expect_column_to_exist / data_test.col_numeric_a #2',
    'dbt_expectations.expect_table_row_count_to_be_between / timeseries_data_grouped #2',
    'dbt_expectations.expect_table_row_count_to_be_between / timeseries_data_grouped #3',
    'dbt_expectations.expect_grouped_row_values_to_have_recent_data / timeseries_data_grouped #4',
    'dbt_expectations.expect_grouped_row_values_to_have_recent_data / timeseries_data_grouped #5',
    'dbt_expectations.expect_grouped_row_values_to_have_recent_data / timeseries_data_grouped #7',
  ],
};

for (const corpusName of ['dbt_utils', 'dbt_expectations'] as const) {
  const corpus = locateCorpus(corpusName);
  if (!corpus.found) {
    if (corpusRequired()) {
      test(`the ${corpusName} corpus is present (CI=true)`, () => {
        throw new Error(corpus.message);
      });
    } else {
      console.warn(`SKIPPED: ${corpus.message}`);
      test.skip(`${corpusName} conformance (${corpus.message})`, () => {});
    }
    continue;
  }
  describe(`${corpusName} conformance (acting as dbt-duckdb)`, () => {
    let engine: EngineAdapter;
    let run: DbtHarnessResult;

    beforeAll(async () => {
      engine = await openDuckDBAdapter({ path: ':memory:' });
      run = await runDbtPackage(corpus.path, { engine, schema: 'main', now: NOW, targetType: 'duckdb' });
      console.log(formatReport(`${corpusName} conformance (acting as dbt-duckdb, now = ${NOW.toISOString()})`, run.results, run.unmapped));
    });
    afterAll(async () => {
      await engine?.close();
    });

    test('every declared test type is mapped or listed as unmapped with a reason', () => {
      const types = new Set([...run.results.map((result) => result.group), ...run.unmapped.map((group) => group.group)]);
      expect([...types].filter((type) => DBT_MAPPINGS[type] === undefined && DBT_UNMAPPED[type] === undefined)).toEqual([]);
    });

    test('cases ran, and Weir agrees on at least 90% of those it can express', () => {
      // group_by and row filters have no Weir equivalent; they are listed, not hidden.
      const summary = summarise(run.results);
      expect(summary.judged).toBeGreaterThanOrEqual(corpusName === 'dbt_utils' ? 20 : 90);
      expect(summary.expressibleRate).toBeGreaterThanOrEqual(0.9);
    });

    test('the cases that do not pass are exactly the documented deviations', () => {
      const notPassing = run.results.filter((result) => result.status === 'failed' || result.status === 'unsupported');
      expect(notPassing.map((result) => `${result.group} / ${result.title}`).sort()).toEqual([...(DOCUMENTED_DEVIATIONS[corpusName] ?? [])].sort());
    });
  });
}
