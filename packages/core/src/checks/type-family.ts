/**
 * SQL type names grouped into families, so that checks and metrics treat `INT4` (PostgreSQL) and
 * `INTEGER` (DuckDB) alike, and a schema contract written for one engine holds on the other.
 */

/** The kind of values a column holds. */
export type TypeFamily = 'integer' | 'decimal' | 'float' | 'text' | 'boolean' | 'date' | 'timestamp' | 'time' | 'interval' | 'uuid' | 'json' | 'binary' | 'other';

const FAMILIES: Array<[RegExp, TypeFamily]> = [
  [/^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|INT[1248]|SERIAL|BIGSERIAL|SMALLSERIAL|SHORT|LONG)$/, 'integer'],
  [/^(DECIMAL|NUMERIC)(\(.*\))?$/, 'decimal'],
  [/^(DOUBLE|DOUBLE PRECISION|FLOAT|FLOAT4|FLOAT8|REAL)$/, 'float'],
  [/^(VARCHAR|TEXT|STRING|CHAR|BPCHAR|CHARACTER|CHARACTER VARYING|NAME)(\(.*\))?$/, 'text'],
  [/^(BOOLEAN|BOOL|LOGICAL)$/, 'boolean'],
  [/^DATE$/, 'date'],
  [/^(TIMESTAMP|DATETIME|TIMESTAMPTZ|TIMESTAMP WITH TIME ZONE|TIMESTAMP WITHOUT TIME ZONE|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS)(\(\d+\))?( WITH(OUT)? TIME ZONE)?$/, 'timestamp'],
  [/^(TIME|TIMETZ|TIME WITH TIME ZONE|TIME WITHOUT TIME ZONE)(\(\d+\))?$/, 'time'],
  [/^INTERVAL$/, 'interval'],
  [/^UUID$/, 'uuid'],
  [/^(JSON|JSONB)$/, 'json'],
  [/^(BLOB|BYTEA|VARBINARY|BINARY)$/, 'binary'],
];

/**
 * The family of a SQL type name as an engine reports or a person writes it.
 *
 * @example
 * ```ts
 * typeFamily('INT4'); // 'integer'
 * typeFamily('character varying(20)'); // 'text'
 * typeFamily('DECIMAL(18,2)'); // 'decimal'
 * ```
 */
export function typeFamily(type: string): TypeFamily {
  const normal = type.trim().toUpperCase().replace(/\s+/g, ' ');
  if (normal.endsWith('[]')) return 'other';
  for (const [pattern, family] of FAMILIES) if (pattern.test(normal)) return family;
  return 'other';
}

/** True for families whose values are numbers (mean and stddev make sense). */
export function isNumericFamily(family: TypeFamily): boolean {
  return family === 'integer' || family === 'decimal' || family === 'float';
}
