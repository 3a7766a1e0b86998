/**
 * A CDC table's step in a run: the first time, copy the table (after creating the slot, so no
 * change falls between the copy and the slot); afterwards, apply the changes the slot holds, batch
 * by batch (warehouse commit first, slot advance second). Then the new version is built as a copy
 * of the landing table, checked and published like every other asset.
 *
 * Why the copy and the changes converge: the slot exists before the COPY starts, so every change
 * the copy misses is in the slot. Some changes in the slot are also in the copy already (they
 * committed after the slot was created but before the COPY's snapshot). Applying a change is
 * idempotent by key (insert and update replace the key's row, delete removes it if present) and
 * changes are applied in commit order, so once the slot's changes up to the COPY's snapshot are
 * applied, every key holds what the source held at that snapshot, and from there on what it holds.
 */
import type { EngineAdapter, RelationRef } from '../../engines/engine-adapter.js';
import { WeirError } from '../../errors/weir-error.js';
import { expandEnvironment } from '../../project/env-interpolation.js';
import type { ChangeDataCapture, DatabaseSourceAsset } from '../../project/project-model.js';
import { openConnector } from '../open-connector.js';
import { INGEST_SCHEMA } from '../records/dead-letters.js';
import { landingRelation, positionsRelation } from '../streams/stream-landing.js';
import { applyChanges, RESERVED_COLUMNS, type CdcWarehouseTable } from './apply-changes.js';
import { addColumns, HISTORY_COLUMNS, historyRelation, indexKey, readCdcPosition, saveCdcPosition, startHistory, type CdcPosition } from './cdc-landing.js';
import { formatLsn } from './pgoutput-parser.js';
import { openPostgresCdcSource, type PostgresCdcSource } from './postgres-cdc-source.js';

/** Where the step writes and how it reports. */
export interface CdcTableTarget {
  engine: EngineAdapter;
  physical: RelationRef;
  runId: string;
  signal?: AbortSignal;
  /** Row changes applied so far (or rows copied, for the initial load), after each batch. */
  onProgress?: (progress: CdcProgress) => void;
  /** Messages peeked per batch (default 20 000; whole transactions, so a batch may be larger). */
  maxMessages?: number;
  env?: Record<string, string | undefined>;
}

/** What a load did. */
export interface CdcProgress {
  /** Rows copied by the initial load (0 when there was none this run). */
  copied: number;
  transactions: number;
  changes: number;
  /** Transactions peeked again that the warehouse already had (after a crash before the slot's advance). */
  skipped: number;
  batches: number;
  /** The position the landing table is at (`16/B374D848`). */
  lsn: string;
}

/**
 * Brings `asset`'s landing table up to the source (initial copy, then changes) and builds
 * `target.physical` from it.
 *
 * @example
 * ```ts
 * const progress = await loadCdcTable(asset, { engine, physical, runId });
 * console.log(`${progress.changes} change(s) in ${progress.transactions} transaction(s)`);
 * ```
 */
export async function loadCdcTable(asset: DatabaseSourceAsset, target: CdcTableTarget): Promise<CdcProgress> {
  const { engine, physical, signal } = target;
  const cdc = cdcOf(asset);
  const source = await openPostgresCdcSource({ url: sourceUrl(asset, target.env ?? process.env), table: asset.from, slot: cdc.slot, publication: cdc.publication });
  try {
    const reserved = [...RESERVED_COLUMNS, ...(cdc.history ? HISTORY_COLUMNS.map((column) => column.name) : [])];
    const clash = source.table.columns.find((column) => reserved.includes(column.name));
    if (clash !== undefined) {
      throw new WeirError('CONFIG_INVALID', `${asset.name}: the source column "${clash.name}" has a name change data capture uses for its own bookkeeping`, {
        location: { file: asset.file, line: asset.line },
        hint: cdc.history && HISTORY_COLUMNS.some((column) => column.name === clash.name) ? 'turn history off, or rename the column in the source' : 'rename the column in the source',
      });
    }
    await source.ensurePublication();
    const progress: CdcProgress = { copied: 0, transactions: 0, changes: 0, skipped: 0, batches: 0, lsn: '' };
    let position = await readCdcPosition(engine, asset.name);
    if (position === undefined) {
      position = await initialLoad(asset, source, target, cdc);
      progress.copied = await engine.rowCount(landingRelation(asset.name));
      target.onProgress?.(progress);
    } else {
      position = await prepare(asset, source, engine, cdc, position);
    }
    const recovery = `change the source column's type (a numeric with a declared precision maps to an exact DECIMAL, an unconstrained one to DOUBLE), then ${reloadHint(asset.name)}`;
    const table: CdcWarehouseTable = { asset: asset.name, columns: position.columns, key: source.table.key, wholeRowKey: source.table.wholeRowKey, history: cdc.history, recovery };
    // Changes committed after the run started wait for the next run: a busy source never keeps a run going forever.
    const until = await source.currentLsn();
    let previous = -1n;
    for (;;) {
      signal?.throwIfAborted();
      const peeked = await source.peek(target.maxMessages ?? 20_000, until);
      const last = peeked.transactions[peeked.transactions.length - 1]?.endLsn;
      // Nothing more, or (never expected) the slot handing out the same transactions again.
      if (last === undefined || last === previous) break;
      previous = last;
      const applied = await applyChanges(engine, table, peeked.transactions, position.lsn);
      // Only now: a crash before this line leaves the batch in the slot, and the next run skips it by LSN.
      await source.advance(applied.lsn > last ? applied.lsn : last);
      position = { ...position, lsn: applied.lsn };
      progress.transactions += applied.transactions;
      progress.changes += applied.changes;
      progress.skipped += applied.skipped;
      progress.batches += 1;
      target.onProgress?.(progress);
    }
    progress.lsn = formatLsn(position.lsn);
    const list = position.columns.map((column) => engine.quoteIdentifier(column.name)).join(', ');
    await engine.createTableAs(physical, `SELECT ${list} FROM ${engine.quoteRelation(landingRelation(asset.name))}`, undefined, signal);
    return progress;
  } finally {
    await source.close();
  }
}

/**
 * The first load: the slot first (its changes start where the copy cannot have missed any), then
 * the COPY into the landing table, then (one transaction) the history's first rows and the
 * position. A crash before that transaction leaves no position: the next run copies again from the
 * same slot, which still holds every change since it was created.
 */
async function initialLoad(asset: DatabaseSourceAsset, source: PostgresCdcSource, target: CdcTableTarget, cdc: ChangeDataCapture): Promise<CdcPosition> {
  const { engine, signal } = target;
  const existing = await source.slot();
  const start = existing === undefined ? await source.createSlot() : { lsn: existing.confirmedFlushLsn, startedAt: await source.clock() };
  const columns = source.table.columns;
  const connector = await openConnector(asset, target.env ?? process.env);
  try {
    await engine.createSchema(INGEST_SCHEMA);
    await engine.loadCsvStream(landingRelation(asset.name), columns, await connector.readCsv({ from: asset.from }, columns), signal);
  } finally {
    await connector.close();
  }
  const position = { lsn: start.lsn, columns, history: cdc.history };
  const session = await engine.session();
  try {
    await session.transaction(async () => {
      await indexKey(session, engine, landingRelation(asset.name), source.table.key);
      if (cdc.history) await startHistory(session, engine, { asset: asset.name, columns, key: source.table.key }, start);
      await saveCdcPosition(session, engine, asset.name, position);
    });
  } finally {
    await session.close();
  }
  return position;
}

/**
 * Before applying changes: the slot must still hold everything after the stored position, columns
 * added to the source are added to the warehouse tables, and a history turned on later starts
 * from the landing table as it is.
 */
async function prepare(asset: DatabaseSourceAsset, source: PostgresCdcSource, engine: EngineAdapter, cdc: ChangeDataCapture, stored: CdcPosition): Promise<CdcPosition> {
  const reload = reloadHint(asset.name);
  const slot = await source.slot();
  if (slot === undefined) {
    throw new WeirError('SOURCE_READ_FAILED', `${asset.name}: the replication slot ${cdc.slot} no longer exists on the source, so the changes since ${formatLsn(stored.lsn)} are lost`, { hint: reload });
  }
  if (slot.confirmedFlushLsn > stored.lsn) {
    throw new WeirError('SOURCE_READ_FAILED', `${asset.name}: the replication slot ${cdc.slot} was advanced to ${formatLsn(slot.confirmedFlushLsn)}, past the warehouse's ${formatLsn(stored.lsn)}: changes in between are lost`, {
      hint: `another consumer or project may use the slot (give each its own under cdc: { slot }); ${reload}`,
    });
  }
  const known = new Map(stored.columns.map((column) => [column.name, column]));
  const changed = source.table.columns.find((column) => known.has(column.name) && known.get(column.name)!.type !== column.type);
  if (changed !== undefined) {
    throw new WeirError('SOURCE_READ_FAILED', `${asset.name}: the source column "${changed.name}" changed type from ${known.get(changed.name)!.type} to ${changed.type} since the table was copied`, { hint: reload });
  }
  // A history left behind while history was off (or dropped) misses changes: it starts again.
  const current = stored.history && (await engine.describe(historyRelation(asset.name))) !== undefined;
  const added = source.table.columns.filter((column) => !known.has(column.name));
  const position = added.length === 0 ? { ...stored, history: current } : await addColumns(engine, { asset: asset.name }, { ...stored, history: current }, added);
  if (!cdc.history || current) return position;
  const session = await engine.session();
  try {
    const startedAt = await source.clock();
    const started = { ...position, history: true };
    await session.transaction(async () => {
      await startHistory(session, engine, { asset: asset.name, columns: position.columns, key: source.table.key }, { startedAt, lsn: position.lsn });
      await saveCdcPosition(session, engine, asset.name, started);
    });
    return started;
  } finally {
    await session.close();
  }
}

/** How to make the next run copy the table again. */
function reloadHint(asset: string): string {
  const positions = positionsRelation(asset);
  return `to copy the table again, drop the warehouse table ${positions.schema}.${positions.name} (the history, if any, starts again)`;
}

function cdcOf(asset: DatabaseSourceAsset): ChangeDataCapture {
  if (asset.cdc === undefined) throw new WeirError('INTERNAL', `${asset.name} is not a change data capture table`);
  if (asset.connection.type !== 'postgres') throw new WeirError('CONFIG_INVALID', `${asset.name}: CDC is PostgreSQL only for now`, { location: { file: asset.file, line: asset.line } });
  return asset.cdc;
}

/** The connection URL with its `${ENV}` references resolved (as `openConnector` does): read now, never stored. */
function sourceUrl(asset: DatabaseSourceAsset, env: Record<string, string | undefined>): string {
  const { value, missing, malformed } = expandEnvironment(asset.connection.url, env);
  const location = { file: asset.file, line: asset.line };
  if (malformed.length > 0) throw new WeirError('CONFIG_INVALID', `${asset.name}: "\${${malformed[0]}}" in the connection URL is not a valid environment variable reference`, { location });
  if (missing.length > 0) {
    throw new WeirError('CONFIG_INVALID', `${asset.name}: environment variable "${missing[0]}" (in the connection URL) is not set`, { location, hint: `set ${missing[0]} in the environment that runs weir` });
  }
  return value;
}
