/**
 * Converting PostgreSQL values at the adapter boundary, in both directions. The parsers are given
 * to this adapter's own pool (never set globally on `pg`, which other code in the process shares),
 * so that rows look the same whichever engine produced them: wide numbers as in
 * {@link plainInteger}/{@link plainDecimal}, timestamps without a zone read as UTC like DuckDB,
 * `infinity` and dates a `Date` cannot hold as PostgreSQL's text, TIME as its text (pg's default),
 * and INTERVAL as DuckDB's text (`1 year 2 months 3 days 04:05:06.5`; see
 * `duckdb/duckdb-temporal-values.ts`). REAL needs nothing: PostgreSQL already prints the shortest
 * digits. JSON and JSONB stay parsed (pg's default): a list or struct read from a file lands as
 * jsonb here, and must read as the list or object DuckDB gives.
 */
import { intervalValue } from '@duckdb/node-api';
import { types } from 'pg';
import type { CustomTypesConfig } from 'pg';
import { plainDecimal, plainInteger } from '../plain-numbers.js';

const OID = {
  int8: 20,
  numeric: 1700,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  int8Array: 1016,
  numericArray: 1231,
  dateArray: 1182,
  timestampArray: 1115,
  timestamptzArray: 1185,
  timeArray: 1183,
  timetzArray: 1270,
  intervalArray: 1187,
} as const;

type TextParser = (text: string) => unknown;

// pg-types 2.x declares `arrayParser` as a function, but at run time it is `{ create(source, transform) }`.
const parseArray = (text: string, transform: TextParser): unknown[] =>
  (types.arrayParser as unknown as { create(source: string, transform: TextParser): { parse(): unknown[] } }).create(text, transform).parse();

const TEXT_PARSERS = new Map<number, TextParser>([
  [OID.int8, parseInt8],
  [OID.numeric, plainDecimal],
  [OID.date, parseDate],
  [OID.timestamp, parseTimestamp],
  [OID.timestamptz, parseTimestampTz],
  [OID.interval, parseInterval],
  [OID.int8Array, (text) => parseArray(text, parseInt8)],
  [OID.numericArray, (text) => parseArray(text, plainDecimal)],
  [OID.dateArray, (text) => parseArray(text, parseDate)],
  [OID.timestampArray, (text) => parseArray(text, parseTimestamp)],
  [OID.timestamptzArray, (text) => parseArray(text, parseTimestampTz)],
  // pg leaves these arrays as one '{...}' string; their elements stay text, as the scalars do.
  [OID.timeArray, (text) => parseArray(text, (element) => element)],
  [OID.timetzArray, (text) => parseArray(text, (element) => element)],
  [OID.intervalArray, (text) => parseArray(text, parseInterval)],
]);

const pgTimestampTz = types.getTypeParser(OID.timestamptz, 'text') as TextParser;

/**
 * The `types` option for a pool's clients: Weir's parsers for wide numbers, dates, timestamps,
 * intervals and arrays of times, pg's own for everything else.
 *
 * @example
 * ```ts
 * const pool = new Pool({ connectionString: url, types: weirTypeParsers() });
 * ```
 */
export function weirTypeParsers(): CustomTypesConfig {
  const getTypeParser = ((oid: number, format?: 'text' | 'binary') => {
    const parser = format === 'binary' ? undefined : TEXT_PARSERS.get(oid);
    return parser ?? types.getTypeParser(oid, format);
  }) as CustomTypesConfig['getTypeParser'];
  return { getTypeParser };
}

/**
 * Prepares bound parameters. pg would send a `Date` as local time, which a `timestamp` column
 * (no zone) then stores as local wall-clock time; an ISO instant in UTC is stored the way DuckDB
 * stores the same `Date`.
 */
export function bindParams(params: readonly unknown[]): unknown[] {
  return params.map(bindValue);
}

function bindValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(bindValue);
  return value;
}

function parseInt8(text: string): number | string {
  return plainInteger(BigInt(text));
}

function parseDate(text: string): Date | string {
  // BC dates, 'infinity' and years past 9999 have no plain ISO form; they stay text.
  return /^\d{4}-\d\d-\d\d$/.test(text) ? new Date(`${text}T00:00:00Z`) : text;
}

function parseTimestamp(text: string): Date | string {
  return /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(text) ? new Date(`${text.replace(' ', 'T')}Z`) : text;
}

function parseTimestampTz(text: string): Date | string {
  // pg's own parser turns 'infinity' into the number Infinity and a year past 275760 into an Invalid Date.
  const parsed = /^-?infinity$/.test(text) ? undefined : pgTimestampTz(text);
  return parsed instanceof Date && !Number.isNaN(parsed.getTime()) ? parsed : text;
}

// IntervalStyle 'postgres' (the default): '1 year 2 mons -3 days +04:05:06.5', '00:00:00' for zero.
const INTERVAL_TEXT = /^(?:([+-]?\d+) years? ?)?(?:([+-]?\d+) mons? ?)?(?:([+-]?\d+) days? ?)?(?:([+-])?(\d+):(\d\d):(\d\d)(?:\.(\d{1,6}))?)?$/;

/**
 * An interval as DuckDB writes it, from the months, days and microseconds PostgreSQL keeps apart
 * (as DuckDB does). Text in another IntervalStyle, or PostgreSQL 17's infinite intervals, stay as
 * PostgreSQL wrote them.
 */
function parseInterval(text: string): string {
  const match = INTERVAL_TEXT.exec(text);
  if (!match || text === '') return text;
  const [, years = '0', months = '0', days = '0', sign, hours = '0', minutes = '0', seconds = '0', fraction = ''] = match;
  const micros = ((BigInt(hours) * 60n + BigInt(minutes)) * 60n + BigInt(seconds)) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
  return intervalValue(Number(years) * 12 + Number(months), Number(days), sign === '-' ? -micros : micros).toString();
}
