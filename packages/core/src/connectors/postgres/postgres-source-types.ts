/**
 * PostgreSQL column types (by type OID, as the driver describes a query's fields) as DuckDB type
 * names, the warehouse's common spelling. Types the warehouse has no lossless twin for arrive as
 * text (arrays, ranges, geometric types, bytea as `\x...` hex), so nothing fails to load.
 */

/** Type OIDs from PostgreSQL's `pg_type` catalog (stable across versions). */
const BY_OID: Record<number, string> = {
  16: 'BOOLEAN',
  20: 'BIGINT',
  21: 'SMALLINT',
  23: 'INTEGER',
  26: 'BIGINT', // oid
  700: 'FLOAT',
  701: 'DOUBLE',
  25: 'VARCHAR',
  1043: 'VARCHAR',
  1042: 'VARCHAR',
  19: 'VARCHAR', // name
  1082: 'DATE',
  1083: 'TIME',
  1114: 'TIMESTAMP',
  1184: 'TIMESTAMPTZ',
  1186: 'INTERVAL',
  2950: 'UUID',
  114: 'JSON',
  3802: 'JSON',
};

const NUMERIC_OID = 1700;
/** DuckDB's widest exact decimal. */
const MAX_DECIMAL_PRECISION = 38;

/**
 * The DuckDB type for a PostgreSQL column. `numeric(p, s)` keeps its precision up to 38 digits;
 * wider or unconstrained numerics become DOUBLE (the docs say so: declare the precision to keep
 * exact decimals).
 *
 * @example
 * ```ts
 * duckdbTypeOf(1700, ((12 << 16) | 2) + 4); // 'DECIMAL(12,2)'
 * duckdbTypeOf(1184, -1); // 'TIMESTAMPTZ'
 * ```
 */
export function duckdbTypeOf(oid: number, typeModifier: number): string {
  if (oid === NUMERIC_OID) {
    if (typeModifier < 4) return 'DOUBLE';
    const precision = ((typeModifier - 4) >> 16) & 0xffff;
    const scale = (typeModifier - 4) & 0xffff;
    return precision <= MAX_DECIMAL_PRECISION ? `DECIMAL(${precision},${scale})` : 'DOUBLE';
  }
  return BY_OID[oid] ?? 'VARCHAR';
}
