/**
 * Rows from JavaScript into DuckDB through the appender. The appender takes a few plain types; a
 * landing table of those, cast once into the real column types, keeps every conversion in DuckDB
 * rather than in per-type JavaScript. Values that would have to be guessed at (a fraction for an
 * integer, "yes" for a boolean) are refused, never rounded or coerced.
 *
 * The landing table costs three statements and a copy per call, which for the small batches of
 * API pages and stream messages is most of the write. So when the target has exactly the given
 * columns (by name, in any order), each of BIGINT, DOUBLE, BOOLEAN, VARCHAR, DATE or TIMESTAMP,
 * the rows go straight into the target as data chunks (see `dataChunk`): the landing table's
 * values, cast by the appender with DuckDB's own CAST where the chunk's type differs from the
 * column's (text into DATE and TIMESTAMP). A batch that fails there is dropped before anything is
 * written and goes down the landing path after all, so errors read exactly as they always did.
 */
import {
  DuckDBBigIntType,
  DuckDBBooleanType,
  DuckDBDataChunk,
  DuckDBDoubleType,
  DuckDBTypeId,
  DuckDBVarCharType,
  type DuckDBAppender,
  type DuckDBBigIntVector,
  type DuckDBBooleanVector,
  type DuckDBDoubleVector,
  type DuckDBPreparedStatement,
  type DuckDBType,
  type DuckDBVarCharVector,
} from '@duckdb/node-api';
import { WeirError } from '../../errors/weir-error.js';
import type { ColumnInfo, Row } from '../engine-adapter.js';
import { assertSqlTypeName } from '../sql-type-name.js';
import type { DuckDBSession } from './duckdb-session.js';

type LandingType = 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'VARCHAR';

// Temporary tables belong to the connection, so one landing name per session never collides.
const LANDING = 'weir_bulk_landing';

/** Declared types the appender writes straight into a column of that very type. */
const STRAIGHT: ReadonlyMap<string, DuckDBTypeId> = new Map([
  ['BIGINT', DuckDBTypeId.BIGINT],
  ['DOUBLE', DuckDBTypeId.DOUBLE],
  ['BOOLEAN', DuckDBTypeId.BOOLEAN],
  ['VARCHAR', DuckDBTypeId.VARCHAR],
  ['DATE', DuckDBTypeId.DATE],
  ['TIMESTAMP', DuckDBTypeId.TIMESTAMP],
]);

/**
 * The appender writes to its table on its own every 204,800 rows; below that a failed batch leaves
 * nothing behind even outside a transaction. Larger batches take the landing path.
 */
const STRAIGHT_MAX_ROWS = 100_000;

/** Rows per data chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048;

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
const QUOTED_RELATION = /^"((?:[^"]|"")+)"\."((?:[^"]|"")+)"$/;

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
  const types = columns.map((column) => assertSqlTypeName(column.type, column.name));
  const landing = types.map(landingType);
  if (rows.length <= STRAIGHT_MAX_ROWS) {
    const order = await straightOrder(session, target, columns, types);
    if (order !== undefined && (await appendStraight(session, target, order.map((index) => columns[index]!), order.map((index) => landing[index]!), rows))) return;
  }
  const quoted = columns.map((column) => `"${column.name.replaceAll('"', '""')}"`);
  await session.execute(`CREATE OR REPLACE TEMP TABLE ${LANDING} (${quoted.map((name, index) => `${name} ${landing[index]}`).join(', ')})`);
  const appender = await session.connection.createAppender(LANDING, 'main', 'temp');
  try {
    fill(appender, columns, landing, rows);
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  const casts = quoted.map((name, index) => `CAST(${name} AS ${types[index]})`);
  await session.execute(`INSERT INTO ${target} (${quoted.join(', ')}) SELECT ${casts.join(', ')} FROM temp.main.${LANDING}`);
  await session.execute(`DROP TABLE temp.main.${LANDING}`);
}

/**
 * The positions in `columns` of `target`'s columns, in the table's order, when the table has
 * exactly these columns (by name), each of a type the appender writes as CAST would; otherwise
 * undefined. Preparing `SELECT *` reads the columns (uncommitted changes of this transaction too)
 * without running anything.
 */
async function straightOrder(session: DuckDBSession, target: string, columns: ColumnInfo[], types: readonly string[]): Promise<number[] | undefined> {
  if (!QUOTED_RELATION.test(target) || !types.every((type) => STRAIGHT.has(type.toUpperCase()))) return undefined;
  const positions = new Map(columns.map((column, index) => [column.name, index]));
  if (positions.size !== columns.length) return undefined;
  let prepared: DuckDBPreparedStatement;
  try {
    prepared = await session.connection.prepare(`SELECT * FROM ${target}`);
  } catch {
    return undefined; // the landing path reports what is wrong with the target
  }
  try {
    if (prepared.columnCount !== columns.length) return undefined;
    const order: number[] = [];
    for (let column = 0; column < prepared.columnCount; column++) {
      const index = positions.get(prepared.columnName(column));
      const type = prepared.columnType(column);
      if (index === undefined || type.typeId !== STRAIGHT.get(types[index]!.toUpperCase()) || type.alias !== undefined) return undefined;
      order.push(index);
    }
    return order;
  } finally {
    prepared.destroySync();
  }
}

/**
 * Appends `rows` to `target` itself, `columns` in the table's order. False (and nothing written)
 * when a value is refused, by the checks here or by DuckDB, for the landing path to report.
 */
async function appendStraight(session: DuckDBSession, target: string, columns: readonly ColumnInfo[], landing: readonly LandingType[], rows: Row[]): Promise<boolean> {
  const [, schema, table] = QUOTED_RELATION.exec(target)!;
  let appender: DuckDBAppender;
  try {
    appender = await session.connection.createAppender(table!.replaceAll('""', '"'), schema!.replaceAll('""', '"'));
  } catch {
    return false;
  }
  try {
    const names = columns.map((column) => column.name);
    for (let start = 0; start < rows.length; start += CHUNK_ROWS) appender.appendDataChunk(dataChunk(names, landing, rows, start, Math.min(CHUNK_ROWS, rows.length - start)));
  } catch {
    // Nothing reaches the table: the appender's rows are dropped before it closes (closing flushes).
    appender.clear();
    appender.closeSync();
    return false;
  }
  try {
    appender.flushSync();
  } catch (error) {
    appender.clear();
    throw error;
  } finally {
    appender.closeSync();
  }
  return true;
}

/**
 * Rows `start` .. `start + count - 1` as one DuckDB data chunk: numbers and booleans are written
 * into the chunk's memory from JavaScript, where the appender would take one native call per
 * value. A column of the chunk may be of another type than the table's; the appender casts it
 * with DuckDB's CAST: text into DATE and TIMESTAMP, and integers that are all exact doubles (the
 * usual case) go as DOUBLE, which spares a BigInt per value. Values are checked as `append`
 * checks them; one that fails throws, and the caller drops the whole batch.
 */
function dataChunk(names: readonly string[], landing: readonly LandingType[], rows: readonly Row[], start: number, count: number): DuckDBDataChunk {
  const doubles = landing.map((type, index) => type === 'DOUBLE' || (type === 'BIGINT' && exactDoubles(rows, start, count, names[index]!)));
  const types = landing.map((type, index) => (doubles[index] ? DuckDBDoubleType.instance : CHUNK_TYPES[type]));
  const chunk = DuckDBDataChunk.create(types, count);
  for (let index = 0; index < names.length; index++) {
    const vector = chunk.getColumnVector(index);
    const name = names[index]!;
    // One loop per vector class, so that each loop's calls stay monomorphic.
    if (doubles[index]) writeNumbers(vector as DuckDBDoubleVector, rows, start, name);
    else if (landing[index] === 'BIGINT') writeBigInts(vector as DuckDBBigIntVector, rows, start, name);
    else if (landing[index] === 'BOOLEAN') writeBooleans(vector as DuckDBBooleanVector, rows, start, name);
    else writeTexts(vector as DuckDBVarCharVector, rows, start, name);
    vector.flush();
  }
  return chunk;
}

const CHUNK_TYPES: Record<LandingType, DuckDBType> = {
  BIGINT: DuckDBBigIntType.instance,
  DOUBLE: DuckDBDoubleType.instance,
  BOOLEAN: DuckDBBooleanType.instance,
  VARCHAR: DuckDBVarCharType.instance,
};

/** Whether every value of the column in these rows is null or an integer a double holds exactly. */
function exactDoubles(rows: readonly Row[], start: number, count: number, name: string): boolean {
  for (let index = start; index < start + count; index++) {
    const value = rows[index]![name];
    if (value !== null && value !== undefined && !(typeof value === 'number' && Number.isSafeInteger(value))) return false;
  }
  return true;
}

function writeNumbers(vector: DuckDBDoubleVector, rows: readonly Row[], start: number, name: string): void {
  for (let offset = 0; offset < vector.itemCount; offset++) {
    const value = rows[start + offset]![name];
    vector.setItem(offset, value === null || value === undefined ? null : typeof value === 'number' ? value : numberOf(value, start + offset, name));
  }
}

function writeBigInts(vector: DuckDBBigIntVector, rows: readonly Row[], start: number, name: string): void {
  for (let offset = 0; offset < vector.itemCount; offset++) {
    const value = rows[start + offset]![name];
    vector.setItem(offset, value === null || value === undefined ? null : integerOf(value, start + offset, name));
  }
}

function writeBooleans(vector: DuckDBBooleanVector, rows: readonly Row[], start: number, name: string): void {
  for (let offset = 0; offset < vector.itemCount; offset++) {
    const value = rows[start + offset]![name];
    vector.setItem(offset, value === null || value === undefined ? null : typeof value === 'boolean' ? value : booleanOf(value, start + offset, name));
  }
}

function writeTexts(vector: DuckDBVarCharVector, rows: readonly Row[], start: number, name: string): void {
  for (let offset = 0; offset < vector.itemCount; offset++) {
    const value = rows[start + offset]![name];
    vector.setItem(offset, value === null || value === undefined ? null : typeof value === 'string' ? value : textOf(value));
  }
}

function fill(appender: DuckDBAppender, columns: readonly ColumnInfo[], landing: readonly LandingType[], rows: readonly Row[]): void {
  const names = columns.map((column) => column.name);
  const count = names.length;
  for (let rowIndex = 0; rowIndex < rows.length; rowIndex++) {
    const row = rows[rowIndex]!;
    for (let index = 0; index < count; index++) append(appender, row[names[index]!], landing[index] ?? 'VARCHAR', rowIndex, names[index]!);
    appender.endRow();
  }
}

function landingType(type: string): LandingType {
  const base = type.toUpperCase();
  // UBIGINT and HUGEINT go through text: they do not fit the appender's signed 64 bits.
  if (/^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|INT[1248]|UTINYINT|USMALLINT|UINTEGER)$/.test(base)) return 'BIGINT';
  if (/^(DOUBLE|DOUBLE PRECISION|FLOAT|FLOAT[48]|REAL)$/.test(base)) return 'DOUBLE';
  if (base === 'BOOLEAN' || base === 'BOOL') return 'BOOLEAN';
  return 'VARCHAR';
}

function append(appender: DuckDBAppender, value: unknown, type: LandingType, rowIndex: number, column: string): void {
  if (value === null || value === undefined) {
    appender.appendNull();
    return;
  }
  switch (type) {
    case 'BIGINT':
      // A 32-bit integer needs no BigInt; DuckDB widens it exactly.
      if (typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) appender.appendInteger(value);
      else appender.appendBigInt(integerOf(value, rowIndex, column));
      return;
    case 'DOUBLE':
      appender.appendDouble(typeof value === 'number' ? value : numberOf(value, rowIndex, column));
      return;
    case 'BOOLEAN':
      appender.appendBoolean(typeof value === 'boolean' ? value : booleanOf(value, rowIndex, column));
      return;
    default:
      appender.appendVarchar(typeof value === 'string' ? value : textOf(value));
  }
}

function integerOf(value: unknown, rowIndex: number, column: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return BigInt(value.trim());
  throw unfit(value, 'an integer', rowIndex, column);
}

function numberOf(value: unknown, rowIndex: number, column: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  throw unfit(value, 'a number', rowIndex, column);
}

function booleanOf(value: unknown, rowIndex: number, column: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  throw unfit(value, 'a boolean', rowIndex, column);
}

/** Text that DuckDB's CAST reads back as the column's type. */
function textOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  // BLOB text: every byte escaped, since CAST(... AS BLOB) reads `\xNN` as one byte.
  if (value instanceof Uint8Array) return Array.from(value, (byte) => `\\x${byte.toString(16).padStart(2, '0')}`).join('');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function unfit(value: unknown, expected: string, rowIndex: number, column: string): WeirError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new WeirError('SQL_EXECUTION', `row ${rowIndex + 1}, column "${column}": ${shown} is not ${expected}`);
}
