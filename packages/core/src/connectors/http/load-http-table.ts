/**
 * An HTTP API table's step in a run: read every page (past the high-water mark for incremental
 * tables), fit the records to the table under the schema policy, stage them, and build the new
 * version (a copy of the version it extends with the staged records merged by key, or appended).
 * Nothing is published until every page has arrived, so a load that fails or is killed part-way
 * publishes nothing, and the next load asks for the same pages again: no page is loaded twice.
 */
import { createHash } from 'node:crypto';
import type { ColumnInfo, EngineAdapter, RelationRef } from '../../engines/engine-adapter.js';
import { WeirError } from '../../errors/weir-error.js';
import { STAGING_SCHEMA } from '../../plan/physical-names.js';
import type { HttpSourceAsset } from '../../project/project-model.js';
import { highWaterMark } from '../ingest-table.js';
import { appendDeadLetters, listDeadLetters } from '../records/dead-letters.js';
import { changesToMatch, evolveTable } from '../records/evolve-table.js';
import { columnName } from '../records/flatten-record.js';
import { shapeRecords, type RejectedRecord } from '../records/shape-records.js';
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
  const { engine, physical, basedOn, runId } = target;
  const cursor = asset.request.incremental === undefined ? undefined : cursorColumn(asset.request.incremental.cursor);
  const mark = basedOn !== null && cursor !== undefined ? apiTimestamp(await highWaterMark(engine, basedOn, cursor)) : null;
  const staging: RelationRef = { schema: STAGING_SCHEMA, name: `${physical.name}__load` };
  await engine.drop(staging, 'table').catch(() => undefined);
  await engine.createSchema(STAGING_SCHEMA);
  const result: HttpLoadResult = { pages: 0, records: 0, deadLettered: 0, highWaterMark: mark };
  const rejected: RejectedRecord[] = [];
  try {
    if (basedOn !== null) await engine.createTableAs(staging, `SELECT * FROM ${engine.quoteRelation(basedOn)} WHERE 1 = 0`);
    const pages = fetchHttpPages(asset.request, {
      highWaterMark: mark,
      ...(target.signal === undefined ? {} : { signal: target.signal }),
      ...(target.log === undefined ? {} : { log: target.log }),
      ...(target.env === undefined ? {} : { env: target.env }),
    });
    for await (const page of pages) {
      const incoming = page.records.map((record) => {
        const payload = JSON.stringify(record);
        return { id: `sha256:${createHash('sha256').update(payload).digest('hex')}`, payload, record };
      });
      const existing = await engine.describe(staging);
      const batch = shapeRecords(incoming, existing, asset.schemaPolicy, asset.name);
      const session = await engine.session();
      try {
        await session.transaction(async () => {
          await evolveTable(session, engine, staging, { exists: existing !== undefined, columns: batch.columns, changes: batch });
          await session.appendRows(staging, batch.columns, batch.rows.map((row) => row.row));
        });
      } finally {
        await session.close();
      }
      rejected.push(...batch.rejected);
      result.pages += 1;
      result.records += page.records.length;
      target.onProgress?.(result.records);
    }
    const staged = await engine.describe(staging);
    if (staged === undefined) {
      throw new WeirError('SOURCE_READ_FAILED', `${asset.name}: the API returned no records, so there are no columns to make a table of`, {
        location: asset.request.location,
        hint: 'check the URL, the "records" path and the filters; the first load needs at least one record',
      });
    }
    if (basedOn === null) await engine.createTableAs(physical, `SELECT * FROM ${engine.quoteRelation(staging)}`);
    else await extend(engine, { basedOn, physical, staging, staged, keys: asset.primaryKey.map(cursorColumn), signal: target.signal });
    result.deadLettered = await setAside(engine, asset.name, runId, rejected);
    if (cursor !== undefined) result.highWaterMark = apiTimestamp(await highWaterMark(engine, physical, cursor));
    return result;
  } finally {
    await engine.drop(staging, 'table').catch(() => undefined);
  }
}

/** The new version: a copy of `basedOn`, widened to what the staged records need, with them merged in. */
async function extend(
  engine: EngineAdapter,
  parts: { basedOn: RelationRef; physical: RelationRef; staging: RelationRef; staged: ColumnInfo[]; keys: string[]; signal: AbortSignal | undefined },
): Promise<void> {
  await engine.cloneTable(parts.basedOn, parts.physical, parts.signal);
  const current = (await engine.describe(parts.physical)) ?? [];
  const changes = changesToMatch(current, parts.staged);
  if (changes.added.length > 0 || changes.widened.length > 0) {
    const session = await engine.session();
    try {
      await session.transaction(() => evolveTable(session, engine, parts.physical, { exists: true, columns: parts.staged, changes }));
    } finally {
      await session.close();
    }
  }
  if (parts.keys.length > 0) await engine.mergeFrom(parts.physical, parts.staging, parts.keys, parts.signal);
  else await engine.appendFrom(parts.physical, parts.staging, parts.signal);
}

/** Dead letters not already set aside by an earlier (failed) attempt at the same records. */
async function setAside(engine: EngineAdapter, asset: string, runId: string, rejected: readonly RejectedRecord[]): Promise<number> {
  if (rejected.length === 0) return 0;
  const known = new Set((await listDeadLetters(engine, { asset })).map((letter) => letter.recordId));
  const fresh = rejected.filter((record) => !known.has(record.id));
  const session = await engine.session();
  try {
    await session.transaction(() => appendDeadLetters(session, engine, asset, runId, fresh));
  } finally {
    await session.close();
  }
  return rejected.filter((record) => record.disposition === 'rejected').length;
}

/** A record field path (`meta.updatedAt`) as the flattened column it lands in (`meta__updated_at`). */
function cursorColumn(field: string): string {
  return field.split('.').map(columnName).join('__');
}

/** Loaded timestamps are UTC without a zone; APIs expect ISO 8601, so the mark goes back as `...T...Z`. */
function apiTimestamp(mark: string | null): string | null {
  if (mark === null) return null;
  const timestamp = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(mark);
  return timestamp === null ? mark : `${timestamp[1]}T${timestamp[2]}Z`;
}
