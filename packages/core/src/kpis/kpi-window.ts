/**
 * The days KPIs are measured over: a window of whole UTC days ending with today (today counts
 * up to `now`), and the window of as many days before it, for the delta.
 */

const DAY_MS = 86_400_000;

/** The window of a KPI computation. */
export interface KpiWindow {
  /** Start of the previous window (inclusive). */
  previousFrom: number;
  /** Start of the window (inclusive), midnight UTC; also the end of the previous window. */
  from: number;
  /** The end of the window (exclusive): now. */
  to: number;
  /** The window's UTC days, `YYYY-MM-DD`, oldest first. */
  days: string[];
}

/**
 * The window of `days` whole UTC days ending with the day of `now`.
 *
 * @example
 * ```ts
 * const window = kpiWindow(new Date('2025-03-10T12:00:00Z'), 7);
 * window.days[0]; // '2025-03-04'
 * new Date(window.from).toISOString(); // '2025-03-04T00:00:00.000Z'
 * ```
 */
export function kpiWindow(now: Date, days: number): KpiWindow {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`a KPI window has a whole number of days >= 1, not ${days}`);
  const to = now.getTime();
  const today = Math.floor(to / DAY_MS) * DAY_MS;
  const from = today - (days - 1) * DAY_MS;
  return { previousFrom: from - days * DAY_MS, from, to, days: Array.from({ length: days }, (_, index) => dayOf(from + index * DAY_MS)) };
}

/**
 * The UTC day (`YYYY-MM-DD`) of an instant, given as epoch milliseconds or an ISO string.
 *
 * @example
 * ```ts
 * dayOf('2025-03-10T23:59:59Z'); // '2025-03-10'
 * ```
 */
export function dayOf(at: number | string): string {
  return new Date(typeof at === 'number' ? at : Date.parse(at)).toISOString().slice(0, 10);
}

/**
 * Start (inclusive) and end (exclusive) of one UTC day, in epoch milliseconds.
 *
 * @example
 * ```ts
 * dayBounds('2025-03-10'); // [1741564800000, 1741651200000]
 * ```
 */
export function dayBounds(day: string): [number, number] {
  const start = Date.parse(`${day}T00:00:00.000Z`);
  return [start, start + DAY_MS];
}
