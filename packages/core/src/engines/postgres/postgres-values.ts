/**
 * Converting PostgreSQL values at the adapter boundary, in both directions. The parsers are given
 * to this adapter's own pool (never set globally on `pg`, which other code in the process shares),
 * so that rows look the same whichever engine produced them: wide numbers as in
 * {@link plainInteger}/{@link plainDecimal}, timestamps without a zone read as UTC like DuckDB.
 */
import { types } from 'pg';
import type { CustomTypesConfig } from 'pg';
import { plainDecimal, plainInteger } from '../plain-numbers.js';

const OID = {
  int8: 20,
  numeric: 1700,
  date: 1082,
  timestamp: 1114,
  int8Array: 1016,
  numericArray: 1231,
  dateArray: 1182,
  timestampArray: 1115,
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
  [OID.int8Array, (text) => parseArray(text, parseInt8)],
  [OID.numericArray, (text) => parseArray(text, plainDecimal)],
  [OID.dateArray, (text) => parseArray(text, parseDate)],
  [OID.timestampArray, (text) => parseArray(text, parseTimestamp)],
]);

/**
 * The `types` option for a pool's clients: Weir's parsers for wide numbers, dates and timestamps,
 * pg's own for everything else.
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
