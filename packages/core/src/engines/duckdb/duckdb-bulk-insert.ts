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
  DuckDBTimestampType,
  DuckDBTimestampValue,
  DuckDBTypeId,
  DuckDBVarCharType,
  ENUM8,
  type DuckDBAppender,
  type DuckDBBigIntVector,
  type DuckDBBooleanVector,
  type DuckDBDoubleVector,
  type DuckDBEnum8Vector,
  type DuckDBPreparedStatement,
  type DuckDBTimestampVector,
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
  const table = await tableColumns(session, target);
  // DuckDB matches names case-insensitively, quoted or not.
  const known = new Set(table?.map((column) => column.name.toLowerCase()));
  const missing = table === undefined ? [] : columns.filter((column) => !known.has(column.name.toLowerCase()));
  if (table !== undefined && missing.length > 0) {
    // Said here, with the table's columns: the INSERT's binder error names neither.
    throw new WeirError('SQL_EXECUTION', `${target} has no column ${missing.map((column) => `"${column.name}"`).join(', ')} (its columns: ${table.map((column) => column.name).join(', ')}); nothing was appended`, {
      hint: 'add the column to the table first (a schema change), or leave the field out of the rows',
    });
  }
  if (rows.length <= STRAIGHT_MAX_ROWS && table !== undefined) {
    const order = straightOrder(table, columns, types);
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

/** A column of the target as DuckDB sees it. */
interface TableColumn {
  name: string;
  typeId: DuckDBTypeId;
  /** Set for a type with an alias (JSON is VARCHAR aliased): the appender would not cast to it as CAST does. */
  alias: string | undefined;
}

/**
 * The columns of `target` (already quoted as `"schema"."table"`), in the table's order, or
 * undefined when it cannot be read here (the landing path then reports what is wrong). Preparing
 * `SELECT *` reads them (uncommitted changes of this transaction too) without running anything.
 */
async function tableColumns(session: DuckDBSession, target: string): Promise<TableColumn[] | undefined> {
  if (!QUOTED_RELATION.test(target)) return undefined;
  let prepared: DuckDBPreparedStatement;
  try {
    prepared = await session.connection.prepare(`SELECT * FROM ${target}`);
  } catch {
    return undefined;
  }
  try {
    const columns: TableColumn[] = [];
    for (let column = 0; column < prepared.columnCount; column++) {
      const type = prepared.columnType(column);
      columns.push({ name: prepared.columnName(column), typeId: type.typeId, alias: type.alias });
    }
    return columns;
  } finally {
    prepared.destroySync();
  }
}

/**
 * The positions in `columns` of `table`'s columns, in the table's order, when the table has
 * exactly these columns (by name), each of a type the appender writes as CAST would; otherwise
 * undefined.
 */
function straightOrder(table: readonly TableColumn[], columns: readonly ColumnInfo[], types: readonly string[]): number[] | undefined {
  if (table.length !== columns.length || !types.every((type) => STRAIGHT.has(type.toUpperCase()))) return undefined;
  const positions = new Map(columns.map((column, index) => [column.name, index]));
  if (positions.size !== columns.length) return undefined;
  const order: number[] = [];
  for (const column of table) {
    const index = positions.get(column.name);
    if (index === undefined || column.typeId !== STRAIGHT.get(types[index]!.toUpperCase()) || column.alias !== undefined) return undefined;
    order.push(index);
  }
  return order;
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
    for (let start = 0; start < rows.length; start += CHUNK_ROWS) appender.appendDataChunk(dataChunk(columns, landing, rows, start, Math.min(CHUNK_ROWS, rows.length - start)));
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
 * usual case) go as DOUBLE, which spares a BigInt per value. TIMESTAMP text in the plain
 * `YYYY-MM-DD HH:MM:SS[.ffffff]` shape (what `shapeRecords` produces) is read here into the
 * column's microseconds, which costs less than DuckDB parsing the text. Text for a VARCHAR column that
 * repeats a few values (a status, a country) goes as an ENUM of them: one byte per row written
 * from JavaScript, each distinct text crossing into DuckDB once per chunk instead of once per
 * row. Values are checked as `append` checks them; one that fails throws, and the caller drops
 * the whole batch.
 */
function dataChunk(columns: readonly ColumnInfo[], landing: readonly LandingType[], rows: readonly Row[], start: number, count: number): DuckDBDataChunk {
  const names = columns.map((column) => column.name);
  const doubles = landing.map((type, index) => type === 'DOUBLE' || (type === 'BIGINT' && exactDoubles(rows, start, count, names[index]!)));
  const dictionaries = columns.map((column) => (column.type.toUpperCase() === 'VARCHAR' ? fewTexts(rows, start, count, column.name) : undefined));
  const instants = columns.map((column) => (column.type.toUpperCase() === 'TIMESTAMP' ? plainTimestamps(rows, start, count, column.name) : undefined));
  const types = landing.map((type, index) => {
    const dictionary = dictionaries[index];
    if (dictionary !== undefined) return ENUM8(dictionary);
    if (instants[index] !== undefined) return DuckDBTimestampType.instance;
    return doubles[index] ? DuckDBDoubleType.instance : CHUNK_TYPES[type];
  });
  const chunk = DuckDBDataChunk.create(types, count);
  for (let index = 0; index < names.length; index++) {
    const vector = chunk.getColumnVector(index);
    const name = names[index]!;
    // One loop per vector class, so that each loop's calls stay monomorphic.
    const micros = instants[index];
    if (dictionaries[index] !== undefined) writeCodes(vector as DuckDBEnum8Vector, rows, start, name);
    else if (micros !== undefined) writeInstants(vector as DuckDBTimestampVector, micros);
    else if (doubles[index]) writeNumbers(vector as DuckDBDoubleVector, rows, start, name);
    else if (landing[index] === 'BIGINT') writeBigInts(vector as DuckDBBigIntVector, rows, start, name);
    else if (landing[index] === 'BOOLEAN') writeBooleans(vector as DuckDBBooleanVector, rows, start, name);
    else writeTexts(vector as DuckDBVarCharVector, rows, start, name);
    vector.flush();
  }
  return chunk;
}

/** At most this many distinct texts go as an ENUM (its codes are one byte). */
const DICTIONARY_MAX = 255;

/**
 * The distinct texts of the column in these rows when they are few (at most a quarter of the
 * rows, and {@link DICTIONARY_MAX}), every value being text or null; otherwise undefined.
 */
function fewTexts(rows: readonly Row[], start: number, count: number, name: string): string[] | undefined {
  const limit = Math.min(DICTIONARY_MAX, count >> 2);
  const seen = new Set<string>();
  for (let index = start; index < start + count; index++) {
    const value = rows[index]![name];
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string') return undefined;
    if (seen.has(value)) continue;
    // DuckDB takes an ENUM's members as C strings: one holding a NUL would come back cut short.
    if (seen.size >= limit || value.includes('\0')) return undefined;
    seen.add(value);
  }
  return seen.size > 0 ? [...seen] : undefined;
}

/**
 * The microseconds since 1970 of each value of the column in these rows (null for null) when
 * every one is text of the plain shape `YYYY-MM-DD[ T]HH:MM:SS[.f to ffffff]` naming a real
 * instant of years 1 to 9999 (what CAST reads the same way); otherwise undefined, and the column
 * goes as text for DuckDB to parse (and to refuse, with its own message).
 */
function plainTimestamps(rows: readonly Row[], start: number, count: number, name: string): Array<bigint | null> | undefined {
  const micros: Array<bigint | null> = new Array(count);
  for (let offset = 0; offset < count; offset++) {
    const value = rows[start + offset]![name];
    if (value === null || value === undefined) {
      micros[offset] = null;
      continue;
    }
    if (typeof value !== 'string') return undefined;
    const instant = plainTimestampMicros(value);
    if (instant === undefined) return undefined;
    micros[offset] = instant;
  }
  return micros;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function plainTimestampMicros(text: string): bigint | undefined {
  const length = text.length;
  if (length < 19 || length === 20 || length > 26) return undefined;
  const separator = text.charCodeAt(10);
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || (separator !== 32 && separator !== 84) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return undefined;
  let fraction = 0;
  if (length > 19) {
    if (text.charCodeAt(19) !== 46) return undefined;
    fraction = digits(text, 20, length) * 10 ** (26 - length);
  }
  if (Number.isNaN(year + month + day + hour + minute + second + fraction)) return undefined;
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
  const total = seconds * 1_000_000 + fraction;
  // Past about 2255 microseconds since 1970 outgrow a double's exact integers.
  return Number.isSafeInteger(total) ? BigInt(total) : BigInt(seconds) * 1_000_000n + BigInt(fraction);
}

/** The decimal number spelled by the characters from `from` to `to`, or NaN when one is not a digit. */
function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let index = from; index < to; index++) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

/** Days from 1970-01-01 to a day of the proleptic Gregorian calendar (Howard Hinnant's algorithm). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function writeInstants(vector: DuckDBTimestampVector, micros: ReadonlyArray<bigint | null>): void {
  for (let offset = 0; offset < vector.itemCount; offset++) {
    const value = micros[offset] ?? null;
    vector.setItem(offset, value === null ? null : new DuckDBTimestampValue(value));
  }
}

function writeCodes(vector: DuckDBEnum8Vector, rows: readonly Row[], start: number, name: string): void {
  for (let offset = 0; offset < vector.itemCount; offset++) {
    const value = rows[start + offset]![name];
    vector.setItem(offset, value === null || value === undefined ? null : (value as string));
  }
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
