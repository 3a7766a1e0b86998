/**
 * Partition keys and their slices: which partitions a declaration has, what a user's key means,
 * and the half-open range of rows each one owns. Pure (the clock is passed in); time zones come
 * from the platform's `Intl` data, so no time-zone table ships with Weir.
 *
 * Keys: `2026-03-01` (day), `2026-03` (month), `2026-03-01T13:00Z` (hour in UTC) or
 * `2026-10-25T02:00+02:00` (hour elsewhere: the offset tells apart the two 02:00 of a
 * daylight-saving fall-back day).
 */
import { WeirError } from '../errors/weir-error.js';
import type { PartitionSpec, PartitionWindow, TimePartitioning } from './partition-spec.js';

const HOUR_MS = 3_600_000;

/** A wall-clock time: calendar fields without a zone. */
interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** True when `timezone` is an IANA zone this platform knows. */
export function isKnownTimeZone(timezone: string): boolean {
  try {
    formatter(timezone);
    return true;
  } catch {
    return false;
  }
}

function formatter(timezone: string): Intl.DateTimeFormat {
  let format = formatters.get(timezone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timezone, format);
  }
  return format;
}

/** The wall-clock time in `timezone` at `instant` (ms since the epoch). */
function localAt(instant: number, timezone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(timezone).formatToParts(new Date(instant))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour! % 24, minute: parts.minute! };
}

/** Minutes `timezone` is ahead of UTC at `instant`. */
function offsetMinutes(instant: number, timezone: string): number {
  const local = localAt(instant, timezone);
  return Math.round((Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute) - Math.floor(instant / 60_000) * 60_000) / 60_000);
}

/**
 * The instant a wall-clock time happens in `timezone`. A time that happens twice (fall-back)
 * is the earlier one; a time skipped by a spring-forward is moved forward by the gap.
 */
function instantOf(local: LocalTime, timezone: string): number {
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  const candidates = [offsetMinutes(asUtc - 14 * HOUR_MS, timezone), offsetMinutes(asUtc + 14 * HOUR_MS, timezone)]
    .map((offset) => asUtc - offset * 60_000)
    .filter((instant) => sameLocal(localAt(instant, timezone), local))
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0]!;
  // In a gap: the offset before the gap carries the wall-clock time past it.
  return asUtc - offsetMinutes(asUtc - 14 * HOUR_MS, timezone) * 60_000;
}

function sameLocal(a: LocalTime, b: LocalTime): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute;
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
const dateText = (local: LocalTime): string => `${pad(local.year, 4)}-${pad(local.month)}-${pad(local.day)}`;
const wallText = (local: LocalTime): string => `${dateText(local)} ${pad(local.hour)}:${pad(local.minute)}:00`;

function offsetText(minutes: number, timezone: string): string {
  if (minutes === 0 && timezone === 'UTC') return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}

const LOCAL_PATTERN = /^(\d{4})-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2}))?)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Reads a date or time as written in config or on the command line: `2026-03`, `2026-03-01`,
 * `2026-03-01T13`, `2026-03-01 13:00`, optionally with `Z` or an offset. Undefined when it is not one.
 */
function parseTime(text: string, timezone: string): { instant: number; hasTime: boolean; hasDay: boolean } | undefined {
  const match = LOCAL_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour, minute, , offset] = match;
  const local: LocalTime = { year: Number(year), month: Number(month), day: Number(day ?? 1), hour: Number(hour ?? 0), minute: Number(minute ?? 0) };
  const check = new Date(Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute));
  if (check.getUTCMonth() !== local.month - 1 || check.getUTCDate() !== local.day || local.hour > 23 || local.minute > 59) return undefined;
  let instant: number;
  if (offset === undefined) instant = instantOf(local, timezone);
  else {
    const minutes = offset === 'Z' ? 0 : (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(-2)));
    instant = check.getTime() - minutes * 60_000;
  }
  return { instant, hasTime: hour !== undefined, hasDay: day !== undefined };
}

/** Why a time partitioning cannot be used, or undefined when it can (for the loader's messages). */
export function timePartitioningProblem(spec: TimePartitioning): { field: 'timezone' | 'start' | 'end'; message: string } | undefined {
  if (!isKnownTimeZone(spec.timezone)) return { field: 'timezone', message: `"${spec.timezone}" is not a known time zone (expected an IANA name such as UTC or Europe/Paris)` };
  if (parseTime(spec.start, spec.timezone) === undefined) return { field: 'start', message: `"${spec.start}" is not a date (expected e.g. 2026-01-01, or 2026-01-01T06:00 for hours)` };
  if (spec.end !== undefined) {
    const end = parseTime(spec.end, spec.timezone);
    if (end === undefined) return { field: 'end', message: `"${spec.end}" is not a date (expected e.g. 2026-12-31)` };
    if (end.instant <= parseTime(spec.start, spec.timezone)!.instant) return { field: 'end', message: `end ${spec.end} is not after start ${spec.start}` };
  }
  return undefined;
}

/** The start of the partition containing `instant`. */
function floorTo(spec: TimePartitioning, instant: number): number {
  const local = localAt(instant, spec.timezone);
  if (spec.granularity === 'hour') return instant - (local.minute * 60_000) - (instant % 60_000);
  return instantOf({ year: local.year, month: local.month, day: spec.granularity === 'month' ? 1 : local.day, hour: 0, minute: 0 }, spec.timezone);
}

/** The start of the partition after the one starting at `start`. */
function nextStart(spec: TimePartitioning, start: number): number {
  if (spec.granularity === 'hour') return start + HOUR_MS;
  const local = localAt(start, spec.timezone);
  const next = new Date(Date.UTC(local.year, local.month - 1 + (spec.granularity === 'month' ? 1 : 0), local.day + (spec.granularity === 'day' ? 1 : 0)));
  return instantOf({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate(), hour: 0, minute: 0 }, spec.timezone);
}

/** The key of the partition starting at `start`. */
function keyAt(spec: TimePartitioning, start: number): string {
  const local = localAt(start, spec.timezone);
  if (spec.granularity === 'month') return dateText(local).slice(0, 7);
  if (spec.granularity === 'day') return dateText(local);
  return `${dateText(local)}T${pad(local.hour)}:${pad(local.minute)}${offsetText(offsetMinutes(start, spec.timezone), spec.timezone)}`;
}

function windowAt(spec: TimePartitioning, start: number): PartitionWindow {
  const end = nextStart(spec, start);
  return {
    kind: 'time',
    key: keyAt(spec, start),
    column: spec.column,
    granularity: spec.granularity,
    localStart: wallText(localAt(start, spec.timezone)),
    localEnd: wallText(localAt(end, spec.timezone)),
    startInstant: new Date(start).toISOString(),
    endInstant: new Date(end).toISOString(),
  };
}

/** Options of {@link partitionKeys}. */
export interface PartitionRange {
  /** The first partition wanted: a key, or any date or time inside it. */
  from?: string;
  /** The last partition wanted (inclusive): a key, or any date or time inside it. */
  to?: string;
  /** The clock, for a declaration without `end`. */
  now?: Date;
}

/**
 * The partitions of a declaration, oldest first, optionally narrowed to `from`..`to` (both
 * inclusive). Time partitions exist from `start` until `end` (or now): only complete ones, so
 * today's daily partition appears tomorrow. Static partitions are the declared values.
 *
 * @example
 * ```ts
 * partitionKeys({ kind: 'time', column: 'order_date', granularity: 'day', start: '2026-01-01', timezone: 'UTC' }, { to: '2026-01-03', now });
 * // ['2026-01-01', '2026-01-02', '2026-01-03']
 * ```
 */
export function partitionKeys(spec: PartitionSpec, range: PartitionRange = {}): string[] {
  if (spec.kind === 'values') {
    const keys = [...spec.values];
    const first = range.from === undefined ? 0 : keys.indexOf(requireKey(spec, range.from));
    const last = range.to === undefined ? keys.length - 1 : keys.indexOf(requireKey(spec, range.to));
    return keys.slice(first, last + 1);
  }
  const limit = spec.end === undefined ? (range.now ?? new Date()).getTime() : parseTime(spec.end, spec.timezone)!.instant;
  let start = floorTo(spec, parseTime(spec.start, spec.timezone)!.instant);
  const from = range.from === undefined ? undefined : floorTo(spec, userInstant(spec, range.from));
  const to = range.to === undefined ? undefined : floorTo(spec, userInstant(spec, range.to));
  if (from !== undefined && from > start) start = from;
  const keys: string[] = [];
  for (let next = nextStart(spec, start); next <= limit && (to === undefined || start <= to); next = nextStart(spec, next)) {
    keys.push(keyAt(spec, start));
    start = next;
    if (keys.length > 1_000_000) throw new WeirError('USAGE', 'more than a million partitions: narrow the range');
  }
  return keys;
}

function userInstant(spec: TimePartitioning, text: string): number {
  const parsed = parseTime(text, spec.timezone);
  if (parsed === undefined) throw new WeirError('USAGE', `"${text}" is not a ${spec.granularity} of ${spec.column} (expected e.g. ${exampleKey(spec)})`);
  return parsed.instant;
}

function exampleKey(spec: PartitionSpec): string {
  if (spec.kind === 'values') return spec.values.slice(0, 3).join(', ');
  return spec.granularity === 'month' ? '2026-03' : spec.granularity === 'day' ? '2026-03-01' : '2026-03-01T13:00';
}

function requireKey(spec: PartitionSpec & { kind: 'values' }, key: string): string {
  if (!spec.values.includes(key)) throw new WeirError('USAGE', `"${key}" is not a partition of ${spec.column} (its values: ${spec.values.join(', ')})`);
  return key;
}

/**
 * The canonical key of what a user typed (`2026-03-01`, `2026-03-01 13:00`, a static value).
 * A key outside the declared range is refused, naming the range.
 *
 * @example
 * ```ts
 * partitionKey(monthly, '2026-03-15'); // '2026-03'
 * ```
 */
export function partitionKey(spec: PartitionSpec, input: string, now?: Date): string {
  if (spec.kind === 'values') return requireKey(spec, input);
  const parsed = parseTime(input, spec.timezone);
  if (parsed === undefined || (spec.granularity === 'hour' && !parsed.hasTime && input.length > 10) || (spec.granularity !== 'month' && !parsed.hasDay)) {
    throw new WeirError('USAGE', `"${input}" is not a ${spec.granularity} of ${spec.column} (expected e.g. ${exampleKey(spec)})`);
  }
  const start = floorTo(spec, parsed.instant);
  const first = floorTo(spec, parseTime(spec.start, spec.timezone)!.instant);
  const limit = spec.end === undefined ? (now ?? new Date()).getTime() : parseTime(spec.end, spec.timezone)!.instant;
  if (start < first || nextStart(spec, start) > limit) {
    throw new WeirError('USAGE', `partition ${keyAt(spec, start)} is outside ${spec.column}'s partitions (from ${spec.start} to ${spec.end ?? 'the last complete one'})`);
  }
  return keyAt(spec, start);
}

/**
 * The slice of rows partition `key` owns. The key must be canonical ({@link partitionKey}).
 *
 * @example
 * ```ts
 * partitionWindow(daily, '2026-03-01'); // { localStart: '2026-03-01 00:00:00', localEnd: '2026-03-02 00:00:00', ... }
 * ```
 */
export function partitionWindow(spec: PartitionSpec, key: string): PartitionWindow {
  if (spec.kind === 'values') return { kind: 'values', key: requireKey(spec, key), column: spec.column, value: key };
  const parsed = parseTime(key, spec.timezone);
  if (parsed === undefined) throw new WeirError('USAGE', `"${key}" is not a ${spec.granularity} of ${spec.column} (expected e.g. ${exampleKey(spec)})`);
  const window = windowAt(spec, floorTo(spec, parsed.instant));
  if (window.key !== key) throw new WeirError('USAGE', `"${key}" is not a partition key of ${spec.column}; did you mean ${window.key}?`);
  return window;
}
