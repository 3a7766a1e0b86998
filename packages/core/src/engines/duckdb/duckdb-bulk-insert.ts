/**
 * Rows from JavaScript into DuckDB through the appender. The appender takes a few plain types; a
 * landing table of those, cast once into the real column types, keeps every conversion in DuckDB
 * rather than in per-type JavaScript. Values that would have to be guessed at (a fraction for an
 * integer, "yes" for a boolean) are refused, never rounded or coerced.
 */
import type { DuckDBAppender } from '@duckdb/node-api';
import { WeirError } from '../../errors/weir-error.js';
import type { ColumnInfo, Row } from '../engine-adapter.js';
import { assertSqlTypeName } from '../sql-type-name.js';
import type { DuckDBSession } from './duckdb-session.js';

type LandingType = 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'VARCHAR';

// Temporary tables belong to the connection, so one landing name per session never collides.
const LANDING = 'weir_bulk_landing';

/**
 * Appends `rows` to the table `target` (already quoted) by column name. Runs in the caller's
 * transaction; a value that does not fit its column rejects the whole batch.
 *
 * @example
 * ```ts
 * await appendRows(session, '"raw"."events"', [{ name: 'id', type: 'BIGINT', nullable: false }], [{ id: 1 }]);
 * ```
 */
export async function appendRows(session: DuckDBSession, target: string, columns: ColumnInfo[], rows: Row[]): Promise<void> {
  const quoted = columns.map((column) => `"${column.name.replaceAll('"', '""')}"`);
  const types = columns.map((column) => assertSqlTypeName(column.type, column.name));
  const landing = types.map(landingType);
  await session.execute(`CREATE OR REPLACE TEMP TABLE ${LANDING} (${quoted.map((name, index) => `${name} ${landing[index]}`).join(', ')})`);
  const appender = await session.connection.createAppender(LANDING, 'main', 'temp');
  try {
    rows.forEach((row, rowIndex) => {
      columns.forEach((column, index) => append(appender, row[column.name], landing[index] ?? 'VARCHAR', () => `row ${rowIndex + 1}, column "${column.name}"`));
      appender.endRow();
    });
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  const casts = quoted.map((name, index) => `CAST(${name} AS ${types[index]})`);
  await session.execute(`INSERT INTO ${target} (${quoted.join(', ')}) SELECT ${casts.join(', ')} FROM temp.main.${LANDING}`);
  await session.execute(`DROP TABLE temp.main.${LANDING}`);
}

function landingType(type: string): LandingType {
  const base = type.toUpperCase();
  // UBIGINT and HUGEINT go through text: they do not fit the appender's signed 64 bits.
  if (/^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|INT[1248]|UTINYINT|USMALLINT|UINTEGER)$/.test(base)) return 'BIGINT';
  if (/^(DOUBLE|DOUBLE PRECISION|FLOAT|FLOAT[48]|REAL)$/.test(base)) return 'DOUBLE';
  if (base === 'BOOLEAN' || base === 'BOOL') return 'BOOLEAN';
  return 'VARCHAR';
}

function append(appender: DuckDBAppender, value: unknown, type: LandingType, where: () => string): void {
  if (value === null || value === undefined) {
    appender.appendNull();
    return;
  }
  switch (type) {
    case 'BIGINT':
      appender.appendBigInt(integerOf(value, where));
      return;
    case 'DOUBLE':
      appender.appendDouble(numberOf(value, where));
      return;
    case 'BOOLEAN':
      appender.appendBoolean(booleanOf(value, where));
      return;
    default:
      appender.appendVarchar(textOf(value));
  }
}

function integerOf(value: unknown, where: () => string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return BigInt(value.trim());
  throw unfit(value, 'an integer', where);
}

function numberOf(value: unknown, where: () => string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  throw unfit(value, 'a number', where);
}

function booleanOf(value: unknown, where: () => string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  throw unfit(value, 'a boolean', where);
}

/** Text that DuckDB's CAST reads back as the column's type. */
function textOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  // BLOB text: every byte escaped, since CAST(... AS BLOB) reads `\xNN` as one byte.
  if (value instanceof Uint8Array) return Array.from(value, (byte) => `\\x${byte.toString(16).padStart(2, '0')}`).join('');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function unfit(value: unknown, expected: string, where: () => string): WeirError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new WeirError('SQL_EXECUTION', `${where()}: ${shown} is not ${expected}`);
}
