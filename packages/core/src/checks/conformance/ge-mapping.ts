/**
 * Great Expectations expectations as Weir checks. Each mapping turns an expectation's keyword
 * arguments into the checks a user would write in a `checks:` list (the YAML form, so that Weir's
 * own parser validates them: a configuration GE rejects must be rejected by `parseChecks` too).
 *
 * An expectation maps to one check, or to several that must all pass (quantile ranges,
 * `match_on: all` lists). A case that uses an option no Weir check has (a row condition, a
 * datetime bound) is `unsupported`, never approximated.
 */
import { anyOf, likeToRegex } from './pattern-translation.js';
import { pairExpression, multicolumnSumExpression, uniqueWithinRecordExpression, type SqlQuote } from './ge-expressions.js';

/** What a mapping needs besides the arguments. */
export interface GeMappingContext {
  /** Quotes an identifier for the engine (expression checks are SQL). */
  quote: SqlQuote;
  /** The quoted relation of the dataset, for custom SQL. */
  relationSql: string;
}

/** The checks an expectation case becomes, or why it cannot be expressed. */
export type GeMapping = { kind: 'checks'; checks: Array<Record<string, unknown>> } | { kind: 'unsupported'; reason: string };

/** How one expectation maps. */
export interface GeExpectationMapping {
  /** The mapping in words, for the report and docs/conformance.md. */
  summary: string;
  /** Arguments the mapping reads (besides the ones every expectation may carry). */
  accepts: readonly string[];
  map(kwargs: Record<string, unknown>, context: GeMappingContext): GeMapping;
}

/** Arguments about GE's output or error handling, not about the rule. */
const PRESENTATION = ['result_format', 'catch_exceptions', 'include_config', 'meta'];

type Kwargs = Record<string, unknown>;
type Check = Record<string, unknown>;

const one = (type: string, args: Check): GeMapping => ({ kind: 'checks', checks: [{ [type]: args }] });
const unsupported = (reason: string): GeMapping => ({ kind: 'unsupported', reason });

/** Only the keys that are set: an omitted key and a `null` one both mean "not given" upstream. */
function present(fields: Check): Check {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== null));
}

/** `mostly` as given (Weir validates it: GE rejects 1.1, -0.3 and "One" too). */
function mostly(kwargs: Kwargs): Check {
  return present({ mostly: kwargs.mostly });
}

function looksLikeDate(value: unknown): boolean {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value);
}

/**
 * GE's `min_value`/`max_value`/`strict_*` as Weir bounds. Weir's bounds are numbers: a datetime or
 * a `$PARAMETER` bound is unsupported; any other non-number is passed on for Weir to reject.
 */
function bounds(kwargs: Kwargs, names: { min: string; max: string } = { min: 'min_value', max: 'max_value' }): Check | GeMapping {
  const min = kwargs[names.min];
  const max = kwargs[names.max];
  for (const value of [min, max]) {
    if (value !== null && typeof value === 'object') return unsupported('a suite parameter ($PARAMETER) bound: Weir bounds are numbers written in the check');
    if (looksLikeDate(value)) return unsupported('a datetime bound: Weir bounds are numbers');
  }
  return present({ min, max, strict_min: kwargs.strict_min === true ? true : undefined, strict_max: kwargs.strict_max === true ? true : undefined });
}

function isMapping(value: Check | GeMapping): value is GeMapping {
  return 'kind' in value && (value.kind === 'checks' || value.kind === 'unsupported');
}

/** A column check with bounds and `mostly`. */
function boundedColumn(type: string, withMostly: boolean): GeExpectationMapping['map'] {
  return (kwargs) => {
    const range = bounds(kwargs);
    if (isMapping(range)) return range;
    return one(type, { ...present({ column: kwargs.column }), ...range, ...(withMostly ? mostly(kwargs) : {}) });
  };
}

/** A statistic of a column (`minimum`, `mean`, ...) bounded like GE's aggregate expectations. */
function statistic(type: string): GeExpectationMapping {
  return { summary: `${type} with min_value/max_value (strict_*) as min/max`, accepts: ['column', 'min_value', 'max_value', 'strict_min', 'strict_max'], map: boundedColumn(type, false) };
}

/** Regex lists: `any` is one alternation; `all` is one check per pattern (only without `mostly`). */
function patternList(kwargs: Kwargs, patterns: string[], negate: boolean): GeMapping {
  const column = kwargs.column;
  if (negate) return one('not_regex', { ...present({ column }), pattern: anyOf(patterns), ...mostly(kwargs) });
  if (kwargs.match_on === 'all') {
    if (kwargs.mostly !== undefined) return unsupported('match_on: all with mostly: several regex checks tolerate failures one by one, not per row');
    return { kind: 'checks', checks: patterns.map((pattern, index) => ({ regex: { ...present({ column }), pattern, name: `pattern_${index}` } })) };
  }
  return one('regex', { ...present({ column }), pattern: anyOf(patterns), ...mostly(kwargs) });
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;
}

/** Expectations with a Weir equivalent, by `expectation_type`. */
export const GE_MAPPINGS: Record<string, GeExpectationMapping> = {
  expect_column_values_to_not_be_null: {
    summary: 'not_null; mostly as mostly (tolerance of 1 - mostly of all rows)',
    accepts: ['column', 'mostly'],
    map: (kwargs) => one('not_null', { ...present({ column: kwargs.column }), ...mostly(kwargs) }),
  },
  expect_column_values_to_be_null: {
    summary: 'expression "<column> IS NULL" with mostly (Weir has no is-null check; the expression is exact)',
    accepts: ['column', 'mostly'],
    map: (kwargs, { quote }) => one('expression', { sql: `${quote(String(kwargs.column))} IS NULL`, ...mostly(kwargs) }),
  },
  expect_column_values_to_be_unique: {
    summary: 'unique on the column; mostly as mostly (share of non-null rows)',
    accepts: ['column', 'mostly'],
    map: (kwargs) => one('unique', { ...present({ column: kwargs.column }), ...mostly(kwargs) }),
  },
  expect_compound_columns_to_be_unique: {
    summary: 'unique on several columns; Weir skips rows with any NULL key (GE default: only rows with all keys NULL)',
    accepts: ['column_list', 'mostly', 'ignore_row_if'],
    map: (kwargs) => {
      if (kwargs.ignore_row_if === 'never') return unsupported('ignore_row_if: never (Weir never compares NULL keys)');
      return one('unique', { ...present({ columns: kwargs.column_list }), ...mostly(kwargs) });
    },
  },
  expect_column_values_to_be_in_set: {
    summary: 'accepted_values (values compared as text; an empty or missing value_set is rejected at load)',
    accepts: ['column', 'value_set', 'mostly'],
    map: (kwargs) => one('accepted_values', { ...present({ column: kwargs.column }), values: kwargs.value_set, ...mostly(kwargs) }),
  },
  expect_column_values_to_not_be_in_set: {
    summary: 'not_accepted_values (an empty or null-holding value_set is rejected at load)',
    accepts: ['column', 'value_set', 'mostly'],
    map: (kwargs) => one('not_accepted_values', { ...present({ column: kwargs.column }), values: kwargs.value_set, ...mostly(kwargs) }),
  },
  expect_column_distinct_values_to_be_in_set: {
    summary: 'accepted_values: every distinct non-null value is in the set exactly when every value is',
    accepts: ['column', 'value_set'],
    map: (kwargs) => one('accepted_values', { ...present({ column: kwargs.column }), values: kwargs.value_set }),
  },
  expect_column_values_to_be_between: {
    summary: 'between with min/max and strict_min/strict_max; mostly as mostly',
    accepts: ['column', 'min_value', 'max_value', 'strict_min', 'strict_max', 'mostly'],
    map: boundedColumn('between', true),
  },
  expect_column_value_lengths_to_be_between: {
    summary: 'length with min/max; mostly as mostly',
    accepts: ['column', 'min_value', 'max_value', 'mostly'],
    map: boundedColumn('length', true),
  },
  expect_column_value_lengths_to_equal: {
    summary: 'length with min = max = value',
    accepts: ['column', 'value', 'mostly'],
    map: (kwargs) => one('length', { ...present({ column: kwargs.column, min: kwargs.value, max: kwargs.value }), ...mostly(kwargs) }),
  },
  expect_column_values_to_match_regex: {
    summary: 'regex (search anywhere in the value, as GE)',
    accepts: ['column', 'regex', 'mostly'],
    map: (kwargs) => one('regex', { ...present({ column: kwargs.column }), pattern: kwargs.regex, ...mostly(kwargs) }),
  },
  expect_column_values_to_not_match_regex: {
    summary: 'not_regex',
    accepts: ['column', 'regex', 'mostly'],
    map: (kwargs) => one('not_regex', { ...present({ column: kwargs.column }), pattern: kwargs.regex, ...mostly(kwargs) }),
  },
  expect_column_values_to_match_regex_list: {
    summary: 'match_on any: regex with the alternation of the list; match_on all: one regex check per pattern',
    accepts: ['column', 'regex_list', 'match_on', 'mostly'],
    map: (kwargs) => {
      const list = stringList(kwargs.regex_list);
      return list === undefined ? one('regex', { ...present({ column: kwargs.column }), pattern: kwargs.regex_list }) : patternList(kwargs, list, false);
    },
  },
  expect_column_values_to_not_match_regex_list: {
    summary: 'not_regex with the alternation of the list (no value may match any)',
    accepts: ['column', 'regex_list', 'mostly'],
    map: (kwargs) => {
      const list = stringList(kwargs.regex_list);
      return list === undefined ? one('not_regex', { ...present({ column: kwargs.column }), pattern: kwargs.regex_list }) : patternList(kwargs, list, true);
    },
  },
  expect_column_values_to_match_like_pattern: {
    summary: 'regex with the LIKE pattern translated to an anchored regex (% -> .*, _ -> .)',
    accepts: ['column', 'like_pattern', 'mostly'],
    map: (kwargs) => one('regex', { ...present({ column: kwargs.column }), pattern: likeToRegex(String(kwargs.like_pattern)), ...mostly(kwargs) }),
  },
  expect_column_values_to_not_match_like_pattern: {
    summary: 'not_regex with the LIKE pattern translated to an anchored regex',
    accepts: ['column', 'like_pattern', 'mostly'],
    map: (kwargs) => one('not_regex', { ...present({ column: kwargs.column }), pattern: likeToRegex(String(kwargs.like_pattern)), ...mostly(kwargs) }),
  },
  expect_column_values_to_match_like_pattern_list: {
    summary: 'like regex lists, each LIKE pattern translated to an anchored regex',
    accepts: ['column', 'like_pattern_list', 'match_on', 'mostly'],
    map: (kwargs) => patternList(kwargs, (stringList(kwargs.like_pattern_list) ?? []).map(likeToRegex), false),
  },
  expect_column_values_to_not_match_like_pattern_list: {
    summary: 'not_regex with the alternation of the translated LIKE patterns',
    accepts: ['column', 'like_pattern_list', 'mostly'],
    map: (kwargs) => patternList(kwargs, (stringList(kwargs.like_pattern_list) ?? []).map(likeToRegex), true),
  },
  expect_column_values_to_match_strftime_format: {
    summary: 'parseable with as: timestamp (or date) and format: strftime_format',
    accepts: ['column', 'strftime_format', 'mostly'],
    map: (kwargs) => {
      const format = kwargs.strftime_format;
      const as = typeof format === 'string' && /%[HIMSfpzZ]/.test(format) ? 'timestamp' : 'date';
      return one('parseable', { ...present({ column: kwargs.column }), as, format, ...mostly(kwargs) });
    },
  },
  expect_column_values_to_be_json_parseable: {
    summary: 'parseable with as: json',
    accepts: ['column', 'mostly'],
    map: (kwargs) => one('parseable', { ...present({ column: kwargs.column }), as: 'json', ...mostly(kwargs) }),
  },
  expect_column_values_to_be_dateutil_parseable: {
    summary: 'parseable with as: timestamp (ISO 8601 only; dateutil guesses many more formats)',
    accepts: ['column', 'mostly'],
    map: (kwargs) => one('parseable', { ...present({ column: kwargs.column }), as: 'timestamp', ...mostly(kwargs) }),
  },
  expect_column_values_to_be_of_type: {
    summary: 'schema contract { column: type_ } with on_drift: allow_additive (types compared by family; SQLAlchemy names like DOUBLE_PRECISION read as SQL)',
    accepts: ['column', 'type_'],
    map: (kwargs) => {
      // GE names SQLAlchemy type classes; DOUBLE_PRECISION is the SQL type DOUBLE PRECISION.
      const type = typeof kwargs.type_ === 'string' ? kwargs.type_.replaceAll('_', ' ') : kwargs.type_;
      return one('schema', { columns: { [String(kwargs.column)]: type }, on_drift: 'allow_additive' });
    },
  },
  expect_column_to_exist: {
    summary: 'schema contract { column: any } with on_drift: allow_additive (column_index is unsupported)',
    accepts: ['column', 'column_index'],
    map: (kwargs) =>
      kwargs.column_index !== undefined && kwargs.column_index !== null
        ? unsupported('column_index: Weir contracts do not fix column positions')
        : one('schema', { columns: { [String(kwargs.column)]: 'any' }, on_drift: 'allow_additive' }),
  },
  expect_table_columns_to_match_set: {
    summary: 'schema contract of every column as any; exact_match (default) -> on_drift: fail, else allow_additive',
    accepts: ['column_set', 'exact_match'],
    map: (kwargs) => {
      const columns = Object.fromEntries((stringList(kwargs.column_set) ?? []).map((column) => [column, 'any']));
      return one('schema', { columns, on_drift: kwargs.exact_match === false ? 'allow_additive' : 'fail' });
    },
  },
  expect_table_row_count_to_be_between: {
    summary: 'row_count with min/max',
    accepts: ['min_value', 'max_value', 'strict_min', 'strict_max'],
    map: (kwargs) => {
      const range = bounds(kwargs);
      return isMapping(range) ? range : one('row_count', range);
    },
  },
  expect_table_row_count_to_equal: {
    summary: 'row_count with min = max = value',
    accepts: ['value'],
    map: (kwargs) => one('row_count', present({ min: kwargs.value, max: kwargs.value })),
  },
  expect_table_row_count_to_equal_other_table: {
    summary: 'row_count with equal_to: the other table (as an asset)',
    accepts: ['other_table_name'],
    map: (kwargs) => one('row_count', present({ equal_to: kwargs.other_table_name })),
  },
  expect_column_min_to_be_between: statistic('minimum'),
  expect_column_max_to_be_between: statistic('maximum'),
  expect_column_mean_to_be_between: statistic('mean'),
  expect_column_median_to_be_between: statistic('median'),
  expect_column_stdev_to_be_between: statistic('stddev'),
  expect_column_sum_to_be_between: statistic('sum'),
  expect_column_unique_value_count_to_be_between: statistic('distinct_count'),
  expect_column_proportion_of_unique_values_to_be_between: statistic('unique_proportion'),
  expect_column_quantile_values_to_be_between: {
    summary: 'one quantile check per quantile, value_ranges[i] as min/max',
    accepts: ['column', 'quantile_ranges', 'allow_relative_error'],
    map: (kwargs) => {
      const ranges = kwargs.quantile_ranges as { quantiles?: unknown[]; value_ranges?: unknown[][] } | undefined;
      const quantiles = ranges?.quantiles ?? [];
      return {
        kind: 'checks',
        checks: quantiles.map((quantile, index) => {
          const [min, max] = ranges?.value_ranges?.[index] ?? [];
          return { quantile: { ...present({ column: kwargs.column, min, max }), quantile, name: `quantile_${index}` } };
        }),
      };
    },
  },
  expect_column_pair_values_a_to_be_greater_than_b: {
    summary: 'expression "A > B" (">=" with or_equal), rows ignored by ignore_row_if made to pass',
    accepts: ['column_A', 'column_B', 'or_equal', 'ignore_row_if', 'mostly'],
    map: (kwargs, { quote }) => one('expression', { sql: pairExpression(kwargs, kwargs.or_equal === true ? '>=' : '>', quote), ...mostly(kwargs) }),
  },
  expect_column_pair_values_to_be_equal: {
    summary: 'expression "A = B", rows ignored by ignore_row_if made to pass',
    accepts: ['column_A', 'column_B', 'ignore_row_if', 'mostly'],
    map: (kwargs, { quote }) => one('expression', { sql: pairExpression(kwargs, '=', quote), ...mostly(kwargs) }),
  },
  expect_column_pair_values_to_be_in_set: {
    summary: 'expression "(A = a1 AND B = b1) OR ...", rows ignored by ignore_row_if made to pass',
    accepts: ['column_A', 'column_B', 'value_pairs_set', 'ignore_row_if', 'mostly'],
    map: (kwargs, { quote }) => one('expression', { sql: pairExpression(kwargs, 'in_set', quote), ...mostly(kwargs) }),
  },
  expect_multicolumn_sum_to_equal: {
    summary: 'expression "c1 + c2 + ... = sum_total"',
    accepts: ['column_list', 'sum_total', 'ignore_row_if', 'mostly'],
    map: (kwargs, { quote }) => one('expression', { sql: multicolumnSumExpression(kwargs, quote), ...mostly(kwargs) }),
  },
  expect_select_column_values_to_be_unique_within_record: {
    summary: 'expression "c1 IS DISTINCT FROM c2 AND ..." over every pair',
    accepts: ['column_list', 'ignore_row_if', 'mostly'],
    map: (kwargs, { quote }) => one('expression', { sql: uniqueWithinRecordExpression(kwargs, quote), ...mostly(kwargs) }),
  },
  unexpected_rows_expectation: {
    summary: 'custom_sql: the unexpected-rows query with {batch} replaced by the asset',
    accepts: ['unexpected_rows_query', 'description'],
    map: (kwargs, { relationSql }) => one('custom_sql', { sql: String(kwargs.unexpected_rows_query).replaceAll('{batch}', relationSql) }),
  },
};

/** Expectations without a Weir equivalent, and why. */
export const GE_UNMAPPED: Record<string, string> = {
  expect_column_distinct_values_to_contain_set: 'Weir has no "must contain these values" check (custom_sql would be hand-written logic, not a mapping)',
  expect_column_distinct_values_to_equal_set: 'needs "must contain" as well as accepted_values; no Weir check says both',
  expect_column_most_common_value_to_be_in_set: 'Weir has no mode statistic',
  expect_column_pair_cramers_phi_value_to_be_less_than: 'Weir has no association statistic',
  expect_column_chisquare_test_p_value_to_be_greater_than: 'distribution tests are not Weir checks (SPC covers drift of metrics over builds)',
  expect_column_kl_divergence_to_be_less_than: 'distribution tests are not Weir checks (SPC covers drift of metrics over builds)',
  expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than: 'distribution tests are not Weir checks',
  expect_column_bootstrapped_ks_test_p_value_to_be_greater_than: 'distribution tests are not Weir checks',
  expect_column_value_z_scores_to_be_less_than: 'Weir has no per-row z-score check',
  expect_column_values_to_be_increasing: 'Weir has no ordering check (row order is not part of a SQL relation)',
  expect_column_values_to_be_decreasing: 'Weir has no ordering check (row order is not part of a SQL relation)',
  expect_column_values_to_be_in_type_list: 'a schema contract names one type per column, not a list',
  expect_column_values_to_match_json_schema: 'Weir parses JSON but does not validate it against a JSON Schema',
  expect_table_column_count_to_be_between: 'Weir has no column-count check (schema contracts name the columns)',
  expect_table_column_count_to_equal: 'Weir has no column-count check (schema contracts name the columns)',
  expect_table_columns_to_match_ordered_list: 'Weir schema contracts do not fix column order',
};

/**
 * The mapping of an expectation case, after the arguments every mapping shares are checked;
 * undefined when the expectation has no Weir equivalent.
 *
 * @example
 * ```ts
 * mapGeCase('expect_column_values_to_not_be_null', { column: 'id', mostly: 0.9 }, context);
 * // { kind: 'checks', checks: [{ not_null: { column: 'id', mostly: 0.9 } }] }
 * ```
 */
export function mapGeCase(expectationType: string, kwargs: Kwargs | unknown[], context: GeMappingContext): GeMapping | undefined {
  const mapping = GE_MAPPINGS[expectationType];
  if (mapping === undefined) return undefined;
  if (Array.isArray(kwargs)) return unsupported('positional arguments');
  if (kwargs.row_condition !== undefined) return unsupported('row_condition: Weir checks have no row filter');
  if (kwargs.parse_strings_as_datetimes === true) return unsupported('parse_strings_as_datetimes: Weir compares numbers and text, not parsed datetimes');
  const extra = Object.keys(kwargs).filter((key) => !mapping.accepts.includes(key) && !PRESENTATION.includes(key) && key !== 'condition_parser');
  if (extra.length > 0) return unsupported(`argument(s) without a Weir equivalent: ${extra.join(', ')}`);
  return mapping.map(kwargs, context);
}
