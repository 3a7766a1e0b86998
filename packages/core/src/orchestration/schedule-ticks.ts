/**
 * When a schedule fires. Ticks come from croner, read in the schedule's time zone, and are always
 * compared and stored as UTC instants.
 *
 * Daylight-saving changes (croner's behaviour, pinned by `schedule-ticks.test.ts`):
 * - A local time that does not exist (spring forward, e.g. 02:30 in Europe/Berlin on the last
 *   Sunday of March) fires once, shifted forward by the gap: 02:30 CET does not exist, the tick
 *   is 03:30 CEST (01:30 UTC). An hourly pattern has one tick fewer that day.
 * - A local time that occurs twice (fall back) fires once, at its first occurrence (the summer-time
 *   one). The repeated hour does not fire again: an hourly pattern has one gap of two hours.
 * Only croner's forward search (`nextRun`) is used: its backward search returns duplicate and
 * missing instants around the changes (measured with croner 10.0.1).
 */
import type { Cron } from 'croner';
import { compileCron } from '../project/cron-pattern.js';
import type { ScheduleSpec } from '../project/trigger-specs.js';
import type { RunRequest } from './run-request.js';

/** What {@link dueScheduleTicks} needs of a schedule. */
export type ScheduleTiming = Pick<ScheduleSpec, 'cron' | 'timezone' | 'missed' | 'maxCatchUp'>;

const compiled = new Map<string, Cron>();

/** One croner instance per pattern and zone: `weir serve` evaluates every schedule every second. */
function cronOf(schedule: Pick<ScheduleSpec, 'cron' | 'timezone'>): Cron {
  const key = `${schedule.timezone}\0${schedule.cron}`;
  let cron = compiled.get(key);
  if (cron === undefined) {
    cron = compileCron(schedule.cron, schedule.timezone);
    compiled.set(key, cron);
  }
  return cron;
}

/**
 * The first tick after an instant, per pattern, zone and instant. A schedule's `since` (its last
 * tick, or when it started counting) changes only when it fires, so a pass with nothing due asks
 * croner nothing: croner 10.0.1 builds an `Intl.DateTimeFormat` on every time-zone conversion,
 * about 200 us per `nextRun`, which with 1,000 schedules made every pass of `weir serve` (one a
 * second) take over a second (bench/schedules.js). Bounded: the oldest entries go first.
 */
const firstTicks = new Map<string, number | null>();
const firstTicksLimit = 20_000;

function firstTickAfter(schedule: Pick<ScheduleSpec, 'cron' | 'timezone'>, after: number): number | null {
  const key = `${schedule.timezone}\0${schedule.cron}\0${after}`;
  const known = firstTicks.get(key);
  if (known !== undefined) return known;
  const tick = cronOf(schedule).nextRun(new Date(after))?.getTime() ?? null;
  if (firstTicks.size >= firstTicksLimit) firstTicks.delete(firstTicks.keys().next().value!);
  firstTicks.set(key, tick);
  return tick;
}

/** The ticks in (after, until], oldest first, at most `limit` of them. */
function ticksBetween(cron: Cron, after: number, until: number, limit: number): Date[] {
  const ticks: Date[] = [];
  let cursor = new Date(after);
  while (ticks.length < limit) {
    const next = cron.nextRun(cursor);
    if (next === null || next.getTime() > until) break;
    ticks.push(next);
    cursor = next;
  }
  return ticks;
}

// A window is searched whole; more ticks than this in one means a dense pattern, and then the
// newest ones are found in a smaller window anyway.
const windowTickLimit = 100_000;

/**
 * The newest `count` ticks in (since, now], oldest first, given `first`, the first tick after
 * `since` (due). Searches backwards in growing windows with the forward search only, so a schedule
 * down for a year is not enumerated tick by tick. Every croner call costs (see `firstTicks`), so
 * the first window is sized from the schedule's own spacing, to hold about `count` ticks: a
 * daily schedule caught up after a month asks croner 4-5 times instead of 10 or more.
 */
function newestTicks(cron: Cron, since: number, now: number, count: number, first: number): Date[] {
  const second = cron.nextRun(new Date(first))?.getTime();
  // Only one tick due (a schedule evaluated on time): that is the answer.
  if (second === undefined || second > now) return [new Date(first)];
  for (let window = Math.max(1_000, (second - first) * (count + 1)); ; window *= 4) {
    // A window reaching back before the first tick holds every tick there is: no need to grow it further.
    const from = Math.max(since, now - window);
    const ticks = ticksBetween(cron, from, now, windowTickLimit);
    if (ticks.length >= count || from < first) return ticks.slice(-count);
  }
}

/**
 * The ticks of `schedule` to run now, oldest first: those in (since, now] that the missed-tick
 * policy keeps.
 *
 * - `since` is the last tick a run was requested for, or the instant the schedule started
 *   counting (first evaluation, or the last resume). Undefined: nothing is due (a schedule never
 *   fires for the time before it was first seen).
 * - `missed: skip`: only the newest tick in (since, now]; the older ones are missed and dropped.
 *   One tick (the normal case, evaluated on time) is simply that tick.
 * - `missed: catch_up`: every tick in (since, now], but at most `maxCatchUp`: the newest ones, run
 *   oldest first. Past the bound the oldest ticks are dropped, since recent data matters most.
 * - A tick exactly at `now` is due.
 *
 * @example
 * ```ts
 * const nightly = { cron: '0 2 * * *', timezone: 'Europe/Berlin', missed: 'catch_up', maxCatchUp: 3 } as const;
 * dueScheduleTicks(nightly, new Date('2026-03-26T01:00:00Z'), new Date('2026-03-30T12:00:00Z'));
 * // [2026-03-28T01:00:00Z, 2026-03-29T01:00:00Z (03:00 CEST: 02:00 did not exist), 2026-03-30T00:00:00Z]
 * ```
 */
export function dueScheduleTicks(schedule: ScheduleTiming, since: Date | undefined, now: Date): Date[] {
  if (since === undefined || now.getTime() <= since.getTime()) return [];
  const first = firstTickAfter(schedule, since.getTime());
  if (first === null || first > now.getTime()) return [];
  const count = schedule.missed === 'catch_up' ? schedule.maxCatchUp : 1;
  return newestTicks(cronOf(schedule), since.getTime(), now.getTime(), count, first);
}

/**
 * The next `count` fire times strictly after `after`, oldest first (fewer when the pattern
 * stops matching within croner's search horizon).
 *
 * @example
 * ```ts
 * nextFireTimes({ cron: '0 2 * * *', timezone: 'UTC' }, new Date('2026-01-01T12:00:00Z'), 2);
 * // [2026-01-02T02:00:00Z, 2026-01-03T02:00:00Z]
 * ```
 */
export function nextFireTimes(schedule: Pick<ScheduleSpec, 'cron' | 'timezone'>, after: Date, count: number): Date[] {
  return ticksBetween(cronOf(schedule), after.getTime(), Number.POSITIVE_INFINITY, count);
}

/**
 * The dedupe key of one tick: the same tick always has the same key, whoever evaluates it.
 *
 * @example
 * ```ts
 * scheduleDedupeKey('nightly', new Date('2026-03-29T01:00:00Z')); // 'schedule:nightly:2026-03-29T01:00:00.000Z'
 * ```
 */
export function scheduleDedupeKey(name: string, tick: Date): string {
  return `schedule:${name}:${tick.toISOString()}`;
}

/**
 * The run request of one tick.
 *
 * @example
 * ```ts
 * scheduleRunRequest(schedule, new Date('2026-03-29T01:00:00Z')).dedupeKey; // 'schedule:nightly:2026-03-29T01:00:00.000Z'
 * ```
 */
export function scheduleRunRequest(schedule: Pick<ScheduleSpec, 'name' | 'cron' | 'timezone' | 'selection'>, tick: Date): RunRequest {
  return {
    trigger: `schedule:${schedule.name}`,
    dedupeKey: scheduleDedupeKey(schedule.name, tick),
    selection: { select: [...schedule.selection.select], exclude: [...schedule.selection.exclude] },
    reason: `schedule "${schedule.name}" (cron "${schedule.cron}" in ${schedule.timezone}): tick of ${formatInZone(tick, schedule.timezone)}`,
    scheduledFor: tick.toISOString(),
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * An instant as wall-clock time in `timezone` with its UTC offset, unambiguous on the days the
 * clocks change: `2026-03-29 03:00 +02:00`, `2026-10-25 02:30 +02:00` (seconds only when set).
 *
 * @example
 * ```ts
 * formatInZone(new Date('2026-03-29T01:00:00Z'), 'Europe/Berlin'); // '2026-03-29 03:00 +02:00'
 * ```
 */
export function formatInZone(instant: Date, timezone: string): string {
  let format = formatters.get(timezone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timezone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offsetMinutes = Math.round((wall - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}:${String(absolute % 60).padStart(2, '0')}`;
  const seconds = parts.second === '00' ? '' : `:${parts.second}`;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}${seconds} ${offset}`;
}
