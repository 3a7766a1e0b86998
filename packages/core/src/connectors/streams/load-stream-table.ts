/**
 * A stream table's step in a run: consume what the broker holds into the landing table (exactly
 * once, see `ingest-stream.ts`), then build the new version as a copy of the landing table, which
 * the run checks and publishes like any other. The landing table keeps the stream's place; a
 * version that fails its checks is not published, and the messages stay landed for the next one.
 */
import type { EngineAdapter, RelationRef } from '../../engines/engine-adapter.js';
import type { StreamSourceAsset } from '../../project/project-model.js';
import { ingestStream, type StreamProgress } from './ingest-stream.js';
import { openStreamConnector } from './open-stream-connector.js';
import { WeirError } from '../../errors/weir-error.js';
import { ensureLanding, landedColumns, landingRelation, MESSAGE_COLUMNS } from './stream-landing.js';

/** Where the step writes and how it reports. */
export interface StreamTableTarget {
  engine: EngineAdapter;
  physical: RelationRef;
  runId: string;
  signal?: AbortSignal;
  /** Messages consumed so far, after each batch. */
  onProgress?: (progress: StreamProgress) => void;
}

/**
 * Drains `asset`'s stream into its landing table and builds `target.physical` from it.
 *
 * @example
 * ```ts
 * const totals = await loadStreamTable(asset, { engine, physical, runId });
 * ```
 */
export async function loadStreamTable(asset: StreamSourceAsset, target: StreamTableTarget): Promise<StreamProgress> {
  const { engine, physical, runId, signal, onProgress } = target;
  await ensureLanding(engine, asset.name);
  const totals = await ingestStream(engine, openStreamConnector(asset), {
    asset: asset.name,
    runId,
    policy: asset.schemaPolicy,
    ...(asset.idField === undefined ? {} : { idField: asset.idField }),
    maxMessages: asset.batch.maxMessages,
    maxWaitMs: asset.batch.maxWaitMs,
    mode: 'drain',
    ...(asset.batch.maxMessagesPerRun === undefined ? {} : { maxMessagesPerLoad: asset.batch.maxMessagesPerRun }),
    ...(signal === undefined ? {} : { signal }),
    ...(onProgress === undefined ? {} : { onBatch: onProgress }),
  });
  if ((await landedColumns(engine, asset.name)) === undefined) {
    // Checks name the messages' fields; a table of only Weir's bookkeeping columns has none of them.
    throw new WeirError('SOURCE_READ_FAILED', `${asset.name}: no message with data has arrived from the ${asset.connection.type} source yet, so there is no table to publish`, {
      location: { file: asset.file, line: asset.line },
      hint: 'publish a message to it and run again (nothing was lost: the stream is read from where it stands)',
    });
  }
  // The message's own fields first, Weir's bookkeeping columns last, whatever order they were added in.
  const columns = (await engine.describe(landingRelation(asset.name))) ?? [];
  const ordered = [...columns.filter((column) => !isMessageColumn(column.name)), ...columns.filter((column) => isMessageColumn(column.name))];
  const list = ordered.map((column) => engine.quoteIdentifier(column.name)).join(', ');
  await engine.createTableAs(physical, `SELECT ${list} FROM ${engine.quoteRelation(landingRelation(asset.name))}`, undefined, signal);
  return totals;
}

function isMessageColumn(name: string): boolean {
  return MESSAGE_COLUMNS.some((column) => column.name === name);
}
