/**
 * An HTTP API table's step in a run: read every page (past the high-water mark for incremental
 * tables), fit the records to the table under the schema policy, stage them, and build the new
 * version (a copy of the version it extends with the staged records merged by key, or appended):
 * the staging and the version are `records/stage-records.ts`'s, shared with TypeScript sources.
 * Nothing is published until every page has arrived, so a load that fails or is killed part-way
 * publishes nothing, and the next load asks for the same pages again: no page is loaded twice.
 */
import type { EngineAdapter, RelationRef } from '../../engines/engine-adapter.js';
import { WeirError } from '../../errors/weir-error.js';
import type { HttpSourceAsset } from '../../project/project-model.js';
import { loadRecordTable, toIncomingRecords } from '../records/stage-records.js';
import { fetchHttpPages } from './fetch-http-pages.js';

/** Where the load writes and how it reports. */
export interface HttpTableTarget {
  engine: EngineAdapter;
  physical: RelationRef;
  /** The version an incremental load extends, or null. */
  basedOn: RelationRef | null;
  runId: string;
  signal?: AbortSignal;
  log?: (message: string) => void;
  /** Records read so far. */
  onProgress?: (records: number) => void;
  env?: Record<string, string | undefined>;
}

/** What a load did. */
export interface HttpLoadResult {
  pages: number;
  records: number;
  deadLettered: number;
  /** The largest cursor value now loaded (incremental tables), as sent in the next request. */
  highWaterMark: string | null;
}

/**
 * Loads `asset` into `target.physical`.
 *
 * @example
 * ```ts
 * const result = await loadHttpTable(asset, { engine, physical, basedOn: null, runId });
 * ```
 */
export async function loadHttpTable(asset: HttpSourceAsset, target: HttpTableTarget): Promise<HttpLoadResult> {
  const spec = {
    asset: asset.name,
    schemaPolicy: asset.schemaPolicy,
    primaryKey: asset.primaryKey,
    ...(asset.request.incremental === undefined ? {} : { cursor: asset.request.incremental.cursor }),
    noRecords: () =>
      new WeirError('SOURCE_READ_FAILED', `${asset.name}: the API returned no records, so there are no columns to make a table of`, {
        location: asset.request.location,
        hint: 'check the URL, the "records" path and the filters; the first load needs at least one record',
      }),
  };
  const loaded = await loadRecordTable(spec, target, async (staging) => {
    const pages = fetchHttpPages(asset.request, {
      highWaterMark: staging.highWaterMark,
      ...(target.signal === undefined ? {} : { signal: target.signal }),
      ...(target.log === undefined ? {} : { log: target.log }),
      ...(target.env === undefined ? {} : { env: target.env }),
    });
    for await (const page of pages) {
      await staging.stage(toIncomingRecords(page.records));
      target.onProgress?.(staging.records);
    }
  });
  return { pages: loaded.batches, records: loaded.records, deadLettered: loaded.deadLettered, highWaterMark: loaded.highWaterMark };
}
