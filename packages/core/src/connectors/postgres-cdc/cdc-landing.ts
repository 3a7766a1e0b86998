/**
 * The warehouse side of a CDC table, beside stream sources' in `weir_ingest`: the replica
 * `<asset>__landing` (the source table's current rows), `<asset>__positions` (the LSN the
 * landing table is at, and the columns it was built with) and, optionally, `<asset>__history`
 * (every version of every row with the interval it was current). The position is written in the
 * same transaction as the rows it describes, so it always says exactly what the landing table holds.
 */
import type { ColumnInfo, EngineAdapter, EngineSession, RelationRef } from '../../engines/engine-adapter.js';
import { INGEST_SCHEMA } from '../records/dead-letters.js';
import { landingRelation, positionsRelation } from '../streams/stream-landing.js';
import { formatLsn, parseLsn } from './pgoutput-parser.js';

/** Columns the history table adds to the source's. */
export const HISTORY_COLUMNS: ColumnInfo[] = [
  { name: 'valid_from', type: 'TIMESTAMP', nullable: false },
  { name: 'valid_to', type: 'TIMESTAMP', nullable: true },
  { name: '_weir_operation', type: 'VARCHAR', nullable: false },
  { name: '_weir_lsn', type: 'VARCHAR', nullable: false },
];

/** The history table of `asset`. */
export function historyRelation(asset: string): RelationRef {
  return { schema: INGEST_SCHEMA, name: `${asset}__history` };
}

/** Where the landing table of a CDC table is. */
export interface CdcPosition {
  /** Every source transaction ending at or before this LSN is in the landing table (and the history). */
  lsn: bigint;
  /** The landing table's source columns, typed as DuckDB spells them. */
  columns: ColumnInfo[];
  /** The history table is maintained up to `lsn` (false: absent, or left behind while history was off). */
  history: boolean;
}

/**
 * The stored position of `asset`, or undefined before its initial load has committed.
 *
 * @example
 * ```ts
 * const position = await readCdcPosition(engine, 'orders'); // { lsn: 0x1a2b3cn, columns: [...] }
 * ```
 */
export async function readCdcPosition(engine: EngineAdapter, asset: string): Promise<CdcPosition | undefined> {
  const relation = positionsRelation(asset);
  if ((await engine.describe(relation)) === undefined) return undefined;
  const session = await engine.session();
  try {
    const rows = await session.query(`SELECT partition_key, position FROM ${engine.quoteRelation(relation)}`);
    const stored = new Map(rows.map((row) => [String(row.partition_key), String(row.position)]));
    const lsn = stored.get('lsn');
    const columns = stored.get('columns');
    if (lsn === undefined || columns === undefined) return undefined;
    return { lsn: parseLsn(lsn), columns: JSON.parse(columns) as ColumnInfo[], history: stored.get('history') === 'true' };
  } finally {
    await session.close();
  }
}

/**
 * Stores `position` in the caller's transaction.
 *
 * @example
 * ```ts
 * await session.transaction(async () => { ...apply rows...; await saveCdcPosition(session, engine, 'orders', position); });
 * ```
 */
export async function saveCdcPosition(session: EngineSession, engine: EngineAdapter, asset: string, position: CdcPosition): Promise<void> {
  const relation = positionsRelation(asset);
  const table = engine.quoteRelation(relation);
  await session.execute(`CREATE TABLE IF NOT EXISTS ${table} (partition_key ${session.typeSql('VARCHAR')}, position ${session.typeSql('VARCHAR')})`);
  await session.execute(`DELETE FROM ${table} WHERE partition_key IN ('lsn', 'columns', 'history')`);
  const columns: ColumnInfo[] = [
    { name: 'partition_key', type: 'VARCHAR', nullable: false },
    { name: 'position', type: 'VARCHAR', nullable: false },
  ];
  await session.appendRows(relation, columns, [
    { partition_key: 'lsn', position: formatLsn(position.lsn) },
    { partition_key: 'columns', position: JSON.stringify(position.columns) },
    { partition_key: 'history', position: String(position.history) },
  ]);
}

/**
 * Creates (or replaces) the history table from the landing table as it is now: one open row per
 * row, current since `startedAt` (the source's clock when the copy's changes began), in the
 * caller's transaction.
 *
 * @example
 * ```ts
 * await startHistory(session, engine, { asset: 'orders', columns, key: ['id'] }, { startedAt: '2026-01-01 00:00:00', lsn });
 * ```
 */
export async function startHistory(
  session: EngineSession,
  engine: EngineAdapter,
  table: { asset: string; columns: readonly ColumnInfo[]; key: readonly string[] },
  start: { startedAt: string; lsn: bigint },
): Promise<void> {
  const history = engine.quoteRelation(historyRelation(table.asset));
  const all = [...table.columns, ...HISTORY_COLUMNS];
  await session.execute(`DROP TABLE IF EXISTS ${history}`);
  await session.execute(`CREATE TABLE ${history} (${all.map((column) => `${engine.quoteIdentifier(column.name)} ${session.typeSql(column.type, column.name)}`).join(', ')})`);
  const names = table.columns.map((column) => engine.quoteIdentifier(column.name)).join(', ');
  const landing = engine.quoteRelation(landingRelation(table.asset));
  const varchar = session.typeSql('VARCHAR');
  await session.execute(
    `INSERT INTO ${history} (${all.map((column) => engine.quoteIdentifier(column.name)).join(', ')})
     SELECT ${names}, CAST($1 AS ${session.typeSql('TIMESTAMP')}), NULL, CAST('insert' AS ${varchar}), CAST($2 AS ${varchar}) FROM ${landing}`,
    [start.startedAt, formatLsn(start.lsn)],
  );
  await indexKey(session, engine, historyRelation(table.asset), table.key);
}

/**
 * Indexes `relation` on `key` where the engine profits from it: PostgreSQL would otherwise scan
 * the whole table for every batch's keys. DuckDB joins by hash and needs none.
 *
 * @example
 * ```ts
 * await indexKey(session, engine, landingRelation('orders'), ['id']);
 * ```
 */
export async function indexKey(session: EngineSession, engine: EngineAdapter, relation: RelationRef, key: readonly string[]): Promise<void> {
  if (engine.kind !== 'postgres') return;
  // Index names share the table's schema; a table's own name keeps them apart (truncated to PostgreSQL's 63 bytes).
  const name = `${relation.name.slice(0, 54)}__key`;
  await session.execute(`CREATE INDEX IF NOT EXISTS ${engine.quoteIdentifier(name)} ON ${engine.quoteRelation(relation)} (${key.map((column) => engine.quoteIdentifier(column)).join(', ')})`);
}

/**
 * Adds `added` columns to the landing (and history) table and records them, in one transaction:
 * columns added to the source table after the initial load.
 *
 * @example
 * ```ts
 * await addColumns(engine, { asset: 'orders' }, position, [{ name: 'note', type: 'VARCHAR', nullable: true }]);
 * ```
 */
export async function addColumns(engine: EngineAdapter, table: { asset: string }, position: CdcPosition, added: readonly ColumnInfo[]): Promise<CdcPosition> {
  const session = await engine.session();
  try {
    const next = { ...position, columns: [...position.columns, ...added] };
    await session.transaction(async () => {
      const targets = [landingRelation(table.asset), ...(position.history ? [historyRelation(table.asset)] : [])];
      for (const target of targets) {
        for (const column of added) {
          await session.execute(`ALTER TABLE ${engine.quoteRelation(target)} ADD COLUMN ${engine.quoteIdentifier(column.name)} ${session.typeSql(column.type, column.name)}`);
        }
      }
      await saveCdcPosition(session, engine, table.asset, next);
    });
    return next;
  } finally {
    await session.close();
  }
}
