/**
 * One spelling per SQL type, so that a type written by a connector (`TIMESTAMPTZ`, `INT4`,
 * `NUMERIC(12, 2)`) and the same type as the warehouse describes it (`TIMESTAMP WITH TIME ZONE`,
 * `INTEGER`, `DECIMAL(12,2)`) compare equal. Unlike `typeFamily` (checks), it keeps apart what
 * holds different values: a timestamp with a zone is not one without, a BIGINT is not an INTEGER.
 */

/** Aliases by their DuckDB spelling (which is also what the PostgreSQL engine reports). */
const ALIASES: Record<string, string> = {
  TIMESTAMPTZ: 'TIMESTAMP WITH TIME ZONE',
  'TIMESTAMP WITHOUT TIME ZONE': 'TIMESTAMP',
  DATETIME: 'TIMESTAMP',
  TIMETZ: 'TIME WITH TIME ZONE',
  'TIME WITHOUT TIME ZONE': 'TIME',
  INT: 'INTEGER',
  INT4: 'INTEGER',
  INT32: 'INTEGER',
  SIGNED: 'INTEGER',
  INT8: 'BIGINT',
  INT64: 'BIGINT',
  LONG: 'BIGINT',
  INT2: 'SMALLINT',
  INT16: 'SMALLINT',
  SHORT: 'SMALLINT',
  INT1: 'TINYINT',
  FLOAT4: 'FLOAT',
  REAL: 'FLOAT',
  FLOAT8: 'DOUBLE',
  'DOUBLE PRECISION': 'DOUBLE',
  TEXT: 'VARCHAR',
  STRING: 'VARCHAR',
  CHAR: 'VARCHAR',
  BPCHAR: 'VARCHAR',
  CHARACTER: 'VARCHAR',
  'CHARACTER VARYING': 'VARCHAR',
  BOOL: 'BOOLEAN',
  LOGICAL: 'BOOLEAN',
  NUMERIC: 'DECIMAL',
  BYTEA: 'BLOB',
  BINARY: 'BLOB',
  VARBINARY: 'BLOB',
};

/** Types whose length in parentheses DuckDB ignores (`VARCHAR(20)` holds any text). */
const LENGTH_IGNORED = new Set(['VARCHAR', 'BLOB']);

/**
 * The canonical spelling of a SQL type name: upper case, single spaces, no spaces inside
 * parentheses, aliases replaced, array suffixes kept.
 *
 * @example
 * ```ts
 * canonicalTypeName('timestamptz'); // 'TIMESTAMP WITH TIME ZONE'
 * canonicalTypeName('numeric(12, 2)'); // 'DECIMAL(12,2)'
 * canonicalTypeName('character varying(20)[]'); // 'VARCHAR[]'
 * ```
 */
export function canonicalTypeName(type: string): string {
  const spelled = type.trim().toUpperCase().replace(/\s+/g, ' ');
  const match = /^([A-Z][A-Z0-9_ ]*?)\s*(\([^)]*\))?((?:\[\d*\])*)$/.exec(spelled);
  if (match === null) return spelled;
  const base = ALIASES[match[1]!] ?? match[1]!;
  const size = LENGTH_IGNORED.has(base) ? '' : (match[2] ?? '').replace(/\s+/g, '');
  return `${base}${size}${match[3] ?? ''}`;
}

/**
 * Whether two type names are the same type, however each was spelled.
 *
 * @example
 * ```ts
 * sameType('TIMESTAMPTZ', 'TIMESTAMP WITH TIME ZONE'); // true
 * sameType('INTEGER', 'BIGINT'); // false
 * ```
 */
export function sameType(a: string, b: string): boolean {
  return canonicalTypeName(a) === canonicalTypeName(b);
}
