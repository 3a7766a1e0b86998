/**
 * The written forms of every check type: a zod schema for the object form, what the shorthand
 * looks like, and how validated data becomes a {@link CheckSpec} (without its final name). The
 * generic parts (one-key items, naming, duplicate names) are in `check-parser.ts`.
 */
import * as z from 'zod';
import type { CheckSpec, CheckTolerance, CheckType, ColumnStatistic } from '../definitions/check-spec.js';
import { parseDuration } from './duration.js';
import { assetNameSchema, nonEmptyString, stringOrList, strictObject, wholeNumber } from './strict-object.js';

/** A check before it has its final name. */
export type CheckDraft = CheckSpec extends infer Spec ? (Spec extends CheckSpec ? Omit<Spec, 'name'> & { name?: string } : never) : never;

/** What went wrong turning valid-shaped data into a spec (a cross-field rule). */
export interface FormProblem {
  /** Key the problem is about, relative to the check's arguments. */
  key?: string;
  message: string;
}

const fraction = z.number({ error: 'expected a number between 0 and 1' }).min(0, { error: 'expected a number between 0 and 1' }).max(1, { error: 'expected a number between 0 and 1' });

/** `max_failures: 10` (rows) or `max_failures: "2%"` (share of the rows checked). */
const maxFailures = z.union([wholeNumber(0), z.string().regex(/^\d+(\.\d+)?%$/, { error: 'expected a whole number of rows or a percentage like "2%"' })], {
  error: 'expected a whole number of rows or a percentage like "2%"',
});

const duration = z.union([z.number().positive(), z.string()], { error: 'expected a duration like "6h", "30m", "2d" or a number of seconds' });

const RULES = 'expected a list of Western Electric rule numbers 1 to 4';

const severity = z.enum(['error', 'warn']);

const common = { severity: severity.optional(), name: assetNameSchema.optional() };
/** Tolerance and quarantine: for checks judged row by row. */
const rowLevel = { ...common, mostly: fraction.optional(), max_failures: maxFailures.optional(), on_fail: z.enum(['quarantine']).optional() };
const bounds = { min: z.number().optional(), max: z.number().optional(), strict_min: z.boolean().optional(), strict_max: z.boolean().optional() };
const wholeBounds = { min: wholeNumber(0).optional(), max: wholeNumber(0).optional(), strict_min: z.boolean().optional(), strict_max: z.boolean().optional() };
const valueList = z
  .array(z.union([z.string(), z.number(), z.boolean()]), { error: 'expected a list of values' })
  .min(1, { error: 'expected at least one value' });

const statistic = strictObject({ column: nonEmptyString, ...bounds, ...common });
const fractionBounds = strictObject({ column: nonEmptyString, min: fraction.optional(), max: fraction.optional(), ...common });

/** The object form of every check type. */
export const OBJECT_FORMS = {
  not_null: strictObject({ column: stringOrList.optional(), columns: stringOrList.optional(), ...rowLevel }),
  unique: strictObject({ column: stringOrList.optional(), columns: stringOrList.optional(), ...common, mostly: fraction.optional(), max_failures: maxFailures.optional() }),
  accepted_values: strictObject({ column: nonEmptyString, values: valueList, ...rowLevel }),
  not_accepted_values: strictObject({ column: nonEmptyString, values: valueList, ...rowLevel }),
  between: strictObject({ column: nonEmptyString, ...bounds, ...rowLevel }),
  regex: strictObject({ column: nonEmptyString, pattern: nonEmptyString, ...rowLevel }),
  not_regex: strictObject({ column: nonEmptyString, pattern: nonEmptyString, ...rowLevel }),
  length: strictObject({ column: nonEmptyString, ...wholeBounds, ...rowLevel }),
  parseable: strictObject({ column: nonEmptyString, as: z.enum(['date', 'timestamp', 'number', 'integer', 'json']), format: nonEmptyString.optional(), ...rowLevel }),
  relationships: strictObject({ column: nonEmptyString, to: nonEmptyString, field: nonEmptyString, where: nonEmptyString.optional(), ...rowLevel }),
  row_count: strictObject({ ...wholeBounds, equal_to: nonEmptyString.optional(), fewer_than: nonEmptyString.optional(), ...common }),
  freshness: strictObject({ column: nonEmptyString.optional(), max_age: duration.optional(), expected_every: duration.optional(), ...common }),
  distinct_count: strictObject({ column: nonEmptyString, ...wholeBounds, ...common }),
  unique_proportion: fractionBounds,
  mean: statistic,
  median: statistic,
  stddev: statistic,
  sum: statistic,
  minimum: statistic,
  maximum: statistic,
  quantile: strictObject({ column: nonEmptyString, quantile: fraction, ...bounds, ...common }),
  null_proportion: fractionBounds,
  expression: strictObject({ sql: nonEmptyString, ...rowLevel }),
  custom_sql: strictObject({ sql: nonEmptyString, ...common, max_failures: maxFailures.optional() }),
  schema: strictObject({
    columns: z.record(z.string(), z.string(), { error: 'expected a mapping of column name to SQL type (or "any")' }),
    on_drift: z.enum(['fail', 'warn', 'allow_additive']).optional(),
    ...common,
  }),
  spc: strictObject({
    metric: nonEmptyString,
    column: nonEmptyString.optional(),
    baseline_points: wholeNumber(2).optional(),
    min_points: wholeNumber(2).optional(),
    rules: z.array(z.int({ error: RULES }).min(1, { error: RULES }).max(4, { error: RULES }), { error: RULES }).optional(),
    absolute_floor: z.number().min(0).optional(),
    relative_floor: z.number().min(0).optional(),
    seasonality: z.enum(['none', 'day_of_week']).optional(),
    ...common,
  }),
} satisfies Record<CheckType, z.ZodType>;

/** Every check type, for messages and suggestions. */
export const CHECK_TYPES = Object.keys(OBJECT_FORMS) as CheckType[];

/** What each type looks like, for messages. */
export const CHECK_USAGE: Record<CheckType, string> = {
  not_null: '"- not_null: column" or "- not_null: [a, b]"',
  unique: '"- unique: column" or "- unique: [a, b]" (unique together)',
  accepted_values: '"- accepted_values: { column: status, values: [a, b] }"',
  not_accepted_values: '"- not_accepted_values: { column: status, values: [test] }"',
  between: '"- between: { column: amount, min: 0, max: 100 }"',
  regex: '"- regex: { column: email, pattern: \'^[^@]+@[^@]+$\' }"',
  not_regex: '"- not_regex: { column: name, pattern: \'[0-9]\' }"',
  length: '"- length: { column: code, min: 2, max: 3 }"',
  parseable: '"- parseable: { column: raw_date, as: date, format: \'%Y-%m-%d\' }"',
  relationships: '"- relationships: { column: customer_id, to: customers, field: customer_id }"',
  row_count: '"- row_count: { min: 1, max: 1000 }" or "- row_count: { equal_to: orders }"',
  freshness: '"- freshness: { column: updated_at, max_age: 6h }" or "- freshness: { expected_every: 24h }"',
  distinct_count: '"- distinct_count: { column: country, min: 2 }"',
  unique_proportion: '"- unique_proportion: { column: email, min: 0.99 }"',
  mean: '"- mean: { column: amount, min: 10, max: 50 }"',
  median: '"- median: { column: amount, min: 10, max: 50 }"',
  stddev: '"- stddev: { column: amount, max: 20 }"',
  sum: '"- sum: { column: amount, min: 0 }"',
  minimum: '"- minimum: { column: amount, min: 0 }"',
  maximum: '"- maximum: { column: amount, max: 10000 }"',
  quantile: '"- quantile: { column: amount, quantile: 0.95, max: 500 }"',
  null_proportion: '"- null_proportion: { column: email, max: 0.05 }"',
  expression: '"- expression: amount >= 0" or "- expression: { sql: ..., severity: warn }"',
  custom_sql: '"- custom_sql: SELECT * FROM orders WHERE ..." (returns the failing rows)',
  schema: '"- schema: { columns: { id: INTEGER, email: VARCHAR }, on_drift: allow_additive }"',
  spc: '"- spc: row_count" or "- spc: { metric: null_rate, column: email }"',
};

/** The shorthand (non-object) form of a check, turned into its object form; undefined when it has none. */
export function expandShorthand(type: CheckType, args: unknown): Record<string, unknown> | undefined {
  switch (type) {
    case 'not_null':
    case 'unique':
      return typeof args === 'string' || Array.isArray(args) ? { column: args } : undefined;
    case 'expression':
    case 'custom_sql':
      return typeof args === 'string' ? { sql: args } : undefined;
    case 'spc':
      return typeof args === 'string' ? { metric: args } : undefined;
    default:
      return undefined;
  }
}

type FormData = Record<string, unknown>;

/**
 * Turns validated object-form data into drafts (not_null over several columns makes several) or
 * problems with cross-field rules (bounds in order, one of column/columns, ...).
 */
export function draftsFromForm(type: CheckType, data: FormData): { drafts: CheckDraft[]; problems: FormProblem[] } {
  const problems: FormProblem[] = [];
  const base = baseFields(data, problems);
  const done = (drafts: CheckDraft[]) => ({ drafts: problems.length > 0 ? [] : drafts, problems });
  switch (type) {
    case 'not_null':
    case 'unique': {
      const { column, columns } = data as { column?: string[]; columns?: string[] };
      const list = column ?? columns;
      if (list === undefined || (column !== undefined && columns !== undefined)) {
        return { drafts: [], problems: [{ message: 'give exactly one of "column" or "columns"' }] };
      }
      if (type === 'unique') return done([{ ...base, type, columns: list }]);
      if (list.length > 1 && base.name !== undefined) {
        problems.push({ key: 'name', message: '"name" names one check, but this expands to one check per column; list the columns as separate checks to name them' });
      }
      return done(list.map((one) => ({ ...base, type, column: one })));
    }
    case 'accepted_values':
    case 'not_accepted_values':
      return done([{ ...base, type, column: data.column as string, values: data.values as Array<string | number | boolean> }]);
    case 'between':
    case 'length':
      return done([{ ...base, type, column: data.column as string, ...requiredBounds(data, problems) }]);
    case 'regex':
    case 'not_regex':
      // The pattern is compiled by the engine's own regex library when the project loads (check-references.ts).
      return done([{ ...base, type, column: data.column as string, pattern: data.pattern as string }]);
    case 'parseable':
      if (data.format !== undefined && data.as !== 'date' && data.as !== 'timestamp') problems.push({ key: 'format', message: '"format" applies to "as: date" and "as: timestamp" only' });
      return done([{ ...base, type, column: data.column as string, as: data.as as 'date', ...(data.format === undefined ? {} : { format: data.format as string }) }]);
    case 'relationships':
      return done([{ ...base, type, column: data.column as string, to: data.to as string, field: data.field as string, ...(data.where === undefined ? {} : { where: data.where as string }) }]);
    case 'row_count':
      return done([rowCountDraft(base, data, problems)]);
    case 'freshness':
      return done([freshnessDraft(base, data, problems)]);
    case 'expression':
      return done([{ ...base, type, sql: data.sql as string }]);
    case 'custom_sql':
      return done([{ ...base, type, sql: data.sql as string, reads: [] }]);
    case 'schema':
      return done([{ ...base, type, columns: data.columns as Record<string, string>, onDrift: (data.on_drift as 'fail' | undefined) ?? 'fail' }]);
    case 'spc':
      return done([spcDraft(base, data)]);
    case 'quantile':
      return done([{ ...base, type, column: data.column as string, quantile: data.quantile as number, ...requiredBounds(data, problems) }]);
    default:
      return done([{ ...base, type: type satisfies ColumnStatistic, column: data.column as string, ...requiredBounds(data, problems) }]);
  }
}

interface BaseFields {
  severity: 'error' | 'warn';
  name?: string;
  tolerance?: CheckTolerance;
  onFail?: 'quarantine';
}

function baseFields(data: FormData, problems: FormProblem[]): BaseFields {
  const base: BaseFields = { severity: (data.severity as 'error' | 'warn' | undefined) ?? 'error' };
  if (data.name !== undefined) base.name = data.name as string;
  if (data.mostly !== undefined && data.max_failures !== undefined) {
    problems.push({ key: 'mostly', message: 'give one of "mostly" or "max_failures", not both' });
  } else if (data.mostly !== undefined) {
    base.tolerance = { fraction: 1 - (data.mostly as number) };
  } else if (typeof data.max_failures === 'number') {
    base.tolerance = { rows: data.max_failures };
  } else if (typeof data.max_failures === 'string') {
    base.tolerance = { fraction: Number(data.max_failures.slice(0, -1)) / 100 };
  }
  if (data.on_fail === 'quarantine') base.onFail = 'quarantine';
  return base;
}

function requiredBounds(data: FormData, problems: FormProblem[]): { min?: number; max?: number; strictMin?: boolean; strictMax?: boolean } {
  const { min, max, strict_min: strictMin, strict_max: strictMax } = data as { min?: number; max?: number; strict_min?: boolean; strict_max?: boolean };
  if (min === undefined && max === undefined) problems.push({ message: 'give "min", "max" or both' });
  if (min !== undefined && max !== undefined && min > max) problems.push({ key: 'min', message: `"min" (${min}) is greater than "max" (${max})` });
  if (strictMin === true && min === undefined) problems.push({ key: 'strict_min', message: '"strict_min" needs "min"' });
  if (strictMax === true && max === undefined) problems.push({ key: 'strict_max', message: '"strict_max" needs "max"' });
  return {
    ...(min === undefined ? {} : { min }),
    ...(max === undefined ? {} : { max }),
    ...(strictMin === true ? { strictMin } : {}),
    ...(strictMax === true ? { strictMax } : {}),
  };
}

function rowCountDraft(base: BaseFields, data: FormData, problems: FormProblem[]): CheckDraft {
  const { equal_to: equalTo, fewer_than: fewerThan } = data as { equal_to?: string; fewer_than?: string };
  const compared = [equalTo, fewerThan].filter((value) => value !== undefined).length;
  const hasBounds = data.min !== undefined || data.max !== undefined;
  if (compared > 1 || (compared === 1 && hasBounds)) {
    problems.push({ message: 'give bounds ("min"/"max"), "equal_to" or "fewer_than", one of them' });
    return { ...base, type: 'row_count' };
  }
  if (compared === 1) return { ...base, type: 'row_count', ...(equalTo === undefined ? {} : { equalTo }), ...(fewerThan === undefined ? {} : { fewerThan }) };
  return { ...base, type: 'row_count', ...requiredBounds(data, problems) };
}

function freshnessDraft(base: BaseFields, data: FormData, problems: FormProblem[]): CheckDraft {
  const draft: CheckDraft = { ...base, type: 'freshness' };
  if (data.column !== undefined) draft.column = data.column as string;
  for (const [key, field] of [['max_age', 'maxAgeSeconds'], ['expected_every', 'expectedEverySeconds']] as const) {
    const value = data[key];
    if (value === undefined) continue;
    const seconds = parseDuration(value as string | number);
    if (seconds === undefined) problems.push({ key, message: `"${key}": expected a duration like "6h", "30m", "2d" or a number of seconds` });
    else draft[field] = seconds;
  }
  if (data.max_age === undefined && data.expected_every === undefined) problems.push({ message: 'give "max_age" (with "column") or "expected_every"' });
  if (data.max_age !== undefined && data.column === undefined) problems.push({ key: 'max_age', message: '"max_age" needs "column": the timestamp column whose newest value is judged' });
  return draft;
}

function spcDraft(base: BaseFields, data: FormData): CheckDraft {
  const draft: CheckDraft = { ...base, type: 'spc', metric: data.metric as string };
  if (data.column !== undefined) draft.column = data.column as string;
  if (data.baseline_points !== undefined) draft.baselinePoints = data.baseline_points as number;
  if (data.min_points !== undefined) draft.minPoints = data.min_points as number;
  if (data.rules !== undefined) draft.rules = data.rules as number[];
  if (data.absolute_floor !== undefined) draft.absoluteFloor = data.absolute_floor as number;
  if (data.relative_floor !== undefined) draft.relativeFloor = data.relative_floor as number;
  if (data.seasonality !== undefined) draft.seasonality = data.seasonality as 'none';
  return draft;
}
