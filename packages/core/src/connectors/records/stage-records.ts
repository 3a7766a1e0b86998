/**
 * Loading a table of JSON records (HTTP API pages, TypeScript sources) as a new version: every
 * batch is fitted to the table under the schema policy and appended to a staging table; once the
 * whole read has arrived, the version is built from the staging table, or as a copy of the version
 * it extends with the staged records merged by key (or appended). Dead letters are set aside last.
 * Nothing is published until the read has ended, so a read that fails or is killed part-way
 * publishes nothing, and the next load reads the same records again: none is loaded twice.
 */
import { createHash } from 'node:crypto';
import type { ColumnInfo, EngineAdapter, RelationRef } from '../../engines/engine-adapter.js';
import { WeirError } from '../../errors/weir-error.js';
import { STAGING_SCHEMA } from '../../plan/physical-names.js';
import { highWaterMark } from '../ingest-table.js';
import { appendDeadLetters, listDeadLetters } from './dead-letters.js';
import { changesToMatch, evolveTable } from './evolve-table.js';
import { columnName } from './flatten-record.js';
import { shapeRecords, type IncomingRecord, type RejectedRecord, type SchemaPolicy } from './shape-records.js';

/** What is loaded, and how. */
export interface RecordTableSpec {
  /** The asset, for messages and dead letters. */
  asset: string;
  schemaPolicy: SchemaPolicy;
  /** Record fields (dotted paths) that identify a record; the staged records replace loaded ones with the same key. Empty: appended. */
  primaryKey: readonly string[];
  /** For incremental loads: the record field (dotted path) whose largest loaded value is the high-water mark. */
  cursor?: string;
  /** The error when a first load reads no record at all (there are no columns to make a table of). */
  noRecords(): WeirError;
}

/** Where the load writes. */
export interface RecordTableTarget {
  engine: EngineAdapter;
  physical: RelationRef;
  /** The version an incremental load extends, or null. */
  basedOn: RelationRef | null;
  runId: string;
  signal?: AbortSignal;
}

/** What the reader of a load is handed: the mark to read past, and where to put each batch. */
export interface RecordStaging {
  /** The largest cursor value of the version extended (timestamps as ISO 8601 UTC), or null. */
  readonly highWaterMark: string | null;
  /** Records staged so far (dead letters included). */
  readonly records: number;
  /** Fits one batch to the staging table and appends it. Batches must be staged one at a time. */
  stage(incoming: readonly IncomingRecord[]): Promise<void>;
}

/** What a load did. */
export interface RecordLoadResult {
  /** Batches staged. */
  batches: number;
  records: number;
  /** Records rejected whole (records that lost only some values are loaded, and not counted). */
  deadLettered: number;
  /** The largest cursor value now loaded (incremental loads), as the next load reads past. */
  highWaterMark: string | null;
}

/**
 * Builds `target.physical` from the batches `read` stages. `read` settles once every batch it
 * staged is written; when it throws, nothing is built and the staged records are dropped.
 *
 * @example
 * ```ts
 * const result = await loadRecordTable(spec, { engine, physical, basedOn: null, runId }, async (staging) => {
 *   for await (const page of pages(staging.highWaterMark)) await staging.stage(toIncomingRecords(page));
 * });
 * ```
 */
export async function loadRecordTable(spec: RecordTableSpec, target: RecordTableTarget, read: (staging: RecordStaging) => Promise<void>): Promise<RecordLoadResult> {
  const { engine, physical, basedOn, runId } = target;
  const cursor = spec.cursor === undefined ? undefined : flattenedColumn(spec.cursor);
  const mark = basedOn !== null && cursor !== undefined ? isoTimestamp(await highWaterMark(engine, basedOn, cursor)) : null;
  const stagingTable: RelationRef = { schema: STAGING_SCHEMA, name: `${physical.name}__load` };
  await engine.drop(stagingTable, 'table').catch(() => undefined);
  await engine.createSchema(STAGING_SCHEMA);
  const result: RecordLoadResult = { batches: 0, records: 0, deadLettered: 0, highWaterMark: mark };
  const rejected: RejectedRecord[] = [];
  try {
    if (basedOn !== null) await engine.createTableAs(stagingTable, `SELECT * FROM ${engine.quoteRelation(basedOn)} WHERE 1 = 0`);
    const staging: RecordStaging = {
      highWaterMark: mark,
      get records() {
        return result.records;
      },
      stage: async (incoming) => {
        if (incoming.length === 0) return;
        const existing = await engine.describe(stagingTable);
        const batch = shapeRecords(incoming, existing, spec.schemaPolicy, spec.asset);
        const session = await engine.session();
        try {
          await session.transaction(async () => {
            await evolveTable(session, engine, stagingTable, { exists: existing !== undefined, columns: batch.columns, changes: batch });
            await session.appendRows(stagingTable, batch.columns, batch.rows.map((row) => row.row));
          });
        } finally {
          await session.close();
        }
        rejected.push(...batch.rejected);
        result.batches += 1;
        result.records += incoming.length;
      },
    };
    await read(staging);
    const staged = await engine.describe(stagingTable);
    if (staged === undefined) throw spec.noRecords();
    if (cursor !== undefined && !staged.some((column) => column.name === cursor)) {
      throw new WeirError('CONFIG_INVALID', `${spec.asset}: the incremental cursor "${spec.cursor}" is not a field of the records (columns: ${staged.map((column) => column.name).join(', ')})`, {
        hint: 'name a field every record has, such as updated_at; nested fields as a dotted path (meta.updated_at)',
      });
    }
    if (basedOn === null) await engine.createTableAs(physical, `SELECT * FROM ${engine.quoteRelation(stagingTable)}`);
    else await extend(engine, { basedOn, physical, staging: stagingTable, staged, keys: spec.primaryKey.map(flattenedColumn), signal: target.signal });
    result.deadLettered = await setAside(engine, spec.asset, runId, rejected);
    if (cursor !== undefined) result.highWaterMark = isoTimestamp(await highWaterMark(engine, physical, cursor));
    return result;
  } finally {
    await engine.drop(stagingTable, 'table').catch(() => undefined);
  }
}

/**
 * Records as {@link IncomingRecord}s identified by the hash of their JSON text, so the same record
 * read again (a retried load) is recognised among the dead letters.
 *
 * @example
 * ```ts
 * toIncomingRecords([{ id: 1 }]); // [{ id: 'sha256:...', payload: '{"id":1}', record: { id: 1 } }]
 * ```
 */
export function toIncomingRecords(records: readonly Record<string, unknown>[]): IncomingRecord[] {
  return records.map((record) => {
    const payload = JSON.stringify(record);
    return { id: recordId(payload), payload, record };
  });
}

/** The id of a record: the hash of its JSON text. */
export function recordId(payload: string): string {
  return `sha256:${createHash('sha256').update(payload).digest('hex')}`;
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
function flattenedColumn(field: string): string {
  return field.split('.').map(columnName).join('__');
}

/** Loaded timestamps are UTC without a zone; readers expect ISO 8601, so the mark goes back as `...T...Z`. */
function isoTimestamp(mark: string | null): string | null {
  if (mark === null) return null;
  const timestamp = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(mark);
  return timestamp === null ? mark : `${timestamp[1]}T${timestamp[2]}Z`;
}
