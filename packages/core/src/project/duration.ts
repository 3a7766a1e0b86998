/** Durations as people write them in config: `90s`, `30m`, `6h`, `2d`, `1w`, or a number of seconds. */

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * Seconds in `value`, or undefined when it is not a duration.
 *
 * @example
 * ```ts
 * parseDuration('6h'); // 21600
 * parseDuration('1.5d'); // 129600
 * parseDuration(90); // 90
 * ```
 */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/.exec(value);
  if (match === null) return undefined;
  const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] as string] as number);
  return seconds > 0 ? seconds : undefined;
}
