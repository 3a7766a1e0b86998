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
const HYPHEN = 45;
const COLON = 58;
const DOT = 46;
const SPACE = 32;
const ZERO = 48;
const UPPER_T = 84;
const LOWER_T = 116;
const UPPER_Z = 90;
const LOWER_Z = 122;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

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
    // Most strings are not dates: two characters rule them out before any regular expression runs.
    if (value.length < 10 || value.charCodeAt(4) !== HYPHEN || value.charCodeAt(7) !== HYPHEN) return 'VARCHAR';
    if (commonTimestamp(value) !== OTHER) return validDate(value) ? 'TIMESTAMP' : 'VARCHAR';
    if (DATE.test(value) && validDate(value)) return 'DATE';
    if (TIMESTAMP.test(value) && validDate(value)) return 'TIMESTAMP';
    return 'VARCHAR';
  }
  return 'JSON';
}

const OTHER = 0;
const NO_ZONE = 1;
const UTC = 2;

/**
 * `YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z]`, the shape nearly every API writes timestamps in, read
 * character by character: NO_ZONE or UTC for a string of that shape (one `TIMESTAMP` matches),
 * OTHER for any other string, which then goes through the regular expression.
 */
function commonTimestamp(text: string): typeof OTHER | typeof NO_ZONE | typeof UTC {
  const length = text.length;
  if (length < 19 || !digits(text, 0, 4) || text.charCodeAt(4) !== HYPHEN || !digits(text, 5, 7) || text.charCodeAt(7) !== HYPHEN || !digits(text, 8, 10)) return OTHER;
  const separator = text.charCodeAt(10);
  if (separator !== UPPER_T && separator !== LOWER_T && separator !== SPACE) return OTHER;
  if (!digits(text, 11, 13) || text.charCodeAt(13) !== COLON || !digits(text, 14, 16) || text.charCodeAt(16) !== COLON || !digits(text, 17, 19)) return OTHER;
  let end = 19;
  if (end < length && text.charCodeAt(end) === DOT) {
    let after = end + 1;
    while (after < length && isDigit(text.charCodeAt(after))) after++;
    if (after - end - 1 < 1 || after - end - 1 > 9) return OTHER;
    end = after;
  }
  if (end === length) return NO_ZONE;
  const zone = text.charCodeAt(end);
  return end + 1 === length && (zone === UPPER_Z || zone === LOWER_Z) ? UTC : OTHER;
}

/**
 * Whether the `YYYY-MM-DD` that `text` starts with names a day of the proleptic Gregorian
 * calendar (what `Date` accepts and prints back unchanged), by arithmetic: `Date` costs an
 * allocation and a parse per value. The caller has checked that those are digits and hyphens.
 */
function validDate(text: string): boolean {
  const year = number(text, 0, 4);
  const month = number(text, 5, 7);
  const day = number(text, 8, 10);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month - 1]!);
}

/** `HH:MM:SS` at `at` within a day (no 24:00, no leap second): the times `Date` keeps as written. */
function plainTime(text: string, at: number): boolean {
  return number(text, at, at + 2) <= 23 && number(text, at + 3, at + 5) <= 59 && number(text, at + 6, at + 8) <= 59;
}

function isDigit(code: number): boolean {
  return code >= ZERO && code <= ZERO + 9;
}

function digits(text: string, from: number, to: number): boolean {
  for (let index = from; index < to; index++) if (!isDigit(text.charCodeAt(index))) return false;
  return true;
}

/** The decimal number the digits from `from` to `to` spell. */
function number(text: string, from: number, to: number): number {
  let value = 0;
  for (let index = from; index < to; index++) value = value * 10 + (text.charCodeAt(index) - ZERO);
  return value;
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
  if ((a === 'BIGINT' && b === 'DOUBLE') || (a === 'DOUBLE' && b === 'BIGINT')) return 'DOUBLE';
  if ((a === 'DATE' && b === 'TIMESTAMP') || (a === 'TIMESTAMP' && b === 'DATE')) return 'TIMESTAMP';
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
  // The common shapes need no regular expression and, in UTC already, no Date.
  const shape = commonTimestamp(text);
  if (shape === NO_ZONE) return text.charCodeAt(10) === SPACE ? text : `${text.slice(0, 10)} ${text.slice(11)}`;
  if (shape === UTC && plainTime(text, 11) && validDate(text)) return `${text.slice(0, 10)} ${text.slice(11, -1)}`;
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
