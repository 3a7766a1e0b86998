/**
 * `load: new_files`: a new version is a copy of the version it extends plus the rows of the files
 * that are new or changed since it. What a version holds is remembered in its manifest (path,
 * size, modification time, sha256, rows; see `file-manifest.ts`); a file whose size and time are
 * unchanged is not read again, one whose size or time changed is hashed, and only a new hash
 * (or a new path) loads it. A changed file replaces its earlier rows; a file that is gone keeps
 * its rows (`on_deleted_file: keep`, logged) or loses them (`remove`).
 *
 * Each file is read into its own staging table first and checked against the table's columns, so
 * a file that does not fit is refused before anything is written; then the version's table (a
 * copy of the one extended, less the replaced rows, plus the staged ones) and its manifest are
 * written in one transaction. A first load reads its first file straight into the version's table
 * instead (no copy) and completes it in that transaction; until then the table is unrecorded and
 * incomplete, so the executor never adopts such a table after a crash but builds it again. The
 * published version is never touched.
 */
import type { EngineAdapter, EngineSession, RelationRef } from '../../engines/engine-adapter.js';
import { withAbort } from '../../engines/with-abort.js';
import { WeirError } from '../../errors/weir-error.js';
import { STAGING_SCHEMA, physicalRelation } from '../../plan/physical-names.js';
import type { FileSourceAsset } from '../../project/project-model.js';
import { SOURCE_FILE_COLUMN, pruneManifest, readManifest, writeManifest, type ManifestEntry } from './file-manifest.js';
import { dataColumns, fitFileColumns, type FittedColumns } from './fit-file-columns.js';
import { listSourceFiles } from './list-source-files.js';
import { scanSourceFile } from './scan-source-file.js';
import { projectRelative } from './source-file-paths.js';

/** Where a file load writes and what it builds on. */
export interface FileLoadTarget {
  engine: EngineAdapter;
  /** The new version's table. */
  physical: RelationRef;
  /** The new version's id (its manifest is kept under it). */
  version: string;
  /** The version this one extends, or null for a first load. */
  basedOn: string | null;
  /** File paths are remembered relative to it. */
  projectRoot: string;
  signal?: AbortSignal;
}

/** What a `load: new_files` build did. */
export interface NewFilesResult {
  /** Files read for the first time. */
  added: string[];
  /** Files whose content changed: their earlier rows were replaced. */
  changed: string[];
  /** Files already loaded and unchanged (some touched: same hash, new time). */
  unchanged: number;
  /** Files gone since the version extended whose rows were kept. */
  deletedKept: string[];
  /** Files gone whose rows were removed. */
  deletedRemoved: string[];
  /** Rows read from the added and changed files. */
  rowsLoaded: number;
  /** One line for the run's log. */
  summary: string;
}

/** A file to read in this build. */
interface PendingFile {
  absolute: string;
  path: string;
  size: number;
  modifiedMs: number;
  /** Known when the file was hashed to tell whether it changed; a new file is hashed while it is read. */
  sha256?: string;
}

/** A read file, staged and checked. */
interface StagedFile {
  file: PendingFile;
  staging: RelationRef;
  fitted: FittedColumns;
  rows: number;
}

// PostgreSQL takes at most 65,535 bound values per statement.
const PATHS_PER_DELETE = 1000;

/**
 * Builds `target.physical` as the version `target.basedOn` plus the files new or changed since it.
 *
 * @example
 * ```ts
 * const result = await loadNewFiles(asset, { engine, physical, version, basedOn: '3f2a9c0d11aa', projectRoot });
 * console.log(result.summary); // "2 new file(s), 0 changed, 14 unchanged: 1,204 row(s) loaded"
 * ```
 */
export async function loadNewFiles(asset: FileSourceAsset, target: FileLoadTarget): Promise<NewFilesResult> {
  const { engine, physical, signal } = target;
  const onDeleted = asset.newFiles?.onDeletedFile ?? 'keep';
  const { base, remembered, note } = await extendedVersion(engine, asset.name, target.basedOn);

  const entries: ManifestEntry[] = [];
  const pending: PendingFile[] = [];
  const replaced: string[] = [];
  const result: NewFilesResult = { added: [], changed: [], unchanged: 0, deletedKept: [], deletedRemoved: [], rowsLoaded: 0, summary: '' };
  const present = new Set<string>();
  for (const file of listSourceFiles(asset.read.paths)) {
    const path = projectRelative(target.projectRoot, file.path);
    present.add(path);
    const before = remembered.get(path);
    const pendingFile: PendingFile = { absolute: file.path, path, size: file.size, modifiedMs: file.modifiedMs };
    if (before === undefined) {
      // A new file is hashed while the engine reads it (readInto).
      pending.push(pendingFile);
      result.added.push(path);
      continue;
    }
    if (before.size === file.size && before.modifiedMs === file.modifiedMs) {
      entries.push({ ...before, deleted: false });
      result.unchanged += 1;
      continue;
    }
    const { sha256 } = await scanSourceFile(file.path, { hash: true, shownAs: path, ...(signal ? { signal } : {}) });
    if (before.sha256 === sha256) {
      entries.push({ ...before, size: file.size, modifiedMs: file.modifiedMs, deleted: false });
      result.unchanged += 1;
      continue;
    }
    pending.push({ ...pendingFile, ...(sha256 === undefined ? {} : { sha256 }) });
    replaced.push(path);
    result.changed.push(path);
  }
  for (const before of remembered.values()) {
    if (present.has(before.path)) continue;
    if (onDeleted === 'remove') {
      replaced.push(before.path);
      result.deletedRemoved.push(before.path);
    } else {
      entries.push({ ...before, deleted: true });
      if (!before.deleted) result.deletedKept.push(before.path);
    }
  }
  if (base === null && pending.length === 0) throw nothingToLoad(asset, target.projectRoot);

  // A first load reads its first file straight into the version's table: no copy, so a first
  // build costs about what the reader does. Every other file is staged and checked first.
  const direct = base === null;
  const staged: StagedFile[] = [];
  try {
    let table = base === null ? undefined : dataColumns((await engine.describe(base)) ?? []);
    for (const [index, file] of pending.entries()) {
      const into: RelationRef = direct && index === 0 ? physical : { schema: STAGING_SCHEMA, name: `${physical.name}_${index.toString(36)}` };
      if (into !== physical) staged.push({ file, staging: into, fitted: { names: [], expressions: [] }, rows: 0 });
      const sha256 = await readInto(engine, asset, file, into, signal);
      // The first file of a first load sets the table's columns; every other file must fit them.
      table ??= (await engine.describe(into)) ?? [];
      const rows = await engine.rowCount(into);
      if (into !== physical) {
        const current = staged[staged.length - 1]!;
        current.fitted = await fitFileColumns(engine, table, into, file.path, asset.name);
        current.rows = rows;
      }
      result.rowsLoaded += rows;
      entries.push({ path: file.path, size: file.size, modifiedMs: file.modifiedMs, sha256, rows, loadedIn: target.version, deleted: false });
    }
    entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const tables = new Set([physical.name, ...(await engine.listRelations(physical.schema)).map((relation) => relation.name)]);
    const session = await engine.session();
    try {
      await withAbort(signal, () => session.interrupt(), () =>
        session.transaction(async () => {
          if (direct) await labelRows(session, engine, physical, pending[0]!.path);
          else await copyVersion(session, engine, physical, base);
          await deleteRowsOf(session, engine, physical, replaced);
          for (const one of staged) await insertStaged(session, engine, physical, one);
          await writeManifest(session, engine, asset.name, target.version, entries);
          await pruneManifest(session, engine, asset.name, tables);
        }),
      );
    } finally {
      await session.close();
    }
  } catch (error) {
    // A first load's table holds some files' rows but not all: it must not outlive the build.
    if (direct) await engine.drop(physical, 'table').catch(() => undefined);
    throw error;
  } finally {
    for (const { staging } of staged) await engine.drop(staging, 'table').catch(() => undefined);
  }
  result.summary = summarise(result, note);
  return result;
}

/**
 * Reads one file into `into` with the engine's reader; a new file is hashed (and a gzip file
 * checked to its end) on the side meanwhile. Returns the file's sha256.
 */
async function readInto(engine: EngineAdapter, asset: FileSourceAsset, file: PendingFile, into: RelationRef, signal: AbortSignal | undefined): Promise<string> {
  const scanning =
    file.sha256 === undefined
      ? scanSourceFile(file.absolute, { hash: true, shownAs: file.path, ...(signal ? { signal } : {}) }).then(
          (scanned) => ({ sha256: scanned.sha256 ?? '' }),
          (error: unknown) => ({ error }),
        )
      : undefined;
  let failed: { error: unknown } | undefined;
  try {
    await engine.loadFiles(into, { ...asset.read, paths: [file.absolute] }, signal);
  } catch (error) {
    failed = { error };
  }
  const scanned = await scanning;
  // A gzip file cut short explains a reader error best, and must fail a read that "succeeded".
  if (scanned !== undefined && 'error' in scanned) throw scanned.error;
  if (failed !== undefined) throw failed.error;
  return file.sha256 ?? scanned?.sha256 ?? '';
}

/**
 * The version a build extends and what it remembers. A version without a manifest or without
 * the source-file column (built by `load: all`) cannot be extended file by file: everything is
 * loaded again, and the log says why.
 */
async function extendedVersion(
  engine: EngineAdapter,
  asset: string,
  basedOn: string | null,
): Promise<{ base: RelationRef | null; remembered: Map<string, ManifestEntry>; note: string | undefined }> {
  if (basedOn === null) return { base: null, remembered: new Map(), note: undefined };
  const relation = physicalRelation(asset, basedOn);
  const columns = await engine.describe(relation);
  const remembered = await readManifest(engine, asset, basedOn);
  if (columns?.some((column) => column.name === SOURCE_FILE_COLUMN) && remembered !== undefined) return { base: relation, remembered, note: undefined };
  return { base: null, remembered: new Map(), note: `${basedOn} has no file manifest (it was loaded whole): every file is loaded again` };
}

/** Starts the new version as a copy of the one it extends. */
async function copyVersion(session: EngineSession, engine: EngineAdapter, physical: RelationRef, base: RelationRef | null): Promise<void> {
  if (base === null) return;
  const target = engine.quoteRelation(physical);
  // No attempt can leave this table behind (same transaction), but a crash of an older build could.
  await session.execute(`DROP TABLE IF EXISTS ${target}`);
  await session.execute(`CREATE TABLE ${target} AS SELECT * FROM ${engine.quoteRelation(base)}`);
}

/** Adds the source-file column to a table read from one file, naming that file (the value bound). */
async function labelRows(session: EngineSession, engine: EngineAdapter, physical: RelationRef, path: string): Promise<void> {
  const target = engine.quoteRelation(physical);
  const column = engine.quoteIdentifier(SOURCE_FILE_COLUMN);
  await session.execute(`ALTER TABLE ${target} ADD COLUMN ${column} ${session.typeSql('VARCHAR')}`);
  await session.execute(`UPDATE ${target} SET ${column} = $1`, [path]);
}

/** Deletes the rows of files that changed or are gone (`on_deleted_file: remove`). */
async function deleteRowsOf(session: EngineSession, engine: EngineAdapter, physical: RelationRef, paths: readonly string[]): Promise<void> {
  const column = engine.quoteIdentifier(SOURCE_FILE_COLUMN);
  for (let start = 0; start < paths.length; start += PATHS_PER_DELETE) {
    const chunk = paths.slice(start, start + PATHS_PER_DELETE);
    await session.execute(`DELETE FROM ${engine.quoteRelation(physical)} WHERE ${column} IN (${chunk.map((_, index) => `$${index + 1}`).join(', ')})`, chunk);
  }
}

/** Appends one staged file's rows in the table's shape, each naming the file. */
async function insertStaged(session: EngineSession, engine: EngineAdapter, physical: RelationRef, { file, staging, fitted }: StagedFile): Promise<void> {
  const names = [...fitted.names, SOURCE_FILE_COLUMN].map((name) => engine.quoteIdentifier(name));
  await session.execute(
    `INSERT INTO ${engine.quoteRelation(physical)} (${names.join(', ')}) SELECT ${fitted.expressions.join(', ')}, CAST($1 AS ${session.typeSql('VARCHAR')}) FROM ${engine.quoteRelation(staging)}`,
    [file.path],
  );
}

/** A first load that finds no file at all. */
function nothingToLoad(asset: FileSourceAsset, root: string): WeirError {
  const patterns = asset.read.paths.map((path) => projectRelative(root, path)).join(', ');
  return new WeirError('SOURCE_READ_FAILED', `${asset.name}: no file matches ${patterns}, and nothing was loaded before`, {
    location: { file: asset.file, line: asset.line },
    hint: 'paths are relative to the project root; the first load needs at least one file',
  });
}

function summarise(result: NewFilesResult, note: string | undefined): string {
  const parts = [`${result.added.length} new file(s), ${result.changed.length} changed, ${result.unchanged} unchanged: ${result.rowsLoaded.toLocaleString('en')} row(s) loaded`];
  if (result.changed.length > 0) parts.push(`rows replaced for ${result.changed.join(', ')}`);
  if (result.deletedKept.length > 0) parts.push(`gone but rows kept (on_deleted_file: keep): ${result.deletedKept.join(', ')}`);
  if (result.deletedRemoved.length > 0) parts.push(`gone, rows removed: ${result.deletedRemoved.join(', ')}`);
  if (note !== undefined) parts.unshift(note);
  return parts.join('; ');
}
