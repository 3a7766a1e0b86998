/**
 * The dead-letter table: every record a load set aside (a malformed message, a record the schema
 * policy rejected, values it discarded), with its raw payload, the reason and the run. It lives in
 * the warehouse beside the loaded data so that a batch's rows, its dead letters and its source
 * position are committed together: nothing is dropped silently, nothing is set aside twice.
 */
import type { ColumnInfo, EngineAdapter, EngineSession, RelationRef, Row } from '../../engines/engine-adapter.js';
import type { RejectedRecord } from './shape-records.js';

/** The warehouse schema of ingestion's own tables (landing tables, positions, dead letters). */
export const INGEST_SCHEMA = 'weir_ingest';

/** The dead-letter table. */
export const DEAD_LETTERS: RelationRef = { schema: INGEST_SCHEMA, name: 'dead_letters' };

const COLUMNS: ColumnInfo[] = [
  { name: 'asset', type: 'VARCHAR', nullable: false },
  { name: 'record_id', type: 'VARCHAR', nullable: false },
  { name: 'run_id', type: 'VARCHAR', nullable: false },
  { name: 'set_aside_at', type: 'TIMESTAMP', nullable: false },
  { name: 'disposition', type: 'VARCHAR', nullable: false },
  { name: 'error', type: 'VARCHAR', nullable: false },
  { name: 'payload', type: 'VARCHAR', nullable: false },
  { name: 'replayed_at', type: 'TIMESTAMP', nullable: true },
];

/** A dead letter as read back. */
export interface DeadLetter {
  asset: string;
  recordId: string;
  runId: string;
  setAsideAt: string;
  disposition: 'rejected' | 'value_discarded';
  error: string;
  payload: string;
  replayedAt: string | null;
}

/** Creates the schema and the dead-letter table if they are missing (in the caller's transaction). */
export async function ensureDeadLetterTable(session: EngineSession, engine: EngineAdapter): Promise<void> {
  await session.execute(`CREATE SCHEMA IF NOT EXISTS ${engine.quoteIdentifier(INGEST_SCHEMA)}`);
  const columns = COLUMNS.map((column) => `${engine.quoteIdentifier(column.name)} ${session.typeSql(column.type)}`).join(', ');
  await session.execute(`CREATE TABLE IF NOT EXISTS ${engine.quoteRelation(DEAD_LETTERS)} (${columns})`);
}

/**
 * Appends `rejected` records of `asset` to the dead letters, in the caller's transaction.
 *
 * @example
 * ```ts
 * await session.transaction(() => appendDeadLetters(session, engine, 'raw_events', runId, batch.rejected));
 * ```
 */
export async function appendDeadLetters(session: EngineSession, engine: EngineAdapter, asset: string, runId: string, rejected: readonly RejectedRecord[]): Promise<void> {
  if (rejected.length === 0) return;
  await ensureDeadLetterTable(session, engine);
  const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
  const rows: Row[] = rejected.map((record) => ({
    asset,
    record_id: record.id,
    run_id: runId,
    set_aside_at: now,
    disposition: record.disposition,
    error: record.error,
    payload: record.payload,
    replayed_at: null,
  }));
  await session.appendRows(DEAD_LETTERS, COLUMNS, rows);
}

/**
 * The dead letters of `asset` (every asset when undefined), oldest first; replayed ones only when
 * asked.
 *
 * @example
 * ```ts
 * const letters = await listDeadLetters(engine, { asset: 'raw_events' });
 * ```
 */
export async function listDeadLetters(engine: EngineAdapter, filter: { asset?: string; includeReplayed?: boolean; limit?: number }): Promise<DeadLetter[]> {
  const session = await engine.session();
  try {
    if (!(await tableExists(session))) return [];
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (filter.asset !== undefined) {
      params.push(filter.asset);
      conditions.push(`asset = $${params.length}`);
    }
    if (filter.includeReplayed !== true) conditions.push('replayed_at IS NULL');
    const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
    const limit = filter.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
    const rows = await session.query(
      `SELECT asset, record_id, run_id, CAST(set_aside_at AS VARCHAR) AS set_aside_at, disposition, error, payload, CAST(replayed_at AS VARCHAR) AS replayed_at FROM ${engine.quoteRelation(DEAD_LETTERS)}${where} ORDER BY set_aside_at, record_id${limit}`,
      params,
    );
    return rows.map((row) => ({
      asset: String(row.asset),
      recordId: String(row.record_id),
      runId: String(row.run_id),
      setAsideAt: String(row.set_aside_at),
      disposition: row.disposition === 'value_discarded' ? 'value_discarded' : 'rejected',
      error: String(row.error),
      payload: String(row.payload),
      replayedAt: row.replayed_at === null || row.replayed_at === undefined ? null : String(row.replayed_at),
    }));
  } finally {
    await session.close();
  }
}

/** Marks dead letters of `asset` as replayed, in the caller's transaction. */
export async function markReplayed(session: EngineSession, engine: EngineAdapter, asset: string, recordIds: readonly string[]): Promise<void> {
  const placeholder = (index: number) => `$${index}`;
  for (let start = 0; start < recordIds.length; start += 500) {
    const chunk = recordIds.slice(start, start + 500);
    const list = chunk.map((_, index) => placeholder(index + 3)).join(', ');
    await session.execute(
      `UPDATE ${engine.quoteRelation(DEAD_LETTERS)} SET replayed_at = CAST(${placeholder(1)} AS TIMESTAMP) WHERE asset = ${placeholder(2)} AND replayed_at IS NULL AND record_id IN (${list})`,
      [new Date().toISOString().replace('T', ' ').replace('Z', ''), asset, ...chunk],
    );
  }
}

async function tableExists(session: EngineSession): Promise<boolean> {
  const rows = await session.query('SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [DEAD_LETTERS.schema, DEAD_LETTERS.name]);
  return Number(rows[0]?.n ?? 0) > 0;
}
