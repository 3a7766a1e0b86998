/**
 * MySQL and MariaDB column types (as the server describes a query's result fields) as DuckDB type
 * names, the warehouse's common spelling, together with how each column's values are written as
 * CSV. Every value arrives from the server as text (or bytes); nothing is parsed into a JavaScript
 * number, so nothing loses precision on the way.
 */

/** How the values of one column are written into the CSV the warehouse reads. */
export type MysqlValueFormat =
  /** The server's text as it is: numbers, decimals, YEAR, TIME. */
  | 'plain'
  /** UTF-8 text, always quoted, so the empty string stays apart from NULL. */
  | 'text'
  /** `true` / `false`: zero is false, anything else true (MySQL's own truth rule for BOOLEAN). */
  | 'boolean'
  /** Bytes as `\x` and lower-case hex, as PostgreSQL spells `bytea` (the PostgreSQL connector's form). */
  | 'hex'
  /** A BIT(n) value (big-endian bytes) as an unsigned integer. */
  | 'bits'
  /** DATE, DATETIME and TIMESTAMP: MySQL's "zero" dates (`0000-00-00`, `2024-00-10`) are no date, so NULL. */
  | 'date';

/** The part of a result field's description the mapping needs (mysql2's `FieldPacket`). */
export interface MysqlFieldDescription {
  columnType?: number;
  type?: number;
  columnLength?: number;
  decimals: number;
  flags: number | string[];
  characterSet?: number;
  /** MariaDB 10.5+ extended metadata: `json` for JSON columns (sent as LONGTEXT otherwise). */
  extendedFormat?: string;
  /** MariaDB 10.5+ extended metadata: `uuid`, `inet6`, `point`, ... */
  extendedTypeName?: string;
}

/** A column as the warehouse gets it. */
export interface MysqlColumnMapping {
  /** The DuckDB type name. */
  type: string;
  format: MysqlValueFormat;
}

/** Type codes of the MySQL client/server protocol (`enum_field_types`). */
const T = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  TIMESTAMP2: 17,
  DATETIME2: 18,
  TIME2: 19,
  JSON: 245,
  NEWDECIMAL: 246,
} as const;

const UNSIGNED_FLAG = 32;
/** The `binary` character set: the column holds bytes, not text. */
const BINARY_CHARSET = 63;
/** DuckDB's widest exact decimal. */
const MAX_DECIMAL_PRECISION = 38;

/**
 * The DuckDB type and CSV format for a MySQL/MariaDB result field. The choices that are not
 * one-to-one, and why:
 * - `TINYINT(1)` (what `BOOLEAN` means in MySQL) becomes BOOLEAN; an unsigned or wider TINYINT
 *   stays an integer.
 * - `DECIMAL(p,s)` keeps its precision up to 38 digits; wider ones (MySQL allows 65) become
 *   DOUBLE, as wide PostgreSQL numerics do.
 * - `TIME` spans -838:59:59 to 838:59:59 (a duration, not a time of day), so it becomes INTERVAL.
 * - Binary strings (BINARY, VARBINARY, BLOB) and spatial values (WKB) become VARCHAR `\x<hex>`:
 *   the two warehouses read no common CSV spelling of bytes, and this is the PostgreSQL
 *   connector's form for `bytea`.
 * - `BIT(n)` becomes BIGINT (UBIGINT for BIT(64)).
 * - JSON stays JSON (MariaDB's JSON is LONGTEXT; its extended metadata says it is JSON).
 *
 * @example
 * ```ts
 * mysqlColumnMapping({ columnType: 246, columnLength: 14, decimals: 2, flags: 0 }); // { type: 'DECIMAL(12,2)', format: 'plain' }
 * mysqlColumnMapping({ columnType: 1, columnLength: 1, decimals: 0, flags: 0 }); // { type: 'BOOLEAN', format: 'boolean' }
 * ```
 */
export function mysqlColumnMapping(field: MysqlFieldDescription): MysqlColumnMapping {
  const code = field.columnType ?? field.type ?? T.NULL;
  const length = field.columnLength ?? 0;
  const unsigned = isUnsigned(field.flags);
  if (field.extendedFormat === 'json' || code === T.JSON) return { type: 'JSON', format: 'text' };
  switch (code) {
    case T.TINY:
      if (length === 1 && !unsigned) return { type: 'BOOLEAN', format: 'boolean' };
      return plain(unsigned ? 'UTINYINT' : 'TINYINT');
    case T.SHORT:
      return plain(unsigned ? 'USMALLINT' : 'SMALLINT');
    case T.INT24:
      // MEDIUMINT is 24 bits: signed or not, it fits an INTEGER.
      return plain('INTEGER');
    case T.LONG:
      return plain(unsigned ? 'UINTEGER' : 'INTEGER');
    case T.LONGLONG:
      return plain(unsigned ? 'UBIGINT' : 'BIGINT');
    case T.DECIMAL:
    case T.NEWDECIMAL:
      return plain(decimalType(length, field.decimals, unsigned));
    case T.FLOAT:
      return plain('FLOAT');
    case T.DOUBLE:
      return plain('DOUBLE');
    case T.YEAR:
      return plain('INTEGER');
    case T.DATE:
    case T.NEWDATE:
      return { type: 'DATE', format: 'date' };
    case T.DATETIME:
    case T.DATETIME2:
    case T.TIMESTAMP:
    case T.TIMESTAMP2:
      return { type: 'TIMESTAMP', format: 'date' };
    case T.TIME:
    case T.TIME2:
      return plain('INTERVAL');
    case T.BIT:
      return { type: length >= 64 ? 'UBIGINT' : 'BIGINT', format: 'bits' };
    case T.NULL:
      return { type: 'VARCHAR', format: 'text' };
    default:
      // Strings of every kind (CHAR, VARCHAR, TEXT, ENUM, SET, BLOB) and anything newer.
      if (field.extendedTypeName === 'uuid') return { type: 'UUID', format: 'text' };
      return field.characterSet === BINARY_CHARSET ? { type: 'VARCHAR', format: 'hex' } : { type: 'VARCHAR', format: 'text' };
  }
}

function plain(type: string): MysqlColumnMapping {
  return { type, format: 'plain' };
}

function isUnsigned(flags: number | string[]): boolean {
  return Array.isArray(flags) ? flags.includes('UNSIGNED') : (flags & UNSIGNED_FLAG) !== 0;
}

/**
 * The server describes DECIMAL(p,s) by its display length: the digits, one for the decimal point
 * when s > 0, and one for the sign unless it is unsigned.
 */
function decimalType(length: number, scale: number, unsigned: boolean): string {
  const precision = length - (scale > 0 ? 1 : 0) - (unsigned ? 0 : 1);
  if (precision < 1 || precision > MAX_DECIMAL_PRECISION || scale > precision) return 'DOUBLE';
  return `DECIMAL(${precision},${scale})`;
}

/**
 * The SQL (with one `?` for the bound value) that makes a high-water mark, text as the warehouse
 * prints it, compare as the cursor column's own type; text cursors compare as text. Without it
 * MySQL compares a string with a number as two doubles, which is wrong past 2^53.
 *
 * @example
 * ```ts
 * mysqlMarkExpression('BIGINT'); // 'CAST(? AS SIGNED)'
 * mysqlMarkExpression('TIMESTAMP'); // 'CAST(? AS DATETIME(6))'
 * ```
 */
export function mysqlMarkExpression(duckdbType: string): string {
  const type = duckdbType.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT)$/.test(type)) return 'CAST(? AS SIGNED)';
  if (/^U(TINYINT|SMALLINT|INTEGER|BIGINT)$/.test(type)) return 'CAST(? AS UNSIGNED)';
  if (/^DECIMAL\(\d+,\d+\)$/.test(type)) return `CAST(? AS ${type})`;
  // `+ 0e0` is double arithmetic on every version (CAST AS DOUBLE is not).
  if (type === 'FLOAT' || type === 'DOUBLE') return '(? + 0e0)';
  if (type === 'DATE') return 'CAST(? AS DATE)';
  if (type === 'TIMESTAMP') return 'CAST(? AS DATETIME(6))';
  if (type === 'INTERVAL') return 'CAST(? AS TIME(6))';
  return '?';
}

/**
 * What to select for a column so its text loses nothing: the server prints FLOAT with 6
 * significant digits (1.2345678 as 1.23457), but the same value as a double exactly, and the
 * warehouse's FLOAT rounds that back to the stored value.
 *
 * @example
 * ```ts
 * mysqlSelectExpression('`ratio`', 'FLOAT'); // '(`ratio` + 0e0)'
 * ```
 */
export function mysqlSelectExpression(quotedColumn: string, duckdbType: string): string {
  return duckdbType.toUpperCase() === 'FLOAT' ? `(${quotedColumn} + 0e0)` : quotedColumn;
}
