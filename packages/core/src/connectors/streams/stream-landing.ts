/**
 * The landing table of a stream source: every message loaded so far, with its id, and beside it
 * the broker positions the next load resumes after. A micro-batch's rows, dead letters and
 * positions are written in ONE warehouse transaction, and the broker is acknowledged only after
 * it commits. A crash before the commit loses nothing (the broker delivers the batch again); a
 * crash between the commit and the acknowledgement duplicates nothing (redelivered ids are found
 * in the landing table or the dead letters and skipped).
 */
import type { ColumnInfo, EngineAdapter, EngineSession, RelationRef, Row } from '../../engines/engine-adapter.js';
import { appendDeadLetters, DEAD_LETTERS, ensureDeadLetterTable, INGEST_SCHEMA, markReplayed } from '../records/dead-letters.js';
import { evolveTable } from '../records/evolve-table.js';
import type { ShapedBatch } from '../records/shape-records.js';

/** Columns Weir adds to every landed message; no flattened field name can take them (see `columnName`). */
export const MESSAGE_COLUMNS: ColumnInfo[] = [
  { name: '_weir_message_id', type: 'VARCHAR', nullable: false },
  { name: '_weir_subject', type: 'VARCHAR', nullable: true },
  { name: '_weir_loaded_at', type: 'TIMESTAMP', nullable: false },
];

/** The landing table of `asset`. */
export function landingRelation(asset: string): RelationRef {
  return { schema: INGEST_SCHEMA, name: `${asset}__landing` };
}

/** The positions table of `asset`. */
export function positionsRelation(asset: string): RelationRef {
  return { schema: INGEST_SCHEMA, name: `${asset}__positions` };
}

/** The data columns of the landing table (undefined before the first message with data). */
export async function landedColumns(engine: EngineAdapter, asset: string): Promise<ColumnInfo[] | undefined> {
  const columns = (await engine.describe(landingRelation(asset)))?.filter((column) => !MESSAGE_COLUMNS.some((meta) => meta.name === column.name));
  return columns === undefined || columns.length === 0 ? undefined : columns;
}

/**
 * Creates the landing table with only Weir's message columns if it does not exist, so that a
 * stream with no message yet still has a (empty) table to publish; the first batch adds its columns.
 */
export async function ensureLanding(engine: EngineAdapter, asset: string): Promise<void> {
  if ((await engine.describe(landingRelation(asset))) !== undefined) return;
  const session = await engine.session();
  try {
    await session.execute(`CREATE SCHEMA IF NOT EXISTS ${engine.quoteIdentifier(INGEST_SCHEMA)}`);
    const columns = MESSAGE_COLUMNS.map((column) => `${engine.quoteIdentifier(column.name)} ${session.typeSql(column.type, column.name)}`).join(', ');
    await session.execute(`CREATE TABLE IF NOT EXISTS ${engine.quoteRelation(landingRelation(asset))} (${columns})`);
  } finally {
    await session.close();
  }
}

/**
 * The last stored position of each partition: where a position-based broker resumes.
 *
 * @example
 * ```ts
 * await connector.open(await storedPositions(engine, 'raw_events'));
 * ```
 */
export async function storedPositions(engine: EngineAdapter, asset: string): Promise<Map<string, string>> {
  const relation = positionsRelation(asset);
  if ((await engine.describe(relation)) === undefined) return new Map();
  const session = await engine.session();
  try {
    const rows = await session.query(`SELECT partition_key, position FROM ${engine.quoteRelation(relation)}`);
    return new Map(rows.map((row) => [String(row.partition_key), String(row.position)]));
  } finally {
    await session.close();
  }
}

/** What writing a batch did. */
export interface LandedBatch {
  /** Rows added to the landing table. */
  landed: number;
  /** Records set aside as dead letters. */
  deadLettered: number;
  /** Records skipped because an earlier batch already stored them (redeliveries). */
  duplicates: number;
}

/**
 * Writes `batch` (fitted by `shapeRecords`) and `positions` for `asset` in one transaction.
 *
 * @example
 * ```ts
 * const result = await landBatch(engine, { asset: 'raw_events', runId, batch, subjects, positions: positionsOf(messages) });
 * await connector.acknowledge(messages); // only now
 * ```
 */
export async function landBatch(
  engine: EngineAdapter,
  request: {
    asset: string;
    runId: string;
    batch: ShapedBatch;
    subjects: ReadonlyMap<string, string>;
    positions: ReadonlyMap<string, string>;
    /** Replaying dead letters: their ids are in the dead letters by definition; those that land are marked replayed, the others stay as they are. */
    replay?: boolean;
  },
): Promise<LandedBatch> {
  const { asset, runId, batch, subjects, positions, replay = false } = request;
  const landing = landingRelation(asset);
  const session = await engine.session();
  try {
    return await session.transaction(async () => {
      await ensureTables(session, engine, asset, batch);
      const ids = [...new Set([...batch.rows.map((row) => row.id), ...batch.rejected.map((record) => record.id)])];
      const stored = await alreadyStored(session, engine, asset, ids, !replay);
      const seen = new Set(stored);
      const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
      const rows: Row[] = [];
      for (const { id, row } of batch.rows) {
        if (seen.has(id)) continue;
        seen.add(id);
        rows.push({ ...row, _weir_message_id: id, _weir_subject: subjects.get(id) ?? null, _weir_loaded_at: now });
      }
      // A discarded value is a dead letter of a record that also landed: both are new or neither is.
      const rejected = [];
      const setAside = new Set(stored);
      for (const record of batch.rejected) {
        if (setAside.has(record.id)) continue;
        setAside.add(record.id);
        rejected.push(record);
      }
      await session.appendRows(landing, [...batch.columns, ...MESSAGE_COLUMNS], rows);
      if (replay) {
        await markReplayed(session, engine, asset, rows.map((row) => String(row._weir_message_id)));
        return { landed: rows.length, deadLettered: batch.rejected.length, duplicates: batch.rows.length - rows.length };
      }
      await appendDeadLetters(session, engine, asset, runId, rejected);
      await savePositions(session, engine, asset, positions);
      const total = batch.rows.length + batch.rejected.filter((record) => record.disposition === 'rejected').length;
      const deadLettered = rejected.filter((record) => record.disposition === 'rejected').length;
      return { landed: rows.length, deadLettered, duplicates: total - rows.length - deadLettered };
    });
  } finally {
    await session.close();
  }
}

async function ensureTables(session: EngineSession, engine: EngineAdapter, asset: string, batch: ShapedBatch): Promise<void> {
  await session.execute(`CREATE SCHEMA IF NOT EXISTS ${engine.quoteIdentifier(INGEST_SCHEMA)}`);
  await ensureDeadLetterTable(session, engine);
  const existing = await session.query('SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2', [INGEST_SCHEMA, `${asset}__landing`]);
  await evolveTable(session, engine, landingRelation(asset), { exists: existing.length > 0, columns: [...batch.columns, ...MESSAGE_COLUMNS], changes: batch });
  await session.execute(`CREATE TABLE IF NOT EXISTS ${engine.quoteRelation(positionsRelation(asset))} (partition_key ${session.typeSql('VARCHAR')}, position ${session.typeSql('VARCHAR')})`);
}

/** The ids among `ids` already in the landing table or the dead letters of `asset`. */
async function alreadyStored(session: EngineSession, engine: EngineAdapter, asset: string, ids: readonly string[], withDeadLetters: boolean): Promise<Set<string>> {
  const found = new Set<string>();
  for (let start = 0; start < ids.length; start += 1000) {
    const chunk = ids.slice(start, start + 1000);
    const list = chunk.map((_, index) => `$${index + 1}`).join(', ');
    const landed = `SELECT _weir_message_id AS id FROM ${engine.quoteRelation(landingRelation(asset))} WHERE _weir_message_id IN (${list})`;
    const setAside = `SELECT record_id AS id FROM ${engine.quoteRelation(DEAD_LETTERS)} WHERE asset = $${chunk.length + 1} AND record_id IN (${list})`;
    const rows = withDeadLetters ? await session.query(`${landed} UNION ALL ${setAside}`, [...chunk, asset]) : await session.query(landed, chunk);
    for (const row of rows) found.add(String(row.id));
  }
  return found;
}

async function savePositions(session: EngineSession, engine: EngineAdapter, asset: string, positions: ReadonlyMap<string, string>): Promise<void> {
  if (positions.size === 0) return;
  const relation = positionsRelation(asset);
  const keys = [...positions.keys()];
  await session.execute(`DELETE FROM ${engine.quoteRelation(relation)} WHERE partition_key IN (${keys.map((_, index) => `$${index + 1}`).join(', ')})`, keys);
  await session.appendRows(
    relation,
    [
      { name: 'partition_key', type: 'VARCHAR', nullable: false },
      { name: 'position', type: 'VARCHAR', nullable: false },
    ],
    [...positions].map(([partition_key, position]) => ({ partition_key, position })),
  );
}
