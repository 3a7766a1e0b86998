/**
 * Applying a batch's schema changes (columns added, columns widened) to a warehouse table, in the
 * caller's transaction, the same way on every engine.
 */
import { sameType } from '../../engines/canonical-type-name.js';
import type { ColumnInfo, EngineAdapter, EngineSession, RelationRef } from '../../engines/engine-adapter.js';
import type { ShapedBatch } from './shape-records.js';

/**
 * Creates `relation` with `columns` when `exists` is false, otherwise adds and widens what
 * `changes` says.
 *
 * @example
 * ```ts
 * await evolveTable(session, engine, landing, { exists: true, columns: batch.columns, changes: batch });
 * ```
 */
export async function evolveTable(
  session: EngineSession,
  engine: EngineAdapter,
  relation: RelationRef,
  request: { exists: boolean; columns: readonly ColumnInfo[]; changes: Pick<ShapedBatch, 'added' | 'widened'> },
): Promise<void> {
  const table = engine.quoteRelation(relation);
  const definition = (column: ColumnInfo) => `${engine.quoteIdentifier(column.name)} ${session.typeSql(column.type, column.name)}`;
  if (!request.exists) {
    await session.execute(`CREATE TABLE ${table} (${request.columns.map(definition).join(', ')})`);
    return;
  }
  for (const column of request.changes.added) await session.execute(`ALTER TABLE ${table} ADD COLUMN ${definition(column)}`);
  for (const change of request.changes.widened) {
    const type = session.typeSql(change.to, change.name);
    const name = engine.quoteIdentifier(change.name);
    // PostgreSQL converts between some types only through text (boolean to varchar, say).
    await session.execute(`ALTER TABLE ${table} ALTER COLUMN ${name} TYPE ${type}${engine.kind === 'postgres' ? ` USING ${name}::text::${type}` : ''}`);
  }
}

/**
 * The changes that make `target`'s columns hold everything `source` holds: `source`'s columns
 * `target` lacks, and `source`'s types where they differ (source is the wider one by construction).
 */
export function changesToMatch(target: readonly ColumnInfo[], source: readonly ColumnInfo[]): Pick<ShapedBatch, 'added' | 'widened'> {
  const existing = new Map(target.map((column) => [column.name, column]));
  const added = source.filter((column) => !existing.has(column.name));
  const widened = source
    .filter((column) => {
      const current = existing.get(column.name);
      return current !== undefined && !sameType(current.type, column.type);
    })
    .map((column) => ({ name: column.name, from: existing.get(column.name)!.type, to: column.type as ShapedBatch['widened'][number]['to'] }));
  return { added, widened };
}
