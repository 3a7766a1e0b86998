/**
 * The rules of thumb behind suggested checks, as numbers and small pure functions, so that each
 * threshold has one name and one place (docs/profiling.md explains them for users).
 */

/** The thresholds `suggestChecks` applies. */
export const SUGGESTION_RULES = {
  /** accepted_values: at most this many distinct values, each in more than one row. */
  maxAcceptedValues: 20,
  /** A value this many times rarer than the column's median value is an exception, not a category. */
  rareValueFactor: 50,
  /** regex / parseable: at least this share of sampled values match the pattern. */
  minPatternShare: 0.99,
  /** Fewer sampled values than this are too little evidence for a pattern. */
  minPatternValues: 20,
  /** unique, length: fewer non-null rows than this say nothing about keys or widths. */
  minRowsForKeys: 10,
  /** unique: at most this many candidate columns are confirmed with an exact query. */
  maxUniqueCandidates: 5,
  /** unique: a column whose (estimated) distinct values are at least this share of its rows is a candidate. */
  uniqueCandidateShare: 0.9,
  /** freshness: data whose newest value is older than this many days looks historical: no check. */
  maxFreshDays: 30,
  /** freshness: the smallest max_age suggested (a daily load plus half a day of slack). */
  minFreshnessHours: 36,
} as const;

/**
 * Whether `bad` rows out of `total` are "a few": at most 1% of them, or at most 10 rows when that
 * is no more than 5%. A rule the rest of the data keeps is then suggested with `mostly` (and as a
 * warning): the few rows are likely bad data for a person to look at, not a reason to drop the rule.
 *
 * @example
 * ```ts
 * fewExceptions(5, 5000); // true
 * fewExceptions(6, 203); // true (6 rows, 3%)
 * fewExceptions(40, 1000); // false
 * ```
 */
export function fewExceptions(bad: number, total: number): boolean {
  if (bad <= 0 || total <= 0) return false;
  return bad <= Math.max(0.01 * total, Math.min(10, 0.05 * total));
}

/**
 * The `mostly` that lets a check pass today with `failing` of `total` rows breaking it: the share
 * that passes, rounded DOWN to two decimals (so it always passes on the data it came from).
 *
 * @example
 * ```ts
 * mostlyFor(20, 4980); // 0.99 (99.6% pass)
 * mostlyFor(6, 203); // 0.97
 * ```
 */
export function mostlyFor(failing: number, total: number): number {
  // Integer arithmetic: 0.99 * 100 is not 99 in floating point.
  return Math.floor(((total - failing) * 100) / total) / 100;
}

/**
 * The smallest "round" number (1, 2 or 5 times a power of ten) at or above `value` (> 0).
 *
 * @example
 * ```ts
 * niceCeil(309.98); // 500
 * niceCeil(0.4); // 0.5
 * niceCeil(6); // 10
 * ```
 */
export function niceCeil(value: number): number {
  if (!(value > 0)) return 0;
  const base = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    const candidate = Number((step * base).toPrecision(12));
    if (candidate >= value) return candidate;
  }
  return Number((10 * base).toPrecision(12));
}

const SHARE_STEPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/**
 * The upper bound for a share observed at `share`: twice it, rounded up to a step of
 * 0.001/0.002/0.005/.../0.1 and then tenths; undefined when that reaches 1 (no useful bound).
 *
 * @example
 * ```ts
 * shareBound(0.004); // 0.01
 * shareBound(0.3); // 0.6
 * shareBound(0.6); // undefined
 * ```
 */
export function shareBound(share: number): number | undefined {
  return SHARE_STEPS.find((step) => step >= 2 * share - 1e-12);
}

/** A count for a reason: `1,200,000`. */
export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** A share for a reason: `0.40%`, `3.0%`, `45.2%`. */
export function percent(share: number): string {
  const value = share * 100;
  return `${value < 10 ? value.toPrecision(2) : value.toFixed(1)}%`;
}

/** A value for a reason: numbers with separators, dates as ISO days or instants, text quoted. */
export function valueText(value: unknown): string {
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
  }
  if (typeof value === 'number') return Number.isInteger(value) ? count(value) : String(Number(value.toPrecision(6)));
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/**
 * A freshness `max_age` for data whose newest value is `ageHours` old: twice that, at least
 * {@link SUGGESTION_RULES.minFreshnessHours}, in hours up to three days and in days above.
 *
 * @example
 * ```ts
 * freshnessMaxAge(5); // '36h'
 * freshnessMaxAge(50); // '5d'
 * ```
 */
export function freshnessMaxAge(ageHours: number): string {
  const hours = Math.max(SUGGESTION_RULES.minFreshnessHours, Math.ceil(2 * Math.max(0, ageHours)));
  return hours < 72 ? `${hours}h` : `${Math.ceil(hours / 24)}d`;
}

/** An age for a reason: `5 hours`, `3 days`. */
export function ageText(hours: number): string {
  if (hours < 48) return `${Math.max(0, Math.round(hours))} hours`;
  return `${count(Math.round(hours / 24))} days`;
}
