/**
 * What kind of values a column holds, read from the engine's own type name. Profiling and
 * suggestions pick their statistics by kind (a mean for numbers, lengths and patterns for text),
 * and both engines' names map here, so nothing downstream looks at a type name again.
 */

/** The kinds of column that profiling tells apart. `other` gets only nulls and distinct values. */
export type ColumnCategory = 'integer' | 'decimal' | 'float' | 'string' | 'boolean' | 'date' | 'timestamp' | 'time' | 'uuid' | 'other';

const INTEGER = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'INT', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT', 'INT2', 'INT4', 'INT8']);
const FLOAT = new Set(['DOUBLE', 'FLOAT', 'REAL', 'DOUBLE PRECISION', 'FLOAT4', 'FLOAT8']);
const STRING = new Set(['VARCHAR', 'TEXT', 'STRING', 'CHARACTER VARYING', 'CHARACTER', 'CHAR', 'BPCHAR', 'NAME']);

/**
 * The category of an engine type name (DuckDB's or PostgreSQL's, upper- or lower-case).
 *
 * @example
 * ```ts
 * columnCategory('DECIMAL(10,2)'); // 'decimal'
 * columnCategory('character varying(20)'); // 'string'
 * columnCategory('TIMESTAMP WITH TIME ZONE'); // 'timestamp'
 * columnCategory('INTEGER[]'); // 'other'
 * ```
 */
export function columnCategory(typeName: string): ColumnCategory {
  const type = typeName.trim().toUpperCase();
  // Lists, arrays, structs and maps: their values are not ordered or measured one by one.
  if (type.endsWith(']') || /^(STRUCT|MAP|UNION|LIST)\b/.test(type)) return 'other';
  const base = type.replace(/\(.*\)/, '').trim();
  if (INTEGER.has(base)) return 'integer';
  if (base === 'DECIMAL' || base === 'NUMERIC') return 'decimal';
  if (FLOAT.has(base)) return 'float';
  if (STRING.has(base)) return 'string';
  if (base === 'BOOLEAN' || base === 'BOOL') return 'boolean';
  if (base === 'DATE') return 'date';
  if (base.startsWith('TIMESTAMP') || base === 'DATETIME' || base === 'TIMESTAMPTZ') return 'timestamp';
  if (base.startsWith('TIME')) return 'time';
  if (base === 'UUID') return 'uuid';
  return 'other';
}

/** Numbers: a mean, a standard deviation and a count of negative values are measured. */
export function isNumeric(category: ColumnCategory): boolean {
  return category === 'integer' || category === 'decimal' || category === 'float';
}

/** Values with an order both engines can take min and max of. */
export function isOrdered(category: ColumnCategory): boolean {
  return isNumeric(category) || category === 'string' || category === 'date' || category === 'timestamp' || category === 'time';
}
