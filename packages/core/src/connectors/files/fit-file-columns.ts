/**
 * Whether the rows of one newly read file fit the table a `load: new_files` build adds them to.
 * The column names must be the table's (a file whose header changed is refused, naming what
 * differs); a column the reader typed differently is accepted only when every value survives the
 * cast to the table's type and back (an empty column, read as text, always does), so no value is
 * silently rounded or mangled on the way in.
 */
import type { ColumnInfo, EngineAdapter, RelationRef } from '../../engines/engine-adapter.js';
import { assertSqlTypeName } from '../../engines/sql-type-name.js';
import { WeirError } from '../../errors/weir-error.js';
import { SOURCE_FILE_COLUMN } from './file-manifest.js';

/** How to copy one file's staged rows into the table: each table column as a SELECT expression over the staging table. */
export interface FittedColumns {
  /** Table column names, in the table's order (without {@link SOURCE_FILE_COLUMN}). */
  names: string[];
  /** The expression for each, over the staged rows (a cast where the reader typed it differently). */
  expressions: string[];
}

/** The data columns of a table (everything but {@link SOURCE_FILE_COLUMN}). */
export function dataColumns(columns: readonly ColumnInfo[]): ColumnInfo[] {
  return columns.filter((column) => column.name !== SOURCE_FILE_COLUMN);
}

/**
 * Checks that the staged rows of `file` fit `table` (the columns a new_files table holds) and
 * says how to select them in the table's shape.
 *
 * @param shownAs - the file as the user knows it, for messages.
 * @example
 * ```ts
 * const fitted = await fitFileColumns(engine, tableColumns, staging, 'data/orders/2026-11-03.csv', 'raw_orders');
 * ```
 */
export async function fitFileColumns(engine: EngineAdapter, table: readonly ColumnInfo[], staging: RelationRef, shownAs: string, asset: string): Promise<FittedColumns> {
  const staged = (await engine.describe(staging)) ?? [];
  const stagedByName = new Map(staged.map((column) => [column.name, column]));
  const tableNames = new Set(table.map((column) => column.name));
  const missing = table.filter((column) => !stagedByName.has(column.name)).map((column) => column.name);
  const added = staged.filter((column) => !tableNames.has(column.name)).map((column) => column.name);
  if (missing.length > 0 || added.length > 0) {
    const parts = [missing.length > 0 ? `missing ${missing.join(', ')}` : '', added.length > 0 ? `not in the table: ${added.join(', ')}` : ''].filter(Boolean);
    throw new WeirError('SOURCE_READ_FAILED', `cannot load ${shownAs}: its columns differ from those of ${asset} (${parts.join('; ')})`, {
      location: { file: shownAs },
      hint: `every file must have the columns ${[...tableNames].join(', ')}; to change them, run once with load: all (every file read again), then go back to load: new_files`,
    });
  }
  const q = (name: string): string => engine.quoteIdentifier(name);
  const names: string[] = [];
  const expressions: string[] = [];
  for (const column of table) {
    const read = stagedByName.get(column.name)!;
    names.push(column.name);
    if (read.type === column.type) {
      expressions.push(q(column.name));
      continue;
    }
    await assertValuesFit(engine, staging, column, read, shownAs);
    expressions.push(`CAST(${q(column.name)} AS ${assertSqlTypeName(column.type, column.name)})`);
  }
  return { names, expressions };
}

/** Refuses a column whose values would not come through the cast to the table's type unchanged. */
async function assertValuesFit(engine: EngineAdapter, staging: RelationRef, column: ColumnInfo, read: ColumnInfo, shownAs: string): Promise<void> {
  const refuse = (why: string, cause?: unknown): WeirError =>
    new WeirError('SOURCE_READ_FAILED', `cannot load ${shownAs}: column "${column.name}" reads as ${read.type} but the table holds ${column.type}, and ${why}`, {
      location: { file: shownAs },
      hint: `declare the column's type under options: columns: { ${column.name}: ${column.type} } so every file reads it the same way`,
      ...(cause === undefined ? {} : { cause }),
    });
  let tableType: string;
  let readType: string;
  try {
    tableType = assertSqlTypeName(column.type, column.name);
    readType = assertSqlTypeName(read.type, column.name);
  } catch (error) {
    throw refuse('the two types cannot be compared', error);
  }
  const name = engine.quoteIdentifier(column.name);
  const session = await engine.session();
  try {
    const [row] = await session.query(
      `SELECT count(*) AS changed FROM ${engine.quoteRelation(staging)} WHERE ${name} IS NOT NULL AND CAST(CAST(${name} AS ${tableType}) AS ${readType}) IS DISTINCT FROM ${name}`,
    );
    const changed = Number(row?.changed ?? 0);
    if (changed > 0) throw refuse(`${changed} value(s) would change in the cast`);
  } catch (error) {
    if (error instanceof WeirError) throw error;
    throw refuse('some values cannot be cast', error);
  } finally {
    await session.close();
  }
}
