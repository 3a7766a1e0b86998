/**
 * DuckDB's dates, times and intervals as the JS values Weir hands out, the same on every engine
 * (the PostgreSQL adapter parses its text into the same shapes):
 * - DATE and the TIMESTAMP types become a `Date`, except `infinity` / `-infinity`, which stay that
 *   text as PostgreSQL gives them, and values a `Date` cannot hold (beyond ±275760 years), which
 *   become DuckDB's own text (`290000-01-01 00:00:00`) instead of failing the whole query.
 * - TIME, TIME WITH TIME ZONE and TIME_NS become DuckDB's text: `HH:MM:SS[.ffffff][+HH[:MM]]`.
 * - INTERVAL becomes DuckDB's text, `1 year 2 months 3 days 04:05:06.5` (`00:00:00` when zero):
 *   lossless (months, days and microseconds stay apart, each with its own sign) and read back
 *   unchanged by `CAST(... AS INTERVAL)` on both engines.
 */
import {
  DuckDBDateValue,
  DuckDBIntervalValue,
  DuckDBTimeNSValue,
  DuckDBTimeTZValue,
  DuckDBTimeValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
} from '@duckdb/node-api';

// DuckDB stores +/-infinity as the largest magnitude of the value's own integer (days for DATE).
const INFINITE_DAYS = 2 ** 31 - 1;
const INFINITE_TICKS = 2n ** 63n - 1n;
// A JS Date holds +/-8.64e15 ms around the epoch (100,000,000 days).
const MAX_DATE_MILLIS = 8_640_000_000_000_000n;
const MILLIS_PER_DAY = 86_400_000n;

/** The DuckDB types converted here: {@link temporalValue} is given values of only these. */
export const TEMPORAL_TYPES: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.DATE,
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_TZ,
  DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_NS,
  DuckDBTypeId.TIME,
  DuckDBTypeId.TIME_TZ,
  DuckDBTypeId.TIME_NS,
  DuckDBTypeId.INTERVAL,
]);

/**
 * A date, timestamp, time or interval value as Weir hands it out (see the file comment);
 * `undefined` for a value this function does not know, which the caller converts the usual way.
 *
 * @example
 * ```ts
 * temporalValue(DuckDBTimestampValue.PosInf); // 'infinity'
 * temporalValue(new DuckDBTimeValue(11_045_000_000n)); // '03:04:05'
 * temporalValue(new DuckDBIntervalValue(0, 1, 7_384_000_000n)); // '1 day 02:03:04'
 * ```
 */
export function temporalValue(value: unknown): Date | string | undefined {
  const millis = epochMillis(value);
  if (millis === undefined) {
    const textual = value instanceof DuckDBTimeValue || value instanceof DuckDBTimeTZValue || value instanceof DuckDBTimeNSValue || value instanceof DuckDBIntervalValue;
    return textual ? value.toString() : undefined;
  }
  if (millis === 'infinity' || millis === '-infinity') return millis;
  if (millis >= -MAX_DATE_MILLIS && millis <= MAX_DATE_MILLIS) return new Date(Number(millis));
  // DuckDB's text; a TIMESTAMPTZ's library text would be in this process's zone, so it is given in UTC.
  if (value instanceof DuckDBTimestampTZValue) return `${new DuckDBTimestampValue(value.micros).toString()}+00`;
  return String(value);
}

/**
 * Milliseconds since the epoch of a date or timestamp (truncated toward zero, as DuckDB's own
 * conversion to `Date` does), its infinity as text, or `undefined` for anything else.
 */
function epochMillis(value: unknown): bigint | 'infinity' | '-infinity' | undefined {
  if (value instanceof DuckDBDateValue) {
    if (Math.abs(value.days) === INFINITE_DAYS) return value.days > 0 ? 'infinity' : '-infinity';
    return BigInt(value.days) * MILLIS_PER_DAY;
  }
  const stored = storedCount(value);
  if (stored === undefined) return undefined;
  if (stored.count === INFINITE_TICKS || stored.count === -INFINITE_TICKS) return stored.count > 0n ? 'infinity' : '-infinity';
  return stored.toMillis(stored.count);
}

/** The integer a timestamp value is stored as (its unit depends on the type), and that in milliseconds. */
function storedCount(value: unknown): { count: bigint; toMillis: (count: bigint) => bigint } | undefined {
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) return { count: value.micros, toMillis: (count) => count / 1000n };
  if (value instanceof DuckDBTimestampMillisecondsValue) return { count: value.millis, toMillis: (count) => count };
  if (value instanceof DuckDBTimestampNanosecondsValue) return { count: value.nanos, toMillis: (count) => count / 1_000_000n };
  if (value instanceof DuckDBTimestampSecondsValue) return { count: value.seconds, toMillis: (count) => count * 1000n };
  return undefined;
}
