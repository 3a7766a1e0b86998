/**
 * dbt-utils and dbt-expectations generic tests as Weir checks, in the YAML form a user writes
 * (so Weir's parser validates them). Column arguments of dbt tests are raw SQL, so expression
 * checks take them as they are. A test-level `where` (or `row_condition`) is folded into an
 * expression check as "rows outside the condition pass"; for every other check it is
 * unsupported, because Weir's checks (other than relationships) have no row filter. A trivially
 * true condition (`1=1`) is no condition.
 */
import { pairExpression, uniqueWithinRecordExpression } from './ge-expressions.js';
import { refName, renderDbtSql, type RenderContext } from './dbt-models.js';
import type { DbtTestCase } from './dbt-cases.js';
import { anyOf, distinct, likeToRegex } from './pattern-translation.js';

/** The checks a test becomes, or why it cannot be expressed. */
export type DbtMapping = { kind: 'checks'; checks: Array<Record<string, unknown>> } | { kind: 'unsupported'; reason: string };

/** How one test type maps. */
export interface DbtTestMapping {
  summary: string;
  map(test: DbtTestCase, context: RenderContext): DbtMapping;
}

type Args = Record<string, unknown>;
type Check = Record<string, unknown>;

const one = (type: string, args: Check): DbtMapping => ({ kind: 'checks', checks: [{ [type]: args }] });
const unsupported = (reason: string): DbtMapping => ({ kind: 'unsupported', reason });
const raw = (name: string): string => name;

function present(fields: Check): Check {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== null));
}

/** The row filter of a test (`config.where` or `row_condition`), or undefined when there is none or it is always true. */
function rowFilter(test: DbtTestCase): string | undefined {
  const filters = [test.config.where, test.args.row_condition, test.args.compare_row_condition].filter((value): value is string => typeof value === 'string');
  const real = filters.filter((filter) => !/^\s*(\d+)\s*=\s*\1\s*$/.test(filter));
  return real.length === 0 ? undefined : real.map((filter) => `(${filter})`).join(' AND ');
}

/** Wraps a mapping that cannot take a row filter or a group by. */
function plain(map: (test: DbtTestCase, context: RenderContext) => DbtMapping): (test: DbtTestCase, context: RenderContext) => DbtMapping {
  return (test, context) => {
    if (rowFilter(test) !== undefined) return unsupported(`row filter "${rowFilter(test)}": this Weir check has no row filter`);
    const groups = test.args.group_by ?? test.args.group_by_columns;
    if (Array.isArray(groups) && groups.length > 0) return unsupported('group_by: Weir checks judge the whole relation, not each group');
    return map(test, context);
  };
}

/** An expression check, with the test's row filter folded in. */
function expression(sql: string, test: DbtTestCase): DbtMapping {
  const groups = test.args.group_by ?? test.args.group_by_columns;
  if (Array.isArray(groups) && groups.length > 0) return unsupported('group_by: Weir checks judge the whole relation, not each group');
  const filter = rowFilter(test);
  return one('expression', { sql: filter === undefined ? sql : `NOT COALESCE(${filter}, FALSE) OR (${sql})` });
}

/** dbt-expectations' `strictly: true` makes both bounds exclusive. */
function bounds(args: Args, names: { min: string; max: string } = { min: 'min_value', max: 'max_value' }): Check {
  const strictly = args.strictly === true;
  const min = args[names.min];
  const max = args[names.max];
  return present({ min, max, strict_min: strictly && min !== undefined ? true : undefined, strict_max: strictly && max !== undefined ? true : undefined });
}

function statistic(type: string): DbtTestMapping {
  return { summary: `${type} with min_value/max_value (strictly -> strict bounds)`, map: onColumn(type, (args) => bounds(args)) };
}

/** A regex with dbt-expectations' `flags`: `i` becomes RE2's inline `(?i)`, `c` is the default. */
function flagged(pattern: string, flags: unknown): string | DbtMapping {
  if (flags === undefined || flags === null || flags === '' || flags === 'c') return pattern;
  if (flags === 'i') return `(?i)${pattern}`;
  return unsupported(`regex flags "${String(flags)}"`);
}

/**
 * Regex and LIKE lists. dbt-expectations ORs the per-pattern test for `match_on: any` (the
 * default) and ANDs it for `all`. For `not_match` lists the per-pattern test is "does not match",
 * so `any` means "fails to match at least one pattern", which no regex check says unless the list
 * has one distinct pattern.
 */
function patternList(test: DbtTestCase, patterns: string[], negate: boolean): DbtMapping {
  const matchOn = test.args.match_on === 'all' ? 'all' : 'any';
  const list = distinct(patterns);
  if (negate) {
    if (matchOn === 'any' && list.length > 1) return unsupported('not_match list with match_on: any (a row fails only when it matches every pattern)');
    return one('not_regex', { column: test.column, pattern: anyOf(list) });
  }
  if (matchOn === 'all' && list.length > 1) return { kind: 'checks', checks: list.map((pattern, index) => ({ regex: { column: test.column, pattern, name: `pattern_${index}` } })) };
  return one('regex', { column: test.column, pattern: anyOf(list) });
}

function regexList(test: DbtTestCase, negate: boolean): DbtMapping {
  const patterns: string[] = [];
  for (const pattern of (test.args.regex_list as unknown[] | undefined) ?? []) {
    const regex = flagged(String(pattern), test.args.flags);
    if (typeof regex !== 'string') return regex;
    patterns.push(regex);
  }
  return patternList(test, patterns, negate);
}

function regex(test: DbtTestCase, type: 'regex' | 'not_regex'): DbtMapping {
  const pattern = flagged(String(test.args.regex), test.args.flags);
  return typeof pattern === 'string' ? one(type, { column: test.column, pattern }) : pattern;
}

/** `recency` / `recent_data`: the newest value is at most `interval` dateparts old. */
function freshness(column: unknown, datepart: unknown, interval: unknown): DbtMapping {
  const unit = { second: 's', minute: 'm', hour: 'h', day: 'd', week: 'w' }[String(datepart)];
  if (unit === undefined) return unsupported(`datepart "${String(datepart)}": Weir durations go up to weeks`);
  return one('freshness', { column, max_age: `${Number(interval)}${unit}` });
}

/** Schema contracts from a list of column names. */
function columnSet(list: unknown, onDrift: 'fail' | 'allow_additive'): DbtMapping {
  const columns = Array.isArray(list) ? Object.fromEntries(list.map((column) => [String(column), 'any'])) : {};
  return one('schema', { columns, on_drift: onDrift });
}

/** Proportions as a person writes them: 1 - 0.9 is 0.1, not 0.09999999999999998. */
function complement(value: unknown): number | undefined {
  return typeof value === 'number' ? Number((1 - value).toPrecision(12)) : undefined;
}

/** A check on the test's column, with fields from the test's arguments. */
function onColumn(type: string, fields: (args: Args) => Check = () => ({})): DbtTestMapping['map'] {
  return plain((test) => one(type, { column: test.column, ...fields(test.args) }));
}

/** The LIKE patterns of a list test as anchored regexes. */
function likeList(test: DbtTestCase): string[] {
  return ((test.args.like_pattern_list as unknown[] | undefined) ?? []).map((like) => likeToRegex(String(like)));
}

/** accepted_range: `inclusive: false` makes every given bound strict. */
function acceptedRange(args: Args): Check {
  const strict = args.inclusive === false;
  const given = (value: unknown): true | undefined => (strict && value !== undefined ? true : undefined);
  return present({ min: args.min_value, max: args.max_value, strict_min: given(args.min_value), strict_max: given(args.max_value) });
}

const DBT_UTILS: Record<string, DbtTestMapping> = {
  'dbt_utils.accepted_range': { summary: 'between; inclusive: false makes both bounds strict', map: onColumn('between', acceptedRange) },
  'dbt_utils.not_null_proportion': {
    summary: 'null_proportion with min = 1 - at_most and max = 1 - at_least',
    map: onColumn('null_proportion', (args) => present({ min: complement(args.at_most), max: complement(args.at_least) })),
  },
  'dbt_utils.expression_is_true': {
    summary: 'expression (a column-level test prefixes the column); config.where folded in',
    map: (test) => expression(test.column === undefined ? String(test.args.expression) : `${test.column} ${String(test.args.expression)}`, test),
  },
  'dbt_utils.not_accepted_values': { summary: 'not_accepted_values', map: onColumn('not_accepted_values', (args) => ({ values: args.values })) },
  'dbt_utils.relationships_where': {
    summary: 'relationships with where: from_condition (to_condition is unsupported)',
    map: plain((test) =>
      test.args.to_condition !== undefined
        ? unsupported('to_condition: Weir filters the referencing rows only')
        : one('relationships', { column: test.column, to: refName(test.args.to), field: test.args.field, ...present({ where: test.args.from_condition }) }),
    ),
  },
  'dbt_utils.unique_combination_of_columns': { summary: 'unique on the columns together', map: plain((test) => one('unique', { columns: test.args.combination_of_columns })) },
  'dbt_utils.recency': {
    summary: 'freshness with column: field and max_age: interval datepart (ignore_time_component is unsupported)',
    map: plain((test) =>
      test.args.ignore_time_component === true
        ? unsupported('ignore_time_component: Weir freshness compares timestamps, not dates')
        : freshness(test.args.field, test.args.datepart, test.args.interval),
    ),
  },
  'dbt_utils.equal_rowcount': { summary: 'row_count with equal_to', map: plain((test) => one('row_count', { equal_to: refName(test.args.compare_model) })) },
  'dbt_utils.fewer_rows_than': { summary: 'row_count with fewer_than', map: plain((test) => one('row_count', { fewer_than: refName(test.args.compare_model) })) },
  'dbt_utils.at_least_one': { summary: 'distinct_count with min: 1 (some non-null value)', map: onColumn('distinct_count', () => ({ min: 1 })) },
  'dbt_utils.not_constant': { summary: 'distinct_count with min: 2', map: onColumn('distinct_count', () => ({ min: 2 })) },
};

const E = 'dbt_expectations.';

const DBT_EXPECTATIONS: Record<string, DbtTestMapping> = {
  [`${E}expect_column_values_to_match_regex`]: { summary: 'regex (flags: i as an inline (?i))', map: plain((test) => regex(test, 'regex')) },
  [`${E}expect_column_values_to_not_match_regex`]: { summary: 'not_regex', map: plain((test) => regex(test, 'not_regex')) },
  [`${E}expect_column_values_to_match_regex_list`]: { summary: 'regex alternation (any) or one regex per pattern (all)', map: plain((test) => regexList(test, false)) },
  [`${E}expect_column_values_to_not_match_regex_list`]: { summary: 'not_regex alternation (match_on: all)', map: plain((test) => regexList(test, true)) },
  [`${E}expect_column_values_to_match_like_pattern`]: {
    summary: 'regex with the LIKE pattern as an anchored regex',
    map: onColumn('regex', (args) => ({ pattern: likeToRegex(String(args.like_pattern)) })),
  },
  [`${E}expect_column_values_to_not_match_like_pattern`]: {
    summary: 'not_regex with the LIKE pattern as an anchored regex',
    map: onColumn('not_regex', (args) => ({ pattern: likeToRegex(String(args.like_pattern)) })),
  },
  [`${E}expect_column_values_to_match_like_pattern_list`]: { summary: 'like regex lists', map: plain((test) => patternList(test, likeList(test), false)) },
  [`${E}expect_column_values_to_not_match_like_pattern_list`]: { summary: 'like not_match regex lists', map: plain((test) => patternList(test, likeList(test), true)) },
  [`${E}expect_row_values_to_have_recent_data`]: {
    summary: 'freshness with max_age: interval datepart',
    map: plain((test) => freshness(test.column, test.args.datepart, test.args.interval)),
  },
  [`${E}expect_grouped_row_values_to_have_recent_data`]: {
    summary: 'freshness on timestamp_column (group_by is unsupported)',
    map: plain((test) => freshness(test.args.timestamp_column, test.args.datepart, test.args.interval)),
  },
  [`${E}expect_column_values_to_be_of_type`]: {
    summary: 'schema contract { column: column_type } with on_drift: allow_additive',
    map: plain((test, context) => one('schema', { columns: { [String(test.column)]: renderDbtSql(String(test.args.column_type), context) }, on_drift: 'allow_additive' })),
  },
  [`${E}expect_column_distinct_count_to_equal`]: { summary: 'distinct_count with min = max = value', map: onColumn('distinct_count', (args) => ({ min: args.value, max: args.value })) },
  [`${E}expect_column_distinct_count_to_be_greater_than`]: { summary: 'distinct_count with an exclusive min', map: onColumn('distinct_count', (args) => ({ min: args.value, strict_min: true })) },
  [`${E}expect_column_distinct_count_to_be_less_than`]: { summary: 'distinct_count with an exclusive max', map: onColumn('distinct_count', (args) => ({ max: args.value, strict_max: true })) },
  [`${E}expect_compound_columns_to_be_unique`]: {
    summary: 'unique on the columns together (rows with any NULL key are skipped)',
    map: plain((test) => one('unique', { columns: test.args.column_list })),
  },
  [`${E}expect_table_row_count_to_equal`]: { summary: 'row_count with min = max = value', map: plain((test) => one('row_count', { min: test.args.value, max: test.args.value })) },
  [`${E}expect_table_row_count_to_be_between`]: { summary: 'row_count with min/max (strictly -> strict bounds)', map: plain((test) => one('row_count', bounds(test.args))) },
  [`${E}expect_table_row_count_to_equal_other_table`]: { summary: 'row_count with equal_to', map: plain((test) => one('row_count', { equal_to: refName(test.args.compare_model) })) },
  [`${E}expect_table_columns_to_contain_set`]: { summary: 'schema contract of the columns as any, allow_additive', map: plain((test) => columnSet(test.args.column_list, 'allow_additive')) },
  [`${E}expect_table_columns_to_match_set`]: { summary: 'schema contract of the columns as any, on_drift: fail', map: plain((test) => columnSet(test.args.column_list, 'fail')) },
  [`${E}expect_column_to_exist`]: {
    summary: 'schema contract { column: any }, allow_additive (column_index is unsupported)',
    map: plain((test) =>
      test.args.column_index !== undefined ? unsupported('column_index: Weir contracts do not fix column positions') : columnSet([test.column], 'allow_additive'),
    ),
  },
  [`${E}expression_is_true`]: { summary: 'expression; row_condition folded in', map: (test) => expression(String(test.args.expression), test) },
  [`${E}expect_column_pair_values_to_be_in_set`]: { summary: 'expression over the pairs', map: (test) => expression(pairExpression(test.args, 'in_set', raw), test) },
  [`${E}expect_column_pair_values_A_to_be_greater_than_B`]: {
    summary: 'expression "A > B" (">=" with or_equal)',
    map: (test) => expression(pairExpression(test.args, test.args.or_equal === true ? '>=' : '>', raw), test),
  },
  [`${E}expect_column_pair_values_to_be_equal`]: { summary: 'expression "A = B"', map: (test) => expression(pairExpression(test.args, '=', raw), test) },
  [`${E}expect_select_column_values_to_be_unique_within_record`]: {
    summary: 'expression over every pair of columns',
    map: (test) => expression(uniqueWithinRecordExpression(test.args, raw), test),
  },
  [`${E}expect_column_values_to_be_unique`]: { summary: 'unique', map: plain((test) => one('unique', { column: test.column })) },
  [`${E}expect_column_values_to_not_be_null`]: { summary: 'not_null', map: onColumn('not_null') },
  [`${E}expect_column_values_to_be_null`]: { summary: 'expression "<column> IS NULL"', map: (test) => expression(`${test.column} IS NULL`, test) },
  [`${E}expect_column_values_to_be_between`]: { summary: 'between (strictly -> strict bounds)', map: onColumn('between', (args) => bounds(args)) },
  [`${E}expect_column_sum_to_be_between`]: statistic('sum'),
  [`${E}expect_column_min_to_be_between`]: statistic('minimum'),
  [`${E}expect_column_max_to_be_between`]: statistic('maximum'),
  [`${E}expect_column_mean_to_be_between`]: statistic('mean'),
  [`${E}expect_column_stdev_to_be_between`]: statistic('stddev'),
  [`${E}expect_column_unique_value_count_to_be_between`]: statistic('distinct_count'),
  [`${E}expect_column_proportion_of_unique_values_to_be_between`]: statistic('unique_proportion'),
  [`${E}expect_column_values_to_be_in_set`]: { summary: 'accepted_values', map: onColumn('accepted_values', (args) => ({ values: args.value_set })) },
  [`${E}expect_column_values_to_not_be_in_set`]: { summary: 'not_accepted_values', map: onColumn('not_accepted_values', (args) => ({ values: args.value_set })) },
  [`${E}expect_column_distinct_values_to_be_in_set`]: { summary: 'accepted_values', map: onColumn('accepted_values', (args) => ({ values: args.value_set })) },
  [`${E}expect_column_value_lengths_to_equal`]: { summary: 'length with min = max = value', map: onColumn('length', (args) => ({ min: args.value, max: args.value })) },
  [`${E}expect_column_value_lengths_to_be_between`]: { summary: 'length with min/max', map: onColumn('length', (args) => bounds(args)) },
};

/** Every mapped test type. */
export const DBT_MAPPINGS: Record<string, DbtTestMapping> = { ...DBT_UTILS, ...DBT_EXPECTATIONS };

/** Test types without a Weir equivalent, and why. */
export const DBT_UNMAPPED: Record<string, string> = {
  'dbt_utils.cardinality_equality': 'compares the value counts of two relations; Weir has no cross-relation distribution check',
  'dbt_utils.equality': 'a table diff between two relations; Weir has no equality check (a data diff is a plan feature)',
  'dbt_utils.mutually_exclusive_ranges': 'an ordering/window check over rows; no Weir check compares rows with each other this way',
  'dbt_utils.sequential_values': 'an ordering check; row order is not part of a relation',
  [`${E}expect_table_columns_to_match_ordered_list`]: 'Weir schema contracts do not fix column order',
  [`${E}expect_column_distinct_count_to_equal_other_table`]: 'compares a statistic with another relation; Weir compares row counts only',
  [`${E}expect_row_values_to_have_data_for_every_n_datepart`]: 'completeness per time bucket is not a Weir check',
  [`${E}expect_column_values_to_be_in_type_list`]: 'a schema contract names one type per column, not a list',
  [`${E}expect_column_values_to_be_increasing`]: 'an ordering check; row order is not part of a relation',
  [`${E}expect_column_values_to_be_decreasing`]: 'an ordering check; row order is not part of a relation',
  [`${E}expect_column_values_to_be_within_n_stdevs`]: 'a per-row z-score check; Weir watches metrics over builds with SPC instead',
  [`${E}expect_column_values_to_be_within_n_moving_stdevs`]: 'an anomaly check over a time series; Weir watches metrics over builds with SPC instead',
  [`${E}expect_table_aggregation_to_equal_other_table`]: 'compares an aggregate with another relation; no Weir check does',
  [`${E}expect_table_column_count_to_equal`]: 'Weir has no column-count check',
  [`${E}expect_table_column_count_to_be_between`]: 'Weir has no column-count check',
  [`${E}expect_table_column_count_to_equal_other_table`]: 'Weir has no column-count check',
  [`${E}expect_table_columns_to_not_contain_set`]: 'a schema contract cannot forbid columns by name',
  [`${E}equal_expression`]: 'compares aggregates of two relations; no Weir check does',
  [`${E}expect_multicolumn_sum_to_equal`]: 'an aggregate of an expression (sum(a + b)); Weir statistics take one column',
  [`${E}expect_column_most_common_value_to_be_in_set`]: 'Weir has no mode statistic',
  [`${E}expect_column_distinct_values_to_equal_set`]: 'needs "must contain" as well as accepted_values',
  [`${E}expect_column_distinct_values_to_contain_set`]: 'Weir has no "must contain these values" check',
  [`${E}expect_column_values_to_have_consistent_casing`]: 'Weir has no casing check',
  [`${E}expect_table_row_count_to_equal_other_table_times_factor`]: 'row_count equal_to has no factor',
};

