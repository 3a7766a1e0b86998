/**
 * `weir deadletter replay`: sending a stream table's set-aside records through the loader again,
 * typically after the schema policy was relaxed or the table was fixed. Records that fit now land
 * and are marked replayed in the same transaction (so a replay killed half-way repeats nothing);
 * those that still do not fit stay dead letters, untouched.
 */
import type { EngineAdapter } from '../../engines/engine-adapter.js';
import type { StreamSourceAsset } from '../../project/project-model.js';
import { listDeadLetters } from '../records/dead-letters.js';
import { parsePayload, shapeRecords } from '../records/shape-records.js';
import { ensureLanding, StreamLanding } from './stream-landing.js';

/** What a replay did. */
export interface ReplayResult {
  /** Records that landed now. */
  replayed: number;
  /** Records that still do not fit and stay dead letters. */
  stillRejected: number;
}

/**
 * Replays the dead letters of `asset` (the whole records set aside, not discarded values, whose
 * records landed already) under its current schema policy, 1000 at a time.
 *
 * @example
 * ```ts
 * const { replayed } = await replayDeadLetters(engine, asset, runId);
 * ```
 */
export async function replayDeadLetters(engine: EngineAdapter, asset: StreamSourceAsset, runId: string): Promise<ReplayResult> {
  await ensureLanding(engine, asset.name);
  const letters = (await listDeadLetters(engine, { asset: asset.name })).filter((letter) => letter.disposition === 'rejected');
  const result: ReplayResult = { replayed: 0, stillRejected: 0 };
  const landing = await StreamLanding.open(engine, asset.name);
  for (let start = 0; start < letters.length; start += 1000) {
    const incoming = letters.slice(start, start + 1000).map((letter) => parsePayload(letter.recordId, letter.payload));
    // Under freeze a misfit fails the batch; a replay should land what fits and keep the rest.
    const policy = asset.schemaPolicy === 'freeze' ? 'discard_row' : asset.schemaPolicy;
    const landed = await landing.land({ runId, shape: (columns) => shapeRecords(incoming, columns, policy, asset.name), subjects: new Map(), positions: new Map(), replay: true });
    result.replayed += landed.landed;
    result.stillRejected += incoming.length - landed.landed;
  }
  return result;
}
