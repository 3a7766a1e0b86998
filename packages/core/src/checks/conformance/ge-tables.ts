/**
 * GE datasets as engine tables. GE gives data column by column with a type hint per backend; the
 * hint of the backend the harness acts as is preferred, then Spark's and pandas' (most files have
 * only those), then the values themselves. A value that cannot be stored in the hinted type (the
 * text "abc" in an INTEGER column) makes the column text, as it would be in a SQL table loaded
 * from pandas.
 */
import type { ColumnInfo, EngineAdapter, EngineSession, Row } from '../../engines/engine-adapter.js';
import type { GeBackend, GeTableData } from './ge-definitions.js';

/** Column types a harness table can have. */
export type TableColumnType = 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'VARCHAR' | 'BOOLEAN' | 'TIMESTAMP' | 'DATE';

const HINTS: Array<[RegExp, TableColumnType]> = [
  [/^(integer|int|int4|smallint|integertype|shorttype|bytetype)$/i, 'INTEGER'],
  [/^(bigint|int8|int64|int64dtype|longtype)$/i, 'BIGINT'],
  [/^(float|float64|float32|double|double_precision|double precision|real|numeric|decimal|number|floattype|doubletype|decimaltype)$/i, 'DOUBLE'],
  [/^(varchar|text|string|str|object|char|stringtype|nulltype)$/i, 'VARCHAR'],
  [/^(bool|boolean|booleantype)$/i, 'BOOLEAN'],
  [/^(datetime|timestamp|timestamp_ntz|timestamptype|datetime64|datetime64\[ns\])$/i, 'TIMESTAMP'],
  [/^(date|datetype)$/i, 'DATE'],
];

/**
 * The table type for one GE type hint, or undefined when the hint is not understood.
 *
 * @example
 * ```ts
 * typeFromHint('IntegerType'); // 'INTEGER'
 * typeFromHint('datetime64[ns]'); // 'TIMESTAMP'
 * ```
 */
export function typeFromHint(hint: string): TableColumnType | undefined {
  return HINTS.find(([pattern]) => pattern.test(hint.trim()))?.[1];
}

/**
 * The type the values suggest when no hint is given.
 *
 * @example
 * ```ts
 * typeFromValues([1, 2.5, null]); // 'DOUBLE'
 * typeFromValues([1, 'a']); // 'VARCHAR'
 * ```
 */
export function typeFromValues(values: readonly unknown[]): TableColumnType {
  const present = values.filter((value) => value !== null && value !== undefined);
  if (present.length === 0) return 'VARCHAR';
  if (present.every((value) => typeof value === 'boolean')) return 'BOOLEAN';
  if (present.every((value) => typeof value === 'number')) return present.every((value) => Number.isInteger(value)) ? 'BIGINT' : 'DOUBLE';
  return 'VARCHAR';
}

/** The hint for `column` from the preferred schema that has one. */
function hintFor(column: string, backend: GeBackend, schemas: Record<string, Record<string, string>> | undefined): string | undefined {
  for (const key of [backend, 'spark', 'pandas']) {
    const hint = schemas?.[key]?.[column];
    if (hint !== undefined) return hint;
  }
  return undefined;
}

/**
 * A timestamp text DuckDB and PostgreSQL both read (`YYYY-MM-DD HH:MM:SS.mmm`, UTC), from GE's
 * varied spellings (`Jan 01 1970 12:00:01`, `1/1/2016`, ISO with or without `Z`).
 *
 * @example
 * ```ts
 * timestampText('Jan 01 1970 12:00:01'); // '1970-01-01 12:00:01.000'
 * timestampText('not a date'); // undefined
 * ```
 */
export function timestampText(value: string): string | undefined {
  const text = value.trim();
  const iso = /^\d{4}-\d{2}-\d{2}/.test(text);
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(text);
  // Text without a zone is read as UTC (JS would read the non-ISO spellings as local time).
  const candidate = iso ? (zoned || text.length === 10 ? text : `${text.replace(' ', 'T')}Z`) : `${text} UTC`;
  const millis = Date.parse(candidate);
  if (Number.isNaN(millis)) return undefined;
  return new Date(millis).toISOString().replace('T', ' ').replace('Z', '');
}

/** The value as stored in a column of `type`, or undefined when it does not fit. */
function storedValue(value: unknown, type: TableColumnType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'INTEGER':
    case 'BIGINT':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return value.trim();
      return undefined;
    case 'DOUBLE':
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      return undefined;
    case 'BOOLEAN':
      return typeof value === 'boolean' ? value : undefined;
    case 'TIMESTAMP':
    case 'DATE': {
      if (typeof value !== 'string') return undefined;
      const text = timestampText(value);
      return text === undefined ? undefined : type === 'DATE' ? text.slice(0, 10) : text;
    }
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/**
 * The columns and rows of a GE table, typed for the backend.
 *
 * @example
 * ```ts
 * tableRows({ x: [1, null], y: ['a', 'b'] }, 'sqlite');
 * // { columns: [{ name: 'x', type: 'BIGINT', ... }, { name: 'y', type: 'VARCHAR', ... }], rows: [{ x: 1, y: 'a' }, { x: null, y: 'b' }] }
 * ```
 */
export function tableRows(data: GeTableData, backend: GeBackend, schemas?: Record<string, Record<string, string>>): { columns: ColumnInfo[]; rows: Row[] } {
  const names = Object.keys(data);
  const length = Math.max(0, ...names.map((name) => data[name]?.length ?? 0));
  const columns: ColumnInfo[] = [];
  const stored = new Map<string, unknown[]>();
  for (const name of names) {
    const values = data[name] ?? [];
    const hint = hintFor(name, backend, schemas);
    let type: TableColumnType = (hint === undefined ? undefined : typeFromHint(hint)) ?? typeFromValues(values);
    let converted = values.map((value) => storedValue(value, type));
    if (converted.some((value) => value === undefined)) {
      type = 'VARCHAR';
      converted = values.map((value) => storedValue(value, 'VARCHAR'));
    }
    columns.push({ name, type, nullable: true });
    stored.set(name, converted);
  }
  const rows: Row[] = [];
  for (let index = 0; index < length; index += 1) {
    const row: Row = {};
    for (const name of names) row[name] = stored.get(name)?.[index] ?? null;
    rows.push(row);
  }
  return { columns, rows };
}

/**
 * Creates (or replaces) the table `name` in `schema` holding a GE dataset, in two statements:
 * values are bound as text and cast to the column types by the engine (the harness makes about a
 * hundred small tables per run, where the appender's per-table set-up would dominate).
 *
 * @example
 * ```ts
 * await createGeTable({ engine, session, schema: 'main' }, 'ge_1', { x: [1, 2, null] }, 'sqlite');
 * ```
 */
export async function createGeTable(
  place: { engine: EngineAdapter; session: EngineSession; schema: string },
  name: string,
  data: GeTableData,
  backend: GeBackend,
  schemas?: Record<string, Record<string, string>>,
): Promise<ColumnInfo[]> {
  const { engine, session, schema } = place;
  const { columns, rows } = tableRows(data, backend, schemas);
  const table = engine.quoteRelation({ schema, name });
  const quoted = columns.map((column) => engine.quoteIdentifier(column.name));
  await session.execute(`DROP TABLE IF EXISTS ${table}`);
  await session.execute(`CREATE TABLE ${table} (${quoted.map((column, index) => `${column} ${columns[index]?.type}`).join(', ')})`);
  if (rows.length === 0) return columns;
  const params: unknown[] = [];
  const tuples = rows.map(
    (row) =>
      `(${columns
        .map((column) => {
          const value = row[column.name];
          params.push(value === null || value === undefined ? null : String(value));
          return `CAST($${params.length} AS ${column.type})`;
        })
        .join(', ')})`,
  );
  await session.execute(`INSERT INTO ${table} VALUES ${tuples.join(', ')}`, params);
  return columns;
}
