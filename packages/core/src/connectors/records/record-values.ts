/**
 * The column types Weir gives values that arrive as JSON (HTTP APIs, stream messages), and how
 * they widen when a later record disagrees with an earlier one. The lattice is small on purpose:
 * a type is only ever widened to one that holds every value seen so far exactly.
 *
 *   BOOLEAN ─┐
 *   BIGINT ─ DOUBLE ─┤
 *   DATE ─ TIMESTAMP ┼─ VARCHAR
 *   JSON ────────────┘
 */

/** A type a JSON value can be loaded as (DuckDB spelling). */
export type RecordType = 'BOOLEAN' | 'BIGINT' | 'DOUBLE' | 'DATE' | 'TIMESTAMP' | 'JSON' | 'VARCHAR';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d{1,9})?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * The narrowest type that holds `value`, or null for null/undefined (which fit any column).
 *
 * @example
 * ```ts
 * typeOfValue(3); // 'BIGINT'
 * typeOfValue('2026-11-21T10:00:00Z'); // 'TIMESTAMP'
 * ```
 */
export function typeOfValue(value: unknown): RecordType | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'BIGINT' : 'DOUBLE';
  if (typeof value === 'bigint') return 'BIGINT';
  if (typeof value === 'string') {
    if (DATE.test(value) && validDate(value)) return 'DATE';
    if (TIMESTAMP.test(value) && validDate(value.slice(0, 10))) return 'TIMESTAMP';
    return 'VARCHAR';
  }
  return 'JSON';
}

function validDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

/**
 * The narrowest type holding values of both `a` and `b`.
 *
 * @example
 * ```ts
 * widenType('BIGINT', 'DOUBLE'); // 'DOUBLE'
 * widenType('BOOLEAN', 'BIGINT'); // 'VARCHAR'
 * ```
 */
export function widenType(a: RecordType, b: RecordType): RecordType {
  if (a === b) return a;
  const pair = new Set([a, b]);
  if (pair.has('BIGINT') && pair.has('DOUBLE')) return 'DOUBLE';
  if (pair.has('DATE') && pair.has('TIMESTAMP')) return 'TIMESTAMP';
  return 'VARCHAR';
}

/**
 * The record type a loaded column's type corresponds to, or undefined for a type records never
 * produce (the column was declared otherwise; values must then match it exactly).
 */
export function recordTypeOfColumn(type: string): RecordType | undefined {
  const base = type.toUpperCase().replace(/\(.*\)$/, '').trim();
  if (base === 'BOOLEAN' || base === 'BOOL') return 'BOOLEAN';
  if (['BIGINT', 'INTEGER', 'INT', 'INT8', 'INT4', 'SMALLINT', 'TINYINT'].includes(base)) return 'BIGINT';
  if (['DOUBLE', 'DOUBLE PRECISION', 'FLOAT', 'FLOAT8', 'REAL', 'DECIMAL', 'NUMERIC'].includes(base)) return 'DOUBLE';
  if (base === 'DATE') return 'DATE';
  if (base === 'TIMESTAMP' || base === 'TIMESTAMP WITHOUT TIME ZONE' || base === 'DATETIME') return 'TIMESTAMP';
  if (base === 'JSON' || base === 'JSONB') return 'JSON';
  if (['VARCHAR', 'TEXT', 'STRING', 'CHARACTER VARYING'].includes(base)) return 'VARCHAR';
  return undefined;
}

/** Whether a value of type `value` can go into a column of type `column` unchanged in meaning. */
export function fitsColumn(value: RecordType, column: RecordType): boolean {
  return widenType(column, value) === column;
}

/**
 * `value` as the appender takes it for a column of `type`: timestamps with a zone become UTC
 * without one (so both engines store the same instant), JSON and non-text values in a text column
 * become their JSON text.
 *
 * @example
 * ```ts
 * toColumnValue('2026-11-21T12:00:00+02:00', 'TIMESTAMP'); // '2026-11-21 10:00:00'
 * toColumnValue({ a: 1 }, 'VARCHAR'); // '{"a":1}'
 * ```
 */
export function toColumnValue(value: unknown, type: RecordType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'BOOLEAN':
    case 'BIGINT':
    case 'DOUBLE':
    case 'DATE':
      return value;
    case 'TIMESTAMP':
      return typeof value === 'string' ? utcTimestamp(value) : value;
    case 'JSON':
      return JSON.stringify(value);
    case 'VARCHAR':
      return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

function utcTimestamp(text: string): string {
  const match = TIMESTAMP.exec(text);
  if (match === null) return text;
  const [, day, time, fraction = '', zone] = match;
  const seconds = time!.length === 5 ? `${time}:00` : time!;
  if (zone === undefined) return `${day} ${seconds}${fraction}`;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  // Whole seconds through Date (exact); the fraction is kept as written, digits Date would drop.
  const instant = new Date(`${day}T${seconds}${offset}`).toISOString();
  return `${instant.slice(0, 10)} ${instant.slice(11, 19)}${fraction}`;
}
