/**
 * Column types written the DuckDB way (the way Weir users and TypeScript assets write them) as
 * PostgreSQL types. Names PostgreSQL already knows pass through; only the spellings that differ
 * are mapped.
 */
import { assertSqlTypeName } from '../sql-type-name.js';

const SAME_MEANING: Record<string, string> = {
  TINYINT: 'smallint',
  INT1: 'smallint',
  UTINYINT: 'smallint',
  SHORT: 'smallint',
  USMALLINT: 'integer',
  SIGNED: 'integer',
  UINTEGER: 'bigint',
  LONG: 'bigint',
  UBIGINT: 'numeric(20,0)',
  HUGEINT: 'numeric(39,0)',
  UHUGEINT: 'numeric(39,0)',
  VARINT: 'numeric',
  BIGNUM: 'numeric',
  DOUBLE: 'double precision',
  FLOAT8: 'double precision',
  FLOAT: 'real',
  FLOAT4: 'real',
  STRING: 'text',
  VARCHAR: 'text',
  BPCHAR: 'text',
  LOGICAL: 'boolean',
  DATETIME: 'timestamp',
  TIMESTAMP_S: 'timestamp',
  TIMESTAMP_MS: 'timestamp',
  TIMESTAMP_NS: 'timestamp',
  TIMESTAMP_US: 'timestamp',
  // DuckDB's DECIMAL without a width is DECIMAL(18,3); PostgreSQL's would keep any scale.
  DECIMAL: 'numeric(18,3)',
  BLOB: 'bytea',
  BINARY: 'bytea',
  VARBINARY: 'bytea',
  BYTEA: 'bytea',
  JSON: 'jsonb',
};

/**
 * The PostgreSQL type for a type name written the DuckDB way; throws `CONFIG_INVALID` for anything
 * that is not a plain type name.
 *
 * @example
 * ```ts
 * toPostgresType('DOUBLE'); // 'double precision'
 * toPostgresType('DECIMAL(18,2)'); // 'numeric(18,2)'
 * toPostgresType('VARCHAR[]'); // 'text[]'
 * ```
 */
export function toPostgresType(type: string, column = '?'): string {
  const checked = assertSqlTypeName(type, column);
  const array = /(\[\d*\])+$/.exec(checked)?.[0] ?? '';
  const scalar = checked.slice(0, checked.length - array.length).trim().replace(/\s+/g, ' ');
  const sized = /^(\w+)\s*(\(.*\))$/.exec(scalar);
  if (sized) {
    const base = (sized[1] ?? '').toUpperCase();
    const size = (sized[2] ?? '').replace(/\s+/g, '');
    if (base === 'DECIMAL' || base === 'NUMERIC') return `numeric${size}${array}`;
    return `${base.toLowerCase()}${size}${array}`;
  }
  const upper = scalar.toUpperCase();
  return `${SAME_MEANING[upper] ?? upper.toLowerCase()}${array}`;
}
