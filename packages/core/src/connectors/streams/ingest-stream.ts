/**
 * Consuming a stream source in micro-batches, exactly once: fetch a batch, fit it to the landing
 * table under the schema policy, write rows, dead letters and positions in one transaction, and
 * only then acknowledge the batch to the broker (see `stream-landing.ts` for why that is enough).
 * A batch closes when it holds `maxMessages` or when `maxWaitMs` passed without a message.
 */
import type { EngineAdapter } from '../../engines/engine-adapter.js';
import { parsePayload, shapeRecords, type IncomingRecord, type SchemaPolicy } from '../records/shape-records.js';
import type { StreamConnector, StreamMessage } from './stream-connector.js';
import { StreamLanding, storedPositions } from './stream-landing.js';

/** How a stream table is consumed. */
export interface StreamLoadOptions {
  /** The asset the messages land for. */
  asset: string;
  runId: string;
  policy: SchemaPolicy;
  /** A payload field whose value identifies a message (for brokers whose ids are payload hashes). */
  idField?: string;
  /** A batch closes at this many messages ... */
  maxMessages: number;
  /** ... or when no message came for this long. */
  maxWaitMs: number;
  /**
   * `drain`: stop at the first batch that comes back empty (what a run does: load what is there);
   * `follow`: keep consuming until `signal` aborts.
   */
  mode: 'drain' | 'follow';
  /**
   * Stop after this many messages in `drain` mode. A drain also stops once it has consumed the
   * backlog the broker reported when it started (when the broker can tell), so a run on a busy
   * stream ends.
   */
  maxMessagesPerLoad?: number;
  signal?: AbortSignal;
  /** Called after every committed batch. */
  onBatch?: (progress: StreamProgress) => void;
}

/** Totals after each batch. */
export interface StreamProgress {
  batches: number;
  messages: number;
  landed: number;
  deadLettered: number;
  duplicates: number;
  /** The broker's backlog after the batch, when it can tell. */
  lag: number | null;
}

/**
 * Consumes `connector` into the landing table of `options.asset` until the stream is drained (or,
 * following, until `options.signal` aborts). Resolves with the totals; rejects (with nothing of
 * the failing batch stored or acknowledged) when a batch cannot be written, for example under the
 * `freeze` policy when the records changed shape.
 *
 * @example
 * ```ts
 * const totals = await ingestStream(engine, connector, { asset: 'raw_events', runId, policy: 'evolve', maxMessages: 1000, maxWaitMs: 1000, mode: 'drain' });
 * ```
 */
export async function ingestStream(engine: EngineAdapter, connector: StreamConnector, options: StreamLoadOptions): Promise<StreamProgress> {
  const totals: StreamProgress = { batches: 0, messages: 0, landed: 0, deadLettered: 0, duplicates: 0, lag: null };
  await connector.open(await storedPositions(engine, options.asset));
  try {
    // The landing table's columns are looked up once per load, not once per batch.
    const landing = await StreamLanding.open(engine, options.asset);
    // A run loads what was waiting when it started: on a busy stream "until a batch comes back
    // empty" may never come, and the rest is the next run's (it stays in the broker, unacknowledged).
    const backlog = options.mode === 'drain' ? await connector.lag().catch(() => null) : null;
    const limit = Math.min(options.maxMessagesPerLoad ?? Number.POSITIVE_INFINITY, backlog === null ? Number.POSITIVE_INFINITY : Math.max(backlog, options.maxMessages));
    while (!options.signal?.aborted) {
      const room = options.mode === 'drain' ? limit - totals.messages : options.maxMessages;
      if (room <= 0) break;
      const messages = await connector.fetch(Math.min(room, options.maxMessages), options.maxWaitMs);
      if (messages.length === 0) {
        if (options.mode === 'drain') break;
        continue;
      }
      const incoming = messages.map((message) => toIncoming(message, options.idField));
      const subjects = new Map(incoming.map((record, index) => [record.id, messages[index]!.subject]));
      const result = await landing.land({
        runId: options.runId,
        shape: (columns) => shapeRecords(incoming, columns, options.policy, options.asset),
        subjects,
        positions: lastPositions(messages),
      });
      await connector.acknowledge(messages);
      totals.batches += 1;
      totals.messages += messages.length;
      totals.landed += result.landed;
      totals.deadLettered += result.deadLettered;
      totals.duplicates += result.duplicates;
      totals.lag = await connector.lag().catch(() => null);
      options.onBatch?.({ ...totals });
    }
  } finally {
    await connector.close();
  }
  return totals;
}

/** A message as a record; with `idField`, the payload's own id (when it has one) names it. */
function toIncoming(message: StreamMessage, idField: string | undefined): IncomingRecord {
  const incoming = parsePayload(message.id, message.payload.toString('utf8'));
  if (idField === undefined || incoming.record === undefined) return incoming;
  const own = incoming.record[idField];
  return own === undefined || own === null || typeof own === 'object' ? incoming : { ...incoming, id: `${idField}:${String(own)}` };
}

function lastPositions(messages: readonly StreamMessage[]): Map<string, string> {
  const positions = new Map<string, string>();
  for (const message of messages) if (message.partition !== undefined && message.position !== undefined) positions.set(message.partition, message.position);
  return positions;
}
