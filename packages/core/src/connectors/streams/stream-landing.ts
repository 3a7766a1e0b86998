/**
 * The landing table of a stream source: every message loaded so far, with its id, and beside it
 * the broker positions the next load resumes after. A micro-batch's rows, dead letters and
 * positions are written in ONE warehouse transaction, and the broker is acknowledged only after
 * it commits. A crash before the commit loses nothing (the broker delivers the batch again); a
 * crash between the commit and the acknowledgement duplicates nothing (redelivered ids are found
 * in the landing table or the dead letters and skipped).
 */
import { sameType } from '../../engines/canonical-type-name.js';
import { createHash } from 'node:crypto';
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
  return dataColumns(await engine.describe(landingRelation(asset)));
}

/** `columns` without Weir's message columns; undefined when none is left (or there is no table). */
function dataColumns(columns: readonly ColumnInfo[] | undefined): ColumnInfo[] | undefined {
  const data = columns?.filter((column) => !MESSAGE_COLUMNS.some((meta) => meta.name === column.name));
  return data === undefined || data.length === 0 ? undefined : data;
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

/** One micro-batch for {@link StreamLanding.land}. */
export interface LandingRequest {
  runId: string;
  /**
   * Fits the batch's records to the landing table's data columns (undefined before the first
   * message with data), typically `(columns) => shapeRecords(incoming, columns, policy, asset)`.
   * Called again, inside the transaction, with the table's actual columns when the batch changes
   * the schema and another writer changed the columns meanwhile.
   */
  shape: (columns: ColumnInfo[] | undefined) => ShapedBatch;
  subjects: ReadonlyMap<string, string>;
  positions: ReadonlyMap<string, string>;
  /** Replaying dead letters: their ids are in the dead letters by definition; those that land are marked replayed, the others stay as they are. */
  replay?: boolean;
}

/**
 * The landing table of one asset for the length of a load. Its columns are looked up once, when
 * it is opened, and then kept in step with what the load's own batches add or widen, rather than
 * read from the catalogue for every batch. A batch that changes the schema reads the columns again
 * inside its transaction, and is fitted again if another writer (a dead-letter replay, say)
 * changed them meanwhile; a batch that does not change the schema needs no such check, since rows
 * are appended by column name. After a failed batch the columns are looked up again.
 *
 * @example
 * ```ts
 * const landing = await StreamLanding.open(engine, 'raw_events');
 * for (const messages of batches) {
 *   const incoming = messages.map(toIncoming);
 *   await landing.land({ runId, shape: (columns) => shapeRecords(incoming, columns, 'evolve', 'raw_events'), subjects, positions });
 *   await connector.acknowledge(messages); // only now
 * }
 * ```
 */
export class StreamLanding {
  /** Whether the landing table exists, and its data columns, as of the last lookup or committed batch. */
  private exists: boolean;
  private columns: ColumnInfo[] | undefined;
  /** The schema, the dead letters and the positions table are known to exist. */
  private ensured = false;
  /** A batch failed: what is known of the table may be wrong, so the next batch looks it up again. */
  private stale = false;

  private constructor(
    private readonly engine: EngineAdapter,
    private readonly asset: string,
    described: ColumnInfo[] | undefined,
  ) {
    this.exists = described !== undefined;
    this.columns = dataColumns(described);
  }

  /** Opens the landing table of `asset` (which need not exist yet): one lookup of its columns. */
  static async open(engine: EngineAdapter, asset: string): Promise<StreamLanding> {
    return new StreamLanding(engine, asset, await engine.describe(landingRelation(asset)));
  }

  /**
   * Fits `request`'s batch to the landing table and writes its rows, its dead letters and the
   * positions in one transaction. Rejects (nothing written) when the batch cannot be stored.
   */
  async land(request: LandingRequest): Promise<LandedBatch> {
    try {
      if (this.stale) {
        const described = await this.engine.describe(landingRelation(this.asset));
        this.exists = described !== undefined;
        this.columns = dataColumns(described);
        this.stale = false;
      }
      const { result, batch } = await this.write(request);
      this.ensured = true;
      this.exists = true;
      this.columns = batch.columns.length > 0 ? batch.columns : undefined;
      return result;
    } catch (error) {
      this.stale = true;
      throw error;
    }
  }

  private async write(request: LandingRequest): Promise<{ result: LandedBatch; batch: ShapedBatch }> {
    const { engine, asset } = this;
    const { runId, subjects, positions, replay = false } = request;
    const landing = landingRelation(asset);
    let batch = request.shape(this.columns);
    const session = await engine.session();
    try {
      const result = await session.transaction(async (): Promise<LandedBatch> => {
        if (!this.ensured) await ensureTables(session, engine, asset);
        if (!this.exists || batch.added.length > 0 || batch.widened.length > 0) {
          const current = await describeIn(session, landing);
          const columns = dataColumns(current);
          if ((current !== undefined) !== this.exists || !sameColumns(columns ?? [], this.columns ?? [])) batch = request.shape(columns);
          const exists = current !== undefined;
          if (!exists || batch.added.length > 0 || batch.widened.length > 0) {
            await evolveTable(session, engine, landing, { exists, columns: [...batch.columns, ...MESSAGE_COLUMNS], changes: batch });
          }
        }
        if (!this.ensured) await indexMessageIds(session, engine, asset);
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
      return { result, batch };
    } finally {
      await session.close();
    }
  }
}

/**
 * Writes one `batch` (already fitted by `shapeRecords`) and `positions` for `asset` in one
 * transaction: {@link StreamLanding.land} for a single batch. A load of many batches opens a
 * {@link StreamLanding} once instead, which spares a lookup of the table per batch.
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
    replay?: boolean;
  },
): Promise<LandedBatch> {
  const { asset, batch, ...rest } = request;
  const landing = await StreamLanding.open(engine, asset);
  return await landing.land({ ...rest, shape: () => batch });
}

async function ensureTables(session: EngineSession, engine: EngineAdapter, asset: string): Promise<void> {
  await session.execute(`CREATE SCHEMA IF NOT EXISTS ${engine.quoteIdentifier(INGEST_SCHEMA)}`);
  await ensureDeadLetterTable(session, engine);
  await session.execute(`CREATE TABLE IF NOT EXISTS ${engine.quoteRelation(positionsRelation(asset))} (partition_key ${session.typeSql('VARCHAR')}, position ${session.typeSql('VARCHAR')})`);
}

/**
 * On PostgreSQL, indexes the message ids of the landing table and the dead letters, so telling a
 * redelivered batch from a new one stays a lookup as the tables grow (without them every batch
 * scans both). DuckDB is left as it is: its hash semi join over the column is fast, and an index
 * would slow every append. Once per load; `IF NOT EXISTS` makes it free after the first.
 */
async function indexMessageIds(session: EngineSession, engine: EngineAdapter, asset: string): Promise<void> {
  if (engine.kind !== 'postgres') return;
  // Index names share the schema's namespace and PostgreSQL cuts names at 63 bytes: a hash keeps long asset names apart.
  const suffix = createHash('sha256').update(asset).digest('hex').slice(0, 8);
  const landingIndex = engine.quoteIdentifier(`${asset.slice(0, 40)}_msgid_${suffix}`);
  await session.execute(`CREATE INDEX IF NOT EXISTS ${landingIndex} ON ${engine.quoteRelation(landingRelation(asset))} (_weir_message_id)`);
  await session.execute(`CREATE INDEX IF NOT EXISTS dead_letters_asset_record ON ${engine.quoteRelation(DEAD_LETTERS)} (asset, record_id)`);
}

/** The columns of `relation` as this session's transaction sees them (its own schema changes included), or undefined. */
async function describeIn(session: EngineSession, relation: RelationRef): Promise<ColumnInfo[] | undefined> {
  const rows = await session.query(
    'SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
    [relation.schema, relation.name],
  );
  if (rows.length === 0) return undefined;
  return rows.map((row) => ({ name: String(row.column_name), type: String(row.data_type).toUpperCase(), nullable: row.is_nullable === 'YES' }));
}

/** Same names in the same order, same types (as the engine spells them). */
function sameColumns(a: readonly ColumnInfo[], b: readonly ColumnInfo[]): boolean {
  return a.length === b.length && a.every((column, index) => column.name === b[index]!.name && sameType(column.type, b[index]!.type));
}

/**
 * The ids among `ids` already in the landing table or the dead letters of `asset`: one list
 * parameter (DuckDB binds a JS array as a LIST, pg as an array) unnested into the small side of
 * two semi joins, where `IN ($1, ..., $1000)` cost a thousand bound values twice over.
 */
async function alreadyStored(session: EngineSession, engine: EngineAdapter, asset: string, ids: readonly string[], withDeadLetters: boolean): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const batch = 'WITH batch AS (SELECT unnest(CAST($1 AS VARCHAR[])) AS id)';
  const landed = `SELECT _weir_message_id AS id FROM ${engine.quoteRelation(landingRelation(asset))} WHERE _weir_message_id IN (SELECT id FROM batch)`;
  const setAside = `SELECT record_id AS id FROM ${engine.quoteRelation(DEAD_LETTERS)} WHERE asset = $2 AND record_id IN (SELECT id FROM batch)`;
  const rows = withDeadLetters ? await session.query(`${batch} ${landed} UNION ALL ${setAside}`, [ids, asset]) : await session.query(`${batch} ${landed}`, [ids]);
  return new Set(rows.map((row) => String(row.id)));
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
