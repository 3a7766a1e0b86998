/**
 * Matching the columns of two relations by name, for appends and merges. Position is never
 * trusted: a model that reorders its SELECT list must not shift values into the wrong columns.
 */
import { WeirError } from '../errors/weir-error.js';
import type { ColumnInfo, RelationRef } from './engine-adapter.js';

/** The columns a merge writes: all shared columns on insert, the non-key ones on update. */
export interface MergeColumns {
  insert: string[];
  update: string[];
}

/**
 * The names of the target's columns that the source also has, in the target's order. A source
 * column the target lacks is an error rather than data silently left behind.
 *
 * @example
 * ```ts
 * sharedColumns(target, await engine.describe(target), source, await engine.describe(source));
 * // ['id', 'amount']
 * ```
 */
export function sharedColumns(
  target: RelationRef,
  targetColumns: ColumnInfo[] | undefined,
  source: RelationRef,
  sourceColumns: ColumnInfo[] | undefined,
): string[] {
  if (targetColumns === undefined) throw missingRelation(target);
  if (sourceColumns === undefined) throw missingRelation(source);
  const targetNames = new Set(targetColumns.map((column) => column.name));
  const extra = sourceColumns.map((column) => column.name).filter((name) => !targetNames.has(name));
  if (extra.length > 0) {
    throw new WeirError('SQL_EXECUTION', `${describeRef(source)} has columns that ${describeRef(target)} lacks: ${extra.join(', ')}`, {
      hint: 'add the columns to the target (a full rebuild) or leave them out of the model',
    });
  }
  const sourceNames = new Set(sourceColumns.map((column) => column.name));
  return targetColumns.map((column) => column.name).filter((name) => sourceNames.has(name));
}

/** {@link sharedColumns} split for a merge on `keys`; every key must be in both relations. */
export function mergeColumns(
  target: RelationRef,
  targetColumns: ColumnInfo[] | undefined,
  source: RelationRef,
  sourceColumns: ColumnInfo[] | undefined,
  keys: string[],
): MergeColumns {
  if (keys.length === 0) throw new WeirError('USAGE', `a merge into ${describeRef(target)} needs at least one key column`);
  const insert = sharedColumns(target, targetColumns, source, sourceColumns);
  const missing = keys.filter((key) => !insert.includes(key));
  if (missing.length > 0) {
    throw new WeirError('SQL_EXECUTION', `merge key ${missing.join(', ')} is not a column of both ${describeRef(target)} and ${describeRef(source)}`);
  }
  return { insert, update: insert.filter((name) => !keys.includes(name)) };
}

function missingRelation(ref: RelationRef): WeirError {
  return new WeirError('SQL_EXECUTION', `${describeRef(ref)} does not exist`);
}

function describeRef(ref: RelationRef): string {
  return `${ref.schema}.${ref.name}`;
}
