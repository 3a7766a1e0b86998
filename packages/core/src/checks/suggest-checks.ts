/**
 * Proposing checks from a profile, each with the numbers that justify it ("0 nulls in 1,200,000
 * rows, so not_null"), for a person to review. Every suggestion passes on the data it came from:
 * what the profile measured exactly (nulls, ranges, value counts) is used as it is; what it only
 * saw in the sample (patterns) or estimated (distinct values) is confirmed on the whole relation
 * first, with one query per unique candidate and one fused query for all pattern checks.
 *
 * A rule the data keeps except in a few rows (see `fewExceptions`) is still suggested, with
 * `mostly` just below today's pass rate and severity `warn`, and its reason names the exceptions:
 * such rows are usually the data problems worth finding, and the check fails if they spread.
 * The rules of thumb are in `suggestion-rules.ts` and docs/profiling.md.
 */
import { patternDefinition, VALUE_PATTERNS, type DetectedPattern, type ParseTarget } from './detect-patterns.js';
import { profileDialectFor } from './profile-dialect.js';
import type { ColumnProfile, ProfileTarget, RelationProfile } from './profile-relation.js';
import {
  ageText,
  count,
  fewExceptions,
  freshnessMaxAge,
  mostlyFor,
  niceCeil,
  percent,
  shareBound,
  SUGGESTION_RULES,
  valueText,
} from './suggestion-rules.js';

/** The condition of a suggested check, in the project's check syntax. */
export type SuggestedCondition =
  | { type: 'row_count'; min: number }
  | { type: 'not_null'; columns: string[] }
  | { type: 'unique'; columns: string[] }
  | { type: 'accepted_values'; column: string; values: string[] }
  | { type: 'between'; column: string; min: number; max?: number }
  | { type: 'regex'; column: string; pattern: string }
  | { type: 'length'; column: string; min: number; max: number }
  | { type: 'parseable'; column: string; as: ParseTarget; format?: string }
  | { type: 'null_proportion'; column: string; max: number }
  | { type: 'freshness'; column: string; maxAge: string };

/** One suggested check. */
export type SuggestedCheck = SuggestedCondition & {
  /** Share of non-null rows that must pass; set when a few rows break the rule today. */
  mostly?: number;
  /** `warn` for rules the data already breaks in a few rows; otherwise the default (`error`). */
  severity?: 'warn';
  /** Why, with the numbers: "0 nulls in 1,200 rows, so not_null". */
  reason: string;
  /** Rows of the profiled data that break the condition today (tolerated by `mostly`; 0 for strict checks). */
  exceptions: number;
};

/** What {@link suggestChecks} proposes, and what it considered but left out, with why. */
export interface CheckSuggestions {
  checks: SuggestedCheck[];
  notes: string[];
}

/** Options of {@link suggestChecks}. */
export interface SuggestOptions {
  /** The time freshness is judged against; default now. */
  now?: Date;
}

/**
 * Suggests checks for the relation `profile` describes (made by `profileRelation` on `target`).
 *
 * @example
 * ```ts
 * const profile = await profileRelation(target);
 * const { checks } = await suggestChecks(target, profile);
 * // [{ type: 'row_count', min: 1, reason: '1,200 rows today; ...' },
 * //  { type: 'not_null', columns: ['order_id', ...], reason: '0 nulls in 1,200 rows ...' }, ...]
 * ```
 */
export async function suggestChecks(target: ProfileTarget, profile: RelationProfile, options: SuggestOptions = {}): Promise<CheckSuggestions> {
  const checks: SuggestedCheck[] = [];
  const notes: string[] = [];
  if (profile.rows === 0) {
    notes.push('the relation is empty: there is no data to suggest checks from');
    return { checks, notes };
  }
  checks.push({ type: 'row_count', min: 1, exceptions: 0, reason: `${count(profile.rows)} rows today; an empty build is never right, so row_count min 1` });
  const complete = profile.columns.filter((column) => column.nulls === 0).map((column) => column.name);
  if (complete.length > 0) {
    const each = complete.length > 1 ? ' in each of these columns' : '';
    checks.push({ type: 'not_null', columns: complete, exceptions: 0, reason: `0 nulls in ${count(profile.rows)} rows${each}, so not_null` });
  }

  const unique = await uniqueSuggestions(target, profile);
  checks.push(...unique);
  // Keys (even with a few duplicates) and foreign keys are identifiers, not quantities: no range.
  const keys = new Set(unique.flatMap((check) => (check.type === 'unique' ? check.columns : [])));
  // Checks read off the sample (patterns, fixed widths): confirmed on the whole relation at the end.
  const sampled: SuggestedCheck[] = [];
  for (const column of profile.columns) {
    const accepted = acceptedValues(column);
    if (accepted) checks.push(accepted);
    if (!(column.category === 'integer' && (keys.has(column.name) || ID_NAME.test(column.name)))) {
      const range = between(column, profile.rows);
      if (range) checks.push(range);
    }
    const shape = accepted ? undefined : patternCheck(column, profile.sample.complete, notes);
    if (shape) {
      checks.push(shape);
      sampled.push(shape);
    }
    const width = accepted || shape ? undefined : fixedLength(column, profile.rows, profile.sample.complete);
    if (width) {
      checks.push(width);
      sampled.push(width);
    }
    const nulls = nullProportion(column, profile.rows, notes);
    if (nulls) checks.push(nulls);
  }
  const fresh = freshness(profile, options.now ?? new Date(), notes);
  if (fresh) checks.push(fresh);

  const rejected = await verifyOnWholeRelation(target, profile, sampled, notes);
  return { checks: checks.filter((check) => !rejected.has(check)), notes };
}

/** Names of identifier columns: a range on them says only how many rows there are so far (and breaks as they grow). */
const ID_NAME = /(^id$|_id$|_key$|_no$|_number$)/i;

/** Columns that look like keys, confirmed exactly: strict `unique`, or `unique` with `mostly` when a few rows repeat a key. */
async function uniqueSuggestions(target: ProfileTarget, profile: RelationProfile): Promise<SuggestedCheck[]> {
  const keyName = /(^id$|_id$|_key$|_no$|_number$|_code$|^code$|uuid)/i;
  const candidates = profile.columns
    .filter((column) => {
      const nonNull = profile.rows - column.nulls;
      return (
        ['integer', 'string', 'uuid'].includes(column.category) &&
        nonNull >= SUGGESTION_RULES.minRowsForKeys &&
        column.distinct >= SUGGESTION_RULES.uniqueCandidateShare * nonNull
      );
    })
    // Names that say "key" first, then numbers and UUIDs, then text: a wide table keeps the likeliest keys.
    .sort((a, b) => Number(keyName.test(b.name)) - Number(keyName.test(a.name)) || rank(a) - rank(b))
    .slice(0, SUGGESTION_RULES.maxUniqueCandidates);
  const q = target.quoteIdentifier;
  const suggestions: SuggestedCheck[] = [];
  for (const column of candidates) {
    const name = q(column.name);
    // One grouping query per column: on DuckDB separate queries beat several count(DISTINCT) in one.
    const [row] = await target.session.query(
      `SELECT count(*) AS ${q('keys')}, COALESCE(sum(n), 0) AS ${q('rows')}
       FROM (SELECT count(*) AS n FROM ${target.relation} WHERE ${name} IS NOT NULL GROUP BY ${name} HAVING count(*) > 1) AS duplicates`,
    );
    const duplicateKeys = Number(row?.keys ?? 0);
    const duplicateRows = Number(row?.rows ?? 0);
    const nonNull = profile.rows - column.nulls;
    if (duplicateRows === 0) {
      suggestions.push({ type: 'unique', columns: [column.name], exceptions: 0, reason: `${count(nonNull)} distinct values in ${count(nonNull)} non-null rows (counted exactly), so unique` });
    } else if (fewExceptions(duplicateRows, nonNull)) {
      const mostly = mostlyFor(duplicateRows, nonNull);
      suggestions.push({
        type: 'unique',
        columns: [column.name],
        mostly,
        severity: 'warn',
        exceptions: duplicateRows,
        reason:
          `unique except ${count(duplicateKeys)} value${duplicateKeys === 1 ? '' : 's'} repeated in ${count(duplicateRows)} of ${count(nonNull)} rows ` +
          `(${percent(duplicateRows / nonNull)}): likely duplicates to review, so unique with mostly ${mostly} as a warning`,
      });
    }
  }
  return suggestions;
}

function rank(column: ColumnProfile): number {
  return column.category === 'string' ? 1 : 0;
}

/** Few distinct text values, each in more than one row: the list; rare values are exceptions. */
function acceptedValues(column: ColumnProfile): SuggestedCheck | undefined {
  const { values } = column;
  if (column.category !== 'string' || values.source !== 'table' || !values.complete) return undefined;
  if (values.counts.length === 0 || values.counts.length > SUGGESTION_RULES.maxAcceptedValues) return undefined;
  const sorted = values.counts.map((entry) => entry.count).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const isRare = (n: number): boolean => n === 1 || n * SUGGESTION_RULES.rareValueFactor < median;
  const common = values.counts.filter((entry) => !isRare(entry.count));
  const rare = values.counts.filter((entry) => isRare(entry.count));
  const nonNull = values.counts.reduce((sum, entry) => sum + entry.count, 0);
  const list = common.map((entry) => String(entry.value)).sort();
  if (common.length === 0) return undefined;
  if (rare.length === 0) {
    return { type: 'accepted_values', column: column.name, values: list, exceptions: 0, reason: `${list.length} distinct value${list.length === 1 ? '' : 's'} in ${count(nonNull)} non-null rows, each in more than one row, so accepted_values` };
  }
  const rareRows = rare.reduce((sum, entry) => sum + entry.count, 0);
  if (!fewExceptions(rareRows, nonNull)) return undefined;
  const mostly = mostlyFor(rareRows, nonNull);
  const named = rare.slice(0, 5).map((entry) => `${valueText(entry.value)} (${count(entry.count)} row${entry.count === 1 ? '' : 's'})`).join(', ');
  return {
    type: 'accepted_values',
    column: column.name,
    values: list,
    mostly,
    severity: 'warn',
    exceptions: rareRows,
    reason:
      `${list.length} values cover ${percent(1 - rareRows / nonNull)} of ${count(nonNull)} non-null rows; ${named}${rare.length > 5 ? ' and more' : ''} ` +
      `${rare.length === 1 ? 'is' : 'are'} rare: likely bad rows to review, so accepted_values without ${rare.length === 1 ? 'it' : 'them'}, with mostly ${mostly} as a warning`,
  };
}

/**
 * A range for numbers. Below: 0 when nothing is negative, 0 with `mostly` when a few rows are
 * (likely sign errors), else twice the lowest value rounded out. Above: twice the largest value
 * rounded up (1 at most for shares): room for growth that still catches a unit mix-up (cents for
 * euros, milliseconds for seconds); the observed maximum itself would fail on the next new high.
 */
function between(column: ColumnProfile, rows: number): SuggestedCheck | undefined {
  if (!['integer', 'decimal', 'float'].includes(column.category) || column.min === null || column.max === null) return undefined;
  const [min, max] = [Number(column.min), Number(column.max)];
  if (!Number.isFinite(min) || !Number.isFinite(max)) return undefined;
  const nonNull = rows - column.nulls;
  const negatives = column.negatives ?? 0;
  const upper = max <= 0 ? 0 : min >= 0 && max <= 1 ? Math.min(1, niceCeil(2 * max)) : niceCeil(2 * max);
  const upperText = max <= 0 ? 'no positive values, so max 0' : `max ${upper} is twice the largest value rounded up`;
  const range = `values from ${valueText(min)} to ${valueText(max)} in ${count(nonNull)} non-null rows`;
  if (negatives === 0) {
    return { type: 'between', column: column.name, min: 0, max: upper, exceptions: 0, reason: `${range}, none negative, so min 0; ${upperText}` };
  }
  if (fewExceptions(negatives, nonNull)) {
    const mostly = mostlyFor(negatives, nonNull);
    return {
      type: 'between',
      column: column.name,
      min: 0,
      max: upper,
      mostly,
      severity: 'warn',
      exceptions: negatives,
      reason:
        `${range}; ${count(negatives)} of them negative (${percent(negatives / nonNull)}, the lowest ${valueText(min)}): likely bad rows to review, ` +
        `so min 0 with mostly ${mostly} as a warning; ${upperText}`,
    };
  }
  const lower = -niceCeil(2 * Math.abs(min));
  return { type: 'between', column: column.name, min: lower, max: upper, exceptions: 0, reason: `${range}; negative values are common here, so min ${lower} (twice the lowest, rounded out); ${upperText}` };
}

/** The best pattern at least 99% of the sampled values match: `parseable` for dates and numbers, `regex` for shapes. */
function patternCheck(column: ColumnProfile, wholeTable: boolean, notes: string[]): SuggestedCheck | undefined {
  if (column.category !== 'string' || column.sampledValues < SUGGESTION_RULES.minPatternValues) return undefined;
  const strong = column.patterns.filter((found) => found.share >= SUGGESTION_RULES.minPatternShare);
  const best = VALUE_PATTERNS.map((pattern) => strong.find((found) => found.pattern === pattern.name && found.format === pattern.format)).find((found) => found !== undefined);
  if (!best) return undefined;
  const definition = patternDefinition(best.pattern, best.format);
  const seen = `${percent(best.share)} of ${count(column.sampledValues)} ${wholeTable ? '' : 'sampled '}values`;
  const rivals = strong.filter((found) => found.pattern === 'date' && found.format !== best.format);
  if (best.pattern === 'date' && rivals.length > 0) {
    // Day-first and month-first fit alike when no day is above 12: check the shape, not a reading.
    const formats = [best, ...rivals].map((found) => found.format).join(' and ');
    notes.push(`${column.name}: both ${formats} fit the sampled values, so the day and month cannot be told apart; suggested a regex for the shape instead of parseable`);
    return { type: 'regex', column: column.name, pattern: shapeOf(definition.regex), exceptions: 0, reason: `${seen} look like dates (${formats}), so regex` };
  }
  if (definition.parseAs) {
    return {
      type: 'parseable',
      column: column.name,
      as: definition.parseAs,
      ...(definition.format ? { format: definition.format } : {}),
      exceptions: 0,
      reason: `${seen} parse as ${describePattern(best)}, so parseable`,
    };
  }
  return { type: 'regex', column: column.name, pattern: definition.regex, exceptions: 0, reason: `${seen} look like ${describePattern(best)}, so regex` };
}

/** A date regex with its fields loosened to digits, for day/month orders the data cannot tell apart. */
function shapeOf(regex: string): string {
  return regex.replace('(0[1-9]|1[0-2])', '[0-9]{2}').replace('(0[1-9]|[12][0-9]|3[01])', '[0-9]{2}').replace('([0-9]{4})', '[0-9]{4}');
}

function describePattern(found: DetectedPattern): string {
  const names: Record<DetectedPattern['pattern'], string> = {
    uuid: 'UUIDs',
    email: 'email addresses',
    url: 'URLs',
    ipv4: 'IPv4 addresses',
    timestamp: 'timestamps',
    date: 'dates',
    phone: 'phone numbers',
    integer: 'integers',
    decimal: 'numbers',
    json: 'JSON',
  };
  return `${names[found.pattern]}${found.format ? ` (${found.format})` : ''}`;
}

/** Text of one fixed width in the sample (codes, ISO country codes): that width, confirmed on the whole relation later. */
function fixedLength(column: ColumnProfile, rows: number, wholeTable: boolean): SuggestedCheck | undefined {
  const nonNull = rows - column.nulls;
  if (column.category !== 'string' || column.length === null || column.length.min !== column.length.max || nonNull < SUGGESTION_RULES.minRowsForKeys) return undefined;
  const width = column.length.min;
  return { type: 'length', column: column.name, min: width, max: width, exceptions: 0, reason: `every ${wholeTable ? '' : 'sampled '}value is ${count(width)} character${width === 1 ? '' : 's'} long, so length ${width}` };
}

/** Columns with some nulls: at most twice today's share, rounded up. */
function nullProportion(column: ColumnProfile, rows: number, notes: string[]): SuggestedCheck | undefined {
  if (column.nulls === 0) return undefined;
  const bound = shareBound(column.nullShare);
  const today = `${count(column.nulls)} null${column.nulls === 1 ? '' : 's'} in ${count(rows)} rows (${percent(column.nullShare)})`;
  if (bound === undefined) {
    notes.push(`${column.name}: ${today}; no null_proportion bound would be useful`);
    return undefined;
  }
  const few = fewExceptions(column.nulls, rows) ? ': a few rows, worth a look in case they are bad data;' : ',';
  return { type: 'null_proportion', column: column.name, max: bound, exceptions: column.nulls, reason: `${today}${few} so null_proportion at most ${bound} (twice today's share, rounded up)` };
}

/** The most recent timestamp or date column, when its newest value is recent. */
function freshness(profile: RelationProfile, now: Date, notes: string[]): SuggestedCheck | undefined {
  const candidates = profile.columns
    .filter((column) => (column.category === 'timestamp' || column.category === 'date') && column.max instanceof Date)
    .sort((a, b) => (b.max as Date).getTime() - (a.max as Date).getTime() || Number(b.category === 'timestamp') - Number(a.category === 'timestamp'));
  const newest = candidates[0];
  if (!newest) return undefined;
  const ageHours = (now.getTime() - (newest.max as Date).getTime()) / 3_600_000;
  if (ageHours > SUGGESTION_RULES.maxFreshDays * 24) {
    notes.push(`no freshness check: the newest ${newest.name} (${valueText(newest.max)}) is ${ageText(ageHours)} old, which looks like historical data`);
    return undefined;
  }
  const maxAge = freshnessMaxAge(ageHours);
  return { type: 'freshness', column: newest.name, maxAge, exceptions: 0, reason: `the newest ${newest.name} is ${ageText(ageHours)} old, so freshness max_age ${maxAge} (twice that, at least ${SUGGESTION_RULES.minFreshnessHours}h)` };
}

/**
 * Pattern and width checks come from the sample: one fused query counts, on the whole relation,
 * the values each one would fail. None: kept as it is. A few: kept with `mostly`, as a warning.
 * More: dropped (returned), with a note.
 */
async function verifyOnWholeRelation(target: ProfileTarget, profile: RelationProfile, checks: SuggestedCheck[], notes: string[]): Promise<Set<SuggestedCheck>> {
  const rejected = new Set<SuggestedCheck>();
  if (checks.length === 0) return rejected;
  const dialect = profileDialectFor(target.kind);
  const q = target.quoteIdentifier;
  const params: unknown[] = [];
  const bind = (value: unknown): string => `$${params.push(value)}`;
  const selects = checks.map((check, index) => {
    const column = 'column' in check ? q(check.column) : '';
    const failing =
      check.type === 'parseable'
        ? dialect.notParseable(column, check.as, check.format, () => bind(parseRegex(check.as, check.format)))
        : check.type === 'length'
          ? `(length(${column}) < ${check.min} OR length(${column}) > ${check.max})`
          : `NOT ${dialect.regexMatches(column, bind(check.type === 'regex' ? check.pattern : ''))}`;
    return `count(*) FILTER (WHERE ${column} IS NOT NULL AND ${failing}) AS ${q(`f_${index}`)}`;
  });
  const [row] = await target.session.query(`SELECT ${selects.join(', ')} FROM ${target.relation}`, params);
  checks.forEach((check, index) => {
    if (!('column' in check)) return;
    const failing = Number(row?.[`f_${index}`] ?? 0);
    if (failing === 0) return;
    const nonNull = profile.rows - (profile.columns.find((column) => column.name === check.column)?.nulls ?? 0);
    const across = `${count(failing)} of ${count(nonNull)} values in the whole table do not (${percent(failing / nonNull)})`;
    if (fewExceptions(failing, nonNull)) {
      const mostly = mostlyFor(failing, nonNull);
      Object.assign(check, { mostly, severity: 'warn', exceptions: failing, reason: `${check.reason}; ${across}: likely bad rows to review, so mostly ${mostly} as a warning` });
    } else {
      rejected.add(check);
      notes.push(`${check.column}: no ${check.type} check: the sample suggested one, but ${across}`);
    }
  });
  return rejected;
}

/** The regex of the pattern a `parseable` suggestion came from (PostgreSQL judges the shape by it). */
function parseRegex(as: ParseTarget, format: string | undefined): string {
  const pattern = VALUE_PATTERNS.find((candidate) => candidate.parseAs === as && candidate.format === format);
  if (!pattern) throw new Error(`no pattern parses as ${as}${format ? ` in ${format}` : ''}`);
  return pattern.regex;
}
