/**
 * The MERGE statement for PostgreSQL (15 and later). Keys match when equal or both NULL, like
 * `IS NOT DISTINCT FROM`; but PostgreSQL can only join on `IS NOT DISTINCT FROM` with a nested
 * loop (a 2,000-row merge into 200,000 rows measured 11 s, against 50 ms for the form below), so
 * each key is compared as `(t.k IS NULL) = (s.k IS NULL) AND coalesce(t.k, c) = coalesce(s.k, c)`:
 * the same rows match, and both conditions are plain equalities the planner can hash or sort on.
 */
import type { ColumnInfo } from '../engine-adapter.js';
import type { MergeColumns } from '../column-matching.js';
import { quoteIdentifier } from './postgres-session.js';

/** What {@link mergeSql} needs to know, all of it already quoted or checked by the adapter. */
export interface MergeInput {
  /** The quoted target and source relations. */
  target: string;
  source: string;
  keys: string[];
  columns: MergeColumns;
  /** Column types as the adapter's describe() reports them, for choosing each key's filler constant. */
  targetColumns: ColumnInfo[];
  sourceColumns: ColumnInfo[];
}

/**
 * The complete MERGE statement for `input`.
 *
 * @example
 * ```ts
 * mergeSql({ target: '"prod"."orders"', source: '"stage"."orders"', keys: ['id'], columns, targetColumns, sourceColumns });
 * // MERGE INTO "prod"."orders" AS t USING "stage"."orders" AS s ON ((t."id" IS NULL) = (s."id" IS NULL) AND ...
 * ```
 */
export function mergeSql(input: MergeInput): string {
  const typeOf = (columns: ColumnInfo[], name: string): string => columns.find((column) => column.name === name)?.type ?? '';
  const on = input.keys
    .map((key) => keyMatch(quoteIdentifier(key), filler(typeOf(input.targetColumns, key)), filler(typeOf(input.sourceColumns, key))))
    .join(' AND ');
  const update =
    input.columns.update.length === 0
      ? 'DO NOTHING'
      : `UPDATE SET ${input.columns.update.map((name) => `${quoteIdentifier(name)} = s.${quoteIdentifier(name)}`).join(', ')}`;
  const insertNames = input.columns.insert.map(quoteIdentifier);
  return [
    `MERGE INTO ${input.target} AS t USING ${input.source} AS s ON (${on})`,
    `WHEN MATCHED THEN ${update}`,
    `WHEN NOT MATCHED THEN INSERT (${insertNames.join(', ')}) VALUES (${insertNames.map((name) => `s.${name}`).join(', ')})`,
  ].join('\n');
}

function keyMatch(key: string, targetFiller: string | undefined, sourceFiller: string | undefined): string {
  if (targetFiller === undefined || targetFiller !== sourceFiller) return `t.${key} IS NOT DISTINCT FROM s.${key}`;
  return `(t.${key} IS NULL) = (s.${key} IS NULL) AND coalesce(t.${key}, ${targetFiller}) = coalesce(s.${key}, ${targetFiller})`;
}

/**
 * A constant of the key's type to stand in for NULL. Its value does not matter (the IS NULL
 * comparison already separates NULL from it), only that it is valid for the type; an untyped
 * literal takes the column's type. Types without an obvious constant keep IS NOT DISTINCT FROM.
 */
function filler(type: string): string | undefined {
  const t = type.toLowerCase();
  if (/^(smallint|integer|bigint|numeric|decimal|real|double precision)\b/.test(t)) return "'0'";
  if (/^(text|character varying|character|varchar|char|citext|name)\b/.test(t)) return "''";
  if (t === 'boolean') return "'false'";
  if (/^(date|timestamp)\b/.test(t)) return "'1970-01-01'";
  if (t === 'uuid') return "'00000000-0000-0000-0000-000000000000'";
  return undefined;
}
