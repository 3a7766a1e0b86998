/**
 * Loading a database table into a new physical version, exactly once.
 *
 * The high-water mark is not kept anywhere but in the data: it is the largest cursor value of the
 * version the load is based on (the published one). A load reads the rows past it (minus the
 * lookback), stages them, and builds the new version as a copy of the old one with the staged
 * rows merged in by key (or appended). Nothing is published until that version is complete and
 * checked, so a load killed at any moment leaves the published version and its mark untouched, and
 * the next load reads the same rows again: none lost, none loaded twice.
 */
import { sameType } from '../engines/canonical-type-name.js';
import type { ColumnInfo, EngineAdapter, RelationRef } from '../engines/engine-adapter.js';
import { WeirError } from '../errors/weir-error.js';
import { STAGING_SCHEMA } from '../plan/physical-names.js';
import type { DatabaseSourceAsset } from '../project/project-model.js';
import type { TableConnector } from './connector.js';
import { evolvedColumnType } from './records/evolved-column-type.js';
import { evolveTable } from './records/evolve-table.js';
import type { ShapedBatch } from './records/shape-records.js';

/** Where the load writes, and what it builds on. */
export interface IngestTarget {
  engine: EngineAdapter;
  /** The new version's table. */
  physical: RelationRef;
  /** The version this one extends (incremental loads), or null for a whole load. */
  basedOn: RelationRef | null;
  signal?: AbortSignal;
}

/** What a load did: rows read from the source, and the high-water mark after it. */
export interface IngestResult {
  rowsRead: number;
  /** The largest cursor value now loaded (as text), or null for whole loads and empty tables. */
  highWaterMark: string | null;
}

/**
 * Loads `asset` from `connector` into `target.physical`.
 *
 * @example
 * ```ts
 * const connector = await openPostgresConnector({ url });
 * await ingestTable(asset, connector, { engine, physical, basedOn: previousPhysical });
 * ```
 */
export async function ingestTable(asset: DatabaseSourceAsset, connector: TableConnector, target: IngestTarget): Promise<IngestResult> {
  const { engine, physical, basedOn, signal } = target;
  const columns = await connector.describe(asset.from);
  const incremental = asset.incremental;
  if (incremental !== undefined && !columns.some((column) => column.name === incremental.cursor)) {
    throw new WeirError('SOURCE_READ_FAILED', `${asset.name}: the cursor column "${incremental.cursor}" is not a column of ${asset.from} in the source`, {
      location: { file: asset.file, line: asset.line },
      hint: `columns there: ${columns.map((column) => column.name).join(', ')}`,
    });
  }
  if (incremental === undefined || basedOn === null) {
    await engine.loadCsvStream(physical, columns, await connector.readCsv({ from: asset.from }, columns), signal);
    return { rowsRead: await engine.rowCount(physical), highWaterMark: incremental ? await highWaterMark(engine, physical, incremental.cursor) : null };
  }
  const changes = await schemaChanges(engine, basedOn, columns, asset);
  const after = await readFrom(engine, basedOn, columns, asset);
  const staging: RelationRef = { schema: STAGING_SCHEMA, name: `${physical.name}__load` };
  try {
    const cursor = after === null ? undefined : { column: incremental.cursor, after, inclusive: false };
    await engine.loadCsvStream(staging, columns, await connector.readCsv({ from: asset.from, ...(cursor ? { cursor } : {}) }, columns), signal);
    const rowsRead = await engine.rowCount(staging);
    await engine.cloneTable(basedOn, physical, signal);
    if (changes.added.length > 0 || changes.widened.length > 0) {
      const session = await engine.session();
      try {
        await session.transaction(() => evolveTable(session, engine, physical, { exists: true, columns, changes }));
      } finally {
        await session.close();
      }
    }
    if (incremental.primaryKey.length > 0) await engine.mergeFrom(physical, staging, incremental.primaryKey, signal);
    else await engine.appendFrom(physical, staging, signal);
    return { rowsRead, highWaterMark: await highWaterMark(engine, physical, incremental.cursor) };
  } finally {
    await engine.drop(staging, 'table').catch(() => undefined);
  }
}

/**
 * Where the next read starts: the mark of `basedOn` minus the lookback, as text the source
 * compares in the cursor's own type; null when nothing was loaded yet (read everything).
 */
async function readFrom(engine: EngineAdapter, basedOn: RelationRef, columns: readonly ColumnInfo[], asset: DatabaseSourceAsset): Promise<string | null> {
  const incremental = asset.incremental;
  if (incremental === undefined) return null;
  const cursor = engine.quoteIdentifier(incremental.cursor);
  const type = columns.find((column) => column.name === incremental.cursor)?.type.toUpperCase() ?? '';
  const temporal = /^(DATE|TIME|TIMESTAMP)/.test(type);
  const lookback = incremental.lookback;
  let mark = `max(${cursor})`;
  if (lookback !== undefined && 'seconds' in lookback) {
    if (!temporal) throw lookbackMismatch(asset, `a duration, but the cursor "${incremental.cursor}" is ${type}`, 'give a number for a numeric cursor');
    mark = `max(${cursor}) - INTERVAL '${lookback.seconds} seconds'`;
  } else if (lookback !== undefined) {
    if (temporal) throw lookbackMismatch(asset, `a number, but the cursor "${incremental.cursor}" is ${type}`, 'give a duration such as 1h for a time cursor');
    mark = `max(${cursor}) - ${lookback.amount}`;
  }
  return await markOf(engine, basedOn, mark);
}

/**
 * How the source's columns changed since the version this load extends, checked before anything
 * is read. Under `evolve` (the default) new columns are added to the new version (rows loaded
 * before stay NULL there until reloaded) and a changed type becomes one that holds both the
 * loaded and the new values; under `freeze` any change fails the load, naming it, with the way out.
 */
async function schemaChanges(engine: EngineAdapter, basedOn: RelationRef, columns: readonly ColumnInfo[], asset: DatabaseSourceAsset): Promise<Pick<ShapedBatch, 'added' | 'widened'>> {
  const loaded = new Map(((await engine.describe(basedOn)) ?? []).map((column) => [column.name, column.type] as const));
  const added = columns.filter((column) => !loaded.has(column.name));
  // The warehouse spells a type its own way (TIMESTAMP WITH TIME ZONE for the source's TIMESTAMPTZ).
  const retyped = columns.filter((column) => loaded.has(column.name) && !sameType(loaded.get(column.name)!, column.type));
  const gone = [...loaded.keys()].filter((name) => !columns.some((column) => column.name === name));
  if ((asset.schemaPolicy ?? 'evolve') === 'freeze' && added.length + retyped.length + gone.length > 0) {
    const what = [
      ...added.map((column) => `new column ${column.name} (${column.type})`),
      ...retyped.map((column) => `${column.name} changed from ${loaded.get(column.name)} to ${column.type}`),
      ...gone.map((name) => `column ${name} is gone`),
    ];
    throw new WeirError('SOURCE_READ_FAILED', `${asset.name}: the source's columns changed since the loaded version: ${what.join('; ')}; the schema is frozen`, {
      location: { file: asset.file, line: asset.line },
      hint: 'set schema: evolve to follow the source, or remove "incremental" for one run to load the whole table again',
    });
  }
  const widened = retyped
    .map((column) => ({ name: column.name, from: loaded.get(column.name)!, to: evolvedColumnType(loaded.get(column.name)!, column.type) }))
    .filter((change) => !sameType(change.to, change.from)) as ShapedBatch['widened'];
  return { added: [...added], widened };
}

function lookbackMismatch(asset: DatabaseSourceAsset, what: string, hint: string): WeirError {
  return new WeirError('CONFIG_INVALID', `${asset.name}: the lookback is ${what}`, { location: { file: asset.file, line: asset.line }, hint });
}

/** The largest cursor value in `relation`, as text; null when it has no rows. */
export async function highWaterMark(engine: EngineAdapter, relation: RelationRef, cursorColumn: string): Promise<string | null> {
  return await markOf(engine, relation, `max(${engine.quoteIdentifier(cursorColumn)})`);
}

async function markOf(engine: EngineAdapter, relation: RelationRef, expression: string): Promise<string | null> {
  const session = await engine.session();
  try {
    const [row] = await session.query(`SELECT CAST(${expression} AS VARCHAR) AS mark FROM ${engine.quoteRelation(relation)}`);
    const mark = row?.mark;
    return mark === null || mark === undefined ? null : String(mark);
  } finally {
    await session.close();
  }
}
