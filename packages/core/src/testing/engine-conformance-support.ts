/**
 * What the engine conformance cases share: the adapter under test, a scratch directory, fresh
 * schemas, and helpers that read results the same way on every engine.
 */
import type { EngineAdapter, RelationRef, Row } from '../engines/engine-adapter.js';

/** The state of one conformance run; set up by `runEngineConformance`, read by every case. */
export interface ConformanceContext {
  /** The adapter under test (throws when read before the suite has opened it). */
  readonly engine: EngineAdapter;
  /** A scratch directory for fixture files, removed after the run. */
  readonly dir: string;
  /** Creates and returns a schema no other case uses. */
  freshSchema(label: string): Promise<string>;
}

/** How a column's type is understood across engines (`DOUBLE` on DuckDB is `DOUBLE PRECISION` on PostgreSQL). */
export type TypeFamily = 'integer' | 'float' | 'decimal' | 'text' | 'boolean' | 'timestamp' | 'timestamptz' | 'date' | 'json' | 'other';

const FAMILIES: Array<[RegExp, TypeFamily]> = [
  [/^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|INT[1248]|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/, 'integer'],
  [/^(DOUBLE|DOUBLE PRECISION|FLOAT|FLOAT[48]|REAL)$/, 'float'],
  [/^(DECIMAL|NUMERIC)(\(.*\))?$/, 'decimal'],
  [/^(VARCHAR|TEXT|STRING|CHARACTER VARYING)(\(\d+\))?$/, 'text'],
  [/^(BOOLEAN|BOOL)$/, 'boolean'],
  [/^(TIMESTAMP|TIMESTAMP WITHOUT TIME ZONE)(\(\d\))?$/, 'timestamp'],
  [/^(TIMESTAMPTZ|TIMESTAMP WITH TIME ZONE)$/, 'timestamptz'],
  [/^DATE$/, 'date'],
  [/^(JSON|JSONB)$/, 'json'],
];

/** The family of an engine type name as `describe()` reports it. */
export function typeFamily(type: string): TypeFamily {
  return FAMILIES.find(([pattern]) => pattern.test(type.toUpperCase()))?.[1] ?? 'other';
}

/** `name -> family` for a relation, for asserting a shape without tying it to one engine's spelling. */
export async function familiesOf(engine: EngineAdapter, ref: RelationRef): Promise<Record<string, TypeFamily>> {
  const columns = await engine.describe(ref);
  if (columns === undefined) throw new Error(`${ref.schema}.${ref.name} does not exist`);
  return Object.fromEntries(columns.map((column) => [column.name, typeFamily(column.type)]));
}

/** Every row of a relation, ordered by `orderBy` (NULLs last on every engine). */
export async function rowsOf(engine: EngineAdapter, ref: RelationRef, orderBy: string[]): Promise<Row[]> {
  const order = orderBy.map((column) => `${engine.quoteIdentifier(column)} NULLS LAST`).join(', ');
  const session = await engine.session();
  try {
    return await session.query(`SELECT * FROM ${engine.quoteRelation(ref)} ORDER BY ${order}`);
  } finally {
    await session.close();
  }
}

/** Runs one statement on a session of its own. */
export async function execute(engine: EngineAdapter, sql: string, params: unknown[] = []): Promise<void> {
  const session = await engine.session();
  try {
    await session.execute(sql, params);
  } finally {
    await session.close();
  }
}

/** Runs one query on a session of its own. */
export async function query(engine: EngineAdapter, sql: string, params: unknown[] = []): Promise<Row[]> {
  const session = await engine.session();
  try {
    return await session.query(sql, params);
  } finally {
    await session.close();
  }
}

/** The rejection of `promise`, failing the test when it resolves instead. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the call succeeded');
}
