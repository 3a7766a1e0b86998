/**
 * Great Expectations conformance: GE's own test definitions (../shared/conformance/great_expectations)
 * run against Weir's equivalent checks on an in-memory DuckDB, acting as GE's `sqlite` backend.
 * The report lists every case that does not pass with its reason; docs/conformance.md explains them.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDuckDBAdapter } from '../../engines/duckdb/duckdb-adapter.js';
import type { EngineAdapter } from '../../engines/engine-adapter.js';
import { corpusRequired, locateCorpus } from './conformance-material.js';
import { formatReport, summarise, type CaseResult } from './conformance-report.js';
import { loadGeDefinitions, parseGeJson, runsOnBackend, type GeBackend } from './ge-definitions.js';
import { runGreatExpectations, type GeHarnessResult } from './ge-harness.js';
import { GE_MAPPINGS, GE_UNMAPPED, mapGeCase } from './ge-mapping.js';
import { likeToRegex } from './pattern-translation.js';
import type { CheckOutcome } from '../evaluate-checks.js';
import { judgeGeCase } from './ge-judge.js';
import { tableRows } from './ge-tables.js';

const corpus = locateCorpus('great_expectations');

describe('GE harness pieces', () => {
  test('bare Infinity and NaN are read outside strings only', () => {
    expect(parseGeJson('{"bins": [-Infinity, 0, Infinity], "x": NaN, "note": "the string Infinity"}')).toEqual({
      bins: [-Infinity, 0, Infinity],
      x: NaN,
      note: 'the string Infinity',
    });
  });

  test('backend marks follow GE: suppress wins, sqlalchemy names every SQL backend', () => {
    expect(runsOnBackend('sqlite', {})).toBe(true);
    expect(runsOnBackend('sqlite', { only_for: ['sqlalchemy'] })).toBe(true);
    expect(runsOnBackend('sqlite', { only_for: ['pandas'] })).toBe(false);
    expect(runsOnBackend('sqlite', { suppress_test_for: ['sqlalchemy'] })).toBe(false);
    expect(runsOnBackend('pandas', { only_for: ['pandas_v3_api'] })).toBe(true);
    expect(runsOnBackend('pandas', { only_for: ['pandas_v2_api'] })).toBe(false);
  });

  test('a missing corpus is reported with where it was looked for, and is fatal only on CI', () => {
    expect(locateCorpus('no_such_corpus')).toMatchObject({ found: false, message: expect.stringContaining('shared/conformance/no_such_corpus') });
    expect(corpusRequired({ CI: 'true' })).toBe(true);
    expect(corpusRequired({})).toBe(false);
  });

  test('LIKE patterns become anchored regexes', () => {
    expect(likeToRegex('a%')).toBe('^a.*$');
    expect(likeToRegex('%[b]_')).toBe('^.*\\[b\\].$');
  });

  test('tables take the hinted type, and text where a value does not fit it', () => {
    const { columns, rows } = tableRows({ x: [1, null], y: [1, 'abc'], ts: ['Jan 01 1970 12:00:01', null] }, 'sqlite', {
      sqlite: { x: 'INTEGER', y: 'INTEGER', ts: 'DATETIME' },
    });
    expect(columns.map((column) => column.type)).toEqual(['INTEGER', 'VARCHAR', 'TIMESTAMP']);
    expect(rows[0]).toEqual({ x: 1, y: '1', ts: '1970-01-01 12:00:01.000' });
  });

  test('cases map to the YAML a user writes, or are unsupported', () => {
    const context = { quote: (name: string) => `"${name}"`, relationSql: '"main"."t"' };
    expect(mapGeCase('expect_column_values_to_not_be_null', { column: 'id', mostly: 0.9, result_format: 'BASIC' }, context)).toEqual({
      kind: 'checks',
      checks: [{ not_null: { column: 'id', mostly: 0.9 } }],
    });
    expect(mapGeCase('expect_column_values_to_be_between', { column: 'x', min_value: 1, row_condition: 'y == 1' }, context)).toMatchObject({ kind: 'unsupported' });
    expect(mapGeCase('expect_column_kl_divergence_to_be_less_than', { column: 'x' }, context)).toBeUndefined();
  });

  test('judging: configuration errors must be rejected; observed values and unexpected counts must agree', () => {
    const check = { type: 'mean', column: 'x', min: 0, name: 'mean_x', severity: 'error' } as const;
    const outcome = (fields: Partial<CheckOutcome>): CheckOutcome => ({ check, passed: true, severity: 'error', failingRows: null, detail: 'd', ...fields });
    const base = { title: 't', in: {} };
    expect(judgeGeCase({ ...base, out: { traceback_substring: 'bad' } }, { kind: 'rejected', stage: 'load', message: 'no' }).status).toBe('passed');
    expect(judgeGeCase({ ...base, out: { traceback_substring: 'bad' } }, { kind: 'evaluated', outcomes: [outcome({})] }).status).toBe('failed');
    expect(judgeGeCase({ ...base, out: { success: true } }, { kind: 'rejected', stage: 'load', message: 'no' }).status).toBe('failed');
    expect(judgeGeCase({ ...base, out: { success: true, observed_value: 3.5 } }, { kind: 'evaluated', outcomes: [outcome({ observed: 3.54 })] }).status).toBe('passed');
    expect(judgeGeCase({ ...base, out: { success: true, observed_value: 3.5 } }, { kind: 'evaluated', outcomes: [outcome({ observed: 3.6 })] })).toMatchObject({
      status: 'failed',
      reason: 'observed: GE 3.5, Weir 3.6',
    });
    expect(judgeGeCase({ ...base, out: { success: false, unexpected_list: [1, 1] } }, { kind: 'evaluated', outcomes: [outcome({ passed: false, failingRows: 3 })] })).toMatchObject({
      status: 'failed',
      reason: 'unexpected rows: GE 2, Weir 3',
    });
  });
});

/**
 * The backends the harness acts as. PostgreSQL is the closest GE backend to Weir on DuckDB (typed
 * comparisons, regular expressions); SQLite is GE's reference SQL backend, but it suppresses every
 * regex case (SQLite has no REGEXP).
 */
const BACKENDS: readonly GeBackend[] = ['postgresql', 'sqlite'];

if (!corpus.found) {
  if (corpusRequired()) {
    test('the Great Expectations corpus is present (CI=true)', () => {
      throw new Error(corpus.message);
    });
  } else {
    console.warn(`SKIPPED: ${corpus.message}`);
    test.skip(`Great Expectations conformance (${corpus.message})`, () => {});
  }
} else {
  const files = loadGeDefinitions(corpus.path);

  test('every expectation with cases is either mapped or listed as unmapped with a reason', () => {
    const unclassified = files
      .filter((file) => file.datasets.some((dataset) => dataset.tests.length > 0))
      .map((file) => file.expectation_type)
      .filter((type) => GE_MAPPINGS[type] === undefined && GE_UNMAPPED[type] === undefined);
    expect(unclassified).toEqual([]);
  });

  describe.each(BACKENDS)('Great Expectations conformance (acting as %s)', (backend) => {
    let engine: EngineAdapter;
    let run: GeHarnessResult;

    beforeAll(async () => {
      engine = await openDuckDBAdapter({ path: ':memory:' });
      run = await runGreatExpectations(files, { engine, schema: 'main', backend, now: new Date('2026-11-21T12:00:00Z') });
      console.log(formatReport(`Great Expectations conformance (acting as the ${backend} backend)`, run.results, run.unmapped));
    });
    afterAll(async () => {
      await engine?.close();
    });

    test('a meaningful number of cases ran, and at least 90% of them pass', () => {
      const summary = summarise(run.results);
      expect(summary.judged).toBeGreaterThanOrEqual(300);
      expect(summary.passRate).toBeGreaterThanOrEqual(0.9);
    });

    test('the cases that do not pass are exactly the documented deviations', () => {
      const notPassing = run.results.filter((result: CaseResult) => result.status === 'failed' || result.status === 'unsupported');
      expect(notPassing.map((result) => `${result.group} / ${result.title}`).sort()).toEqual([...DEVIATIONS_COMMON, ...DEVIATIONS_BY_BACKEND[backend]].sort());
    });
  });
}

/**
 * Every GE case Weir does not pass, as `<file> / <title>`; docs/conformance.md gives the reason of
 * each. A change in Weir that fixes or breaks a case shows up here first.
 */
const DEVIATIONS_COMMON: readonly string[] = [
  // Weir requires a bound on every statistic and row count: a check without one cannot fail.
  'expect_column_mean_to_be_between / vacuously_true_missing_min_and_max',
  'expect_column_median_to_be_between / vacuously_true_both_min_and_max_null',
  'expect_column_proportion_of_unique_values_to_be_between / vacuously_true_null_min_and_max',
  'expect_column_stdev_to_be_between / vacuously_true',
  'expect_column_unique_value_count_to_be_between / vacuously_true_null_min_and_max',
  'expect_table_row_count_to_be_between / vacuously_true',
  // Weir rejects value lists that are empty, missing or hold null at load; GE judges them.
  'expect_column_distinct_values_to_be_in_set / vacuously_true_universal_set',
  'expect_column_values_to_be_in_set / empty_value_set',
  'expect_column_values_to_be_in_set / negative_empty_values_set',
  'expect_column_values_to_not_be_in_set / positive_empty_values_set',
  'expect_column_values_to_not_be_in_set / positive_test_values_set_is_null',
  // Weir rejects min > max at load; GE fails every value.
  'expect_column_value_lengths_to_be_between / negative_test_with_max_lt_min',
  // Weir checks the text form of any column where GE refuses non-string columns.
  'expect_column_value_lengths_to_be_between / test_error_handling_values_are_integers',
  'expect_column_values_to_be_dateutil_parseable / test_raising_exception_for_wrong_input_data_type',
  'expect_column_values_to_match_strftime_format / negative_test_input_already_datetimes',
  'expect_column_values_to_match_strftime_format / test_raising_exception_for_wrong_input_data_type',
  'expect_column_values_to_be_json_parseable / negative_test_integers',
  // The SQL table holds integers where pandas holds strings: nothing for Weir to reject.
  'expect_column_values_to_be_between / error_on_string-to-int_comparisons',
  'expect_column_values_to_be_between_tz_naive / error_on_string-to-int_comparisons',
  // parseable as timestamp reads ISO 8601 only; dateutil also reads 01/01/2010.
  'expect_column_values_to_be_dateutil_parseable / positive_test_with_nulls',
  // Unsupported: column positions, and datetime / $PARAMETER bounds.
  'expect_column_to_exist / column_exists_but_wrong_index',
  'expect_column_to_exist / positive_test_with_column_order',
  'expect_column_values_to_be_between__evaluation_parameters / basic_positive_datetime_test',
  'expect_column_values_to_be_between__evaluation_parameters / basic_positive_now_test',
  'expect_column_values_to_be_between__evaluation_parameters / basic_positive_now_timedelta_test',
];
const DEVIATIONS_BY_BACKEND: Record<GeBackend, readonly string[]> = {
  postgresql: [
    'expect_column_max_to_be_between / datetime_except_sqlite',
    'expect_column_max_to_be_between / datetime_with_evaluation_parameter_except_sqlite',
    'expect_column_values_to_be_between__evaluation_parameters / basic_negative_datetime_test_pandas_spark_select_sql',
    'expect_column_values_to_be_between__evaluation_parameters / basic_negative_now_test_pandas_spark_select_sql',
    'expect_column_values_to_be_between__evaluation_parameters / basic_negative_now_timedelta_test_pandas_spark_select_sql',
    // DuckDB's stddev_samp is one ulp above PostgreSQL's, and the bounds are exactly PostgreSQL's value.
    'expect_column_stdev_to_be_between / positive_test__exact_min_and_max_sqlalchemy',
    // PostgreSQL has no length(integer); Weir measures the text form.
    'expect_column_value_lengths_to_equal / positive_test_integer_length_1_postgres',
    // Weir rejects an empty pattern at load.
    'expect_column_values_to_match_regex / positive_test_empty_regex',
    'expect_column_values_to_not_match_regex / negative_test_empty_regex',
  ],
  sqlite: [
    'expect_column_max_to_be_between / datetime_sqlite',
    'expect_column_max_to_be_between / datetime_with_evaluation_parameter_sqlite',
    'expect_column_values_to_be_between__evaluation_parameters / basic_negative_datetime_test_other_sql',
    'expect_column_values_to_be_between__evaluation_parameters / basic_negative_now_test_other_sql',
    'expect_column_values_to_be_between__evaluation_parameters / basic_negative_now_timedelta_test_other_sql',
  ],
  pandas: [],
};
