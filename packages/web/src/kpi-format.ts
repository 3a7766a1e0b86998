/** How the KPI panel writes values and deltas: durations in the largest sensible units, ratios as percentages. */

/**
 * A duration in seconds for people: `0.42 s`, `12.3 s`, `4m 05s`, `3h 20m`, `2d 4h`.
 *
 * @example
 * ```ts
 * formatDuration(245); // '4m 05s'
 * ```
 */
export function formatDuration(seconds: number): string {
  const s = Math.abs(seconds);
  const sign = seconds < 0 ? '-' : '';
  if (s < 10) return `${sign}${s.toFixed(2)} s`;
  if (s < 60) return `${sign}${s.toFixed(1)} s`;
  if (s < 3600) return `${sign}${Math.floor(s / 60)}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  if (s < 86_400) return `${sign}${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${sign}${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/**
 * A ratio (0 to 1) as a percentage with one decimal: `87.5%`.
 *
 * @example
 * ```ts
 * formatPercent(0.25); // '25.0%'
 * ```
 */
export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}
