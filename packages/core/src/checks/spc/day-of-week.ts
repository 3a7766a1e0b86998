/**
 * Weekdays for day-of-week seasonality. A point's weekday is taken in the configured time zone
 * because "Monday's load" means the business's Monday, not UTC's.
 */

/** Weekday names, index 0 = Sunday as in `Date.getUTCDay()`. */
export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

const SHORT_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * A function giving the weekday (0 = Sunday) of an epoch-millisecond time in `timeZone`. The
 * formatter is built once, since constructing `Intl.DateTimeFormat` costs far more than using it.
 *
 * @example
 * ```ts
 * const weekday = weekdayReader('Asia/Tokyo');
 * weekday(Date.parse('2024-01-06T23:30:00Z')); // 0: Sunday morning in Tokyo, Saturday in UTC
 * ```
 */
export function weekdayReader(timeZone: string): (time: number) => number {
  if (timeZone === 'UTC') return (time) => new Date(time).getUTCDay();
  const format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' });
  return (time) => SHORT_NAMES.indexOf(format.format(time));
}
