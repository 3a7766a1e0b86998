/**
 * Quantiles of a sample, interpolated linearly between the closest ranks (the same as
 * numpy's default and PostgreSQL's `percentile_cont`), so the median of an even sample is the mean
 * of its middle two.
 */

/**
 * The `q` quantile (0 to 1) of `values`; null for an empty sample.
 *
 * @example
 * ```ts
 * quantile([4, 1, 3, 2], 0.5); // 2.5
 * quantile([10, 20, 30, 40, 50], 0.9); // 46
 * ```
 */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * q;
  const below = Math.floor(rank);
  const above = Math.ceil(rank);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (rank - below);
}
