/**
 * The file manifest of a `load: new_files` table: for each version, every file whose rows it holds
 * (path relative to the project, size, modification time, sha256, rows). It lives in the warehouse
 * (`weir_ingest.<asset>__files`, keyed by version) and is written in the same transaction as the
 * version's table, so data and manifest are never out of step: a version exists with its manifest
 * or not at all. The rows themselves say which file they came from (`_weir_source_file`).
 */
import type { EngineAdapter, EngineSession, RelationRef } from '../../engines/engine-adapter.js';
import { physicalRelation } from '../../plan/physical-names.js';
import { INGEST_SCHEMA } from '../records/dead-letters.js';

/** The column of a `load: new_files` table naming the file each row came from. */
export const SOURCE_FILE_COLUMN = '_weir_source_file';

/** One remembered file. */
export interface ManifestEntry {
  /** Relative to the project root with `/` separators (absolute when outside the project). */
  path: string;
  size: number;
  modifiedMs: number;
  sha256: string;
  /** Rows of the version that came from this file. */
  rows: number;
  /** The version whose build loaded these rows. */
  loadedIn: string;
  /** True when the file was gone at the last load and its rows were kept (`on_deleted_file: keep`). */
  deleted: boolean;
}

const COLUMNS = [
  ['version', 'VARCHAR'],
  ['path', 'VARCHAR'],
  ['size', 'BIGINT'],
  ['modified_ms', 'BIGINT'],
  ['sha256', 'VARCHAR'],
  ['row_count', 'BIGINT'],
  ['loaded_in', 'VARCHAR'],
  ['deleted', 'BOOLEAN'],
] as const;

// PostgreSQL takes at most 65,535 bound values per statement.
const ROWS_PER_INSERT = 1000;

/** The manifest table of an asset (its name shortened like a version's when the asset's is long). */
export function manifestRelation(asset: string): RelationRef {
  return { schema: INGEST_SCHEMA, name: physicalRelation(asset, 'files').name };
}

/**
 * The files remembered for `version`, by path; undefined when the version has no manifest (it
 * was built by `load: all`, or before the table existed).
 *
 * @example
 * ```ts
 * const remembered = await readManifest(engine, 'raw_orders', '3f2a9c0d11aa');
 * remembered?.get('data/orders/2026-11-03.csv')?.sha256;
 * ```
 */
export async function readManifest(engine: EngineAdapter, asset: string, version: string): Promise<Map<string, ManifestEntry> | undefined> {
  const table = manifestRelation(asset);
  if ((await engine.describe(table)) === undefined) return undefined;
  const session = await engine.session();
  try {
    const q = (name: string): string => engine.quoteIdentifier(name);
    const rows = await session.query(
      `SELECT ${COLUMNS.slice(1).map(([name]) => q(name)).join(', ')} FROM ${engine.quoteRelation(table)} WHERE ${q('version')} = $1 ORDER BY ${q('path')}`,
      [version],
    );
    if (rows.length === 0) return undefined;
    return new Map(
      rows.map((row) => [
        String(row.path),
        {
          path: String(row.path),
          size: Number(row.size),
          modifiedMs: Number(row.modified_ms),
          sha256: String(row.sha256),
          rows: Number(row.row_count),
          loadedIn: String(row.loaded_in),
          deleted: row.deleted === true,
        },
      ]),
    );
  } finally {
    await session.close();
  }
}

/**
 * Writes the manifest of `version` (replacing any left by an earlier attempt), in the caller's
 * transaction on `session`.
 *
 * @example
 * ```ts
 * await session.transaction(async () => {
 *   // ... build the version's table ...
 *   await writeManifest(session, engine, 'raw_orders', version, entries);
 * });
 * ```
 */
export async function writeManifest(session: EngineSession, engine: EngineAdapter, asset: string, version: string, entries: readonly ManifestEntry[]): Promise<void> {
  const table = engine.quoteRelation(manifestRelation(asset));
  const q = (name: string): string => engine.quoteIdentifier(name);
  await session.execute(`CREATE SCHEMA IF NOT EXISTS ${q(INGEST_SCHEMA)}`);
  await session.execute(`CREATE TABLE IF NOT EXISTS ${table} (${COLUMNS.map(([name, type]) => `${q(name)} ${session.typeSql(type)} NOT NULL`).join(', ')})`);
  await session.execute(`DELETE FROM ${table} WHERE ${q('version')} = $1`, [version]);
  for (let start = 0; start < entries.length; start += ROWS_PER_INSERT) {
    const chunk = entries.slice(start, start + ROWS_PER_INSERT);
    const params: unknown[] = [];
    const tuples = chunk.map((entry) => {
      const values = [version, entry.path, entry.size, entry.modifiedMs, entry.sha256, entry.rows, entry.loadedIn, entry.deleted];
      const placeholders = values.map((value, index) => {
        params.push(value);
        return `CAST($${params.length} AS ${session.typeSql(COLUMNS[index]![1])})`;
      });
      return `(${placeholders.join(', ')})`;
    });
    await session.execute(`INSERT INTO ${table} (${COLUMNS.map(([name]) => q(name)).join(', ')}) VALUES ${tuples.join(', ')}`, params);
  }
}

/**
 * Forgets the files of versions whose tables are gone (`weir gc` dropped them), in the caller's
 * transaction: the manifest grows with the versions kept, not with every build ever made.
 *
 * @param tables - the names of the tables in the versions schema now.
 * @example
 * ```ts
 * const tables = new Set((await engine.listRelations('weir_versions')).map((relation) => relation.name));
 * await session.transaction(() => pruneManifest(session, engine, 'raw_orders', tables));
 * ```
 */
export async function pruneManifest(session: EngineSession, engine: EngineAdapter, asset: string, tables: ReadonlySet<string>): Promise<void> {
  const table = engine.quoteRelation(manifestRelation(asset));
  const version = engine.quoteIdentifier('version');
  const known = await session.query(`SELECT DISTINCT ${version} AS version FROM ${table}`);
  const gone = known.map((row) => String(row.version)).filter((one) => !tables.has(physicalRelation(asset, one).name));
  for (let start = 0; start < gone.length; start += ROWS_PER_INSERT) {
    const chunk = gone.slice(start, start + ROWS_PER_INSERT);
    await session.execute(`DELETE FROM ${table} WHERE ${version} IN (${chunk.map((_, index) => `$${index + 1}`).join(', ')})`, chunk);
  }
}
