/**
 * Statistics computed in JavaScript from a sample of rows: how often each value occurs, and an
 * estimate of a column's distinct values in the whole table. The sample is small (thousands of
 * rows), so this costs nothing next to a scan, and it is the same code for every engine.
 */

/** One value and how often it occurs (in the table or in the sample, as the owner says). */
export interface ValueCount {
  value: unknown;
  count: number;
}

/** A key under which equal values meet: a Date and its ISO text are different values of different types. */
export function valueKey(value: unknown): string {
  if (value instanceof Date) return `d:${value.toISOString()}`;
  if (typeof value === 'object' && value !== null) return `o:${JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner))}`;
  return `${typeof value}:${String(value)}`;
}

/**
 * Counts the non-null values of `values`, most frequent first (ties in order of first sight).
 *
 * @example
 * ```ts
 * countValues(['a', 'b', 'a', null]); // [{ value: 'a', count: 2 }, { value: 'b', count: 1 }]
 * ```
 */
export function countValues(values: readonly unknown[]): ValueCount[] {
  const counts = new Map<string, ValueCount>();
  for (const value of values) {
    if (value === null || value === undefined) continue;
    const key = valueKey(value);
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { value, count: 1 });
  }
  return [...counts.values()].sort((a, b) => b.count - a.count);
}

/**
 * Estimates the distinct values of a column from a sample's value counts, with the estimator
 * PostgreSQL's ANALYZE uses (Haas and Stokes' Duj1): `n*d / (n - f1 + f1*n/N)`, where the sample
 * has `n` non-null values, `d` of them distinct and `f1` seen once, and the table has `N` non-null
 * values. A sample where every value is new says "about as many distinct values as rows"; one where
 * every value repeats says "about what the sample saw". Kept between `d` and `N`.
 *
 * @example
 * ```ts
 * estimateDistinct(countValues(sampleOfEmails), 10_000_000); // ~ 480,000
 * ```
 */
export function estimateDistinct(sampleCounts: readonly ValueCount[], tableNonNull: number): number {
  const d = sampleCounts.length;
  const n = sampleCounts.reduce((sum, entry) => sum + entry.count, 0);
  if (n === 0) return 0;
  if (n >= tableNonNull) return d;
  const f1 = sampleCounts.filter((entry) => entry.count === 1).length;
  const estimate = (n * d) / (n - f1 + (f1 * n) / tableNonNull);
  return Math.round(Math.min(tableNonNull, Math.max(d, estimate)));
}
