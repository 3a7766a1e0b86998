/**
 * Building a file source's new version: `load: all` reads every file with the engine's own reader
 * in one statement; `load: new_files` adds the new and changed files to a copy of the version it
 * extends (`load-new-files.ts`). Both refuse what the reader would take quietly: a glob that
 * matches nothing, and a gzip file cut short (DuckDB loads the rows before the cut and stops).
 */
import { sep } from 'node:path';
import { WeirError, isWeirError } from '../../errors/weir-error.js';
import type { FileSourceAsset } from '../../project/project-model.js';
import { listSourceFiles } from './list-source-files.js';
import { loadNewFiles, type FileLoadTarget } from './load-new-files.js';
import { isGzipPath, scanSourceFile } from './scan-source-file.js';
import { isUrlPath, projectRelative } from './source-file-paths.js';

/**
 * Loads `asset` into `target.physical` and returns a line for the run's log (none for a whole load).
 *
 * @example
 * ```ts
 * const note = await loadFileSource(asset, { engine, physical, version, basedOn: null, projectRoot });
 * ```
 */
export async function loadFileSource(asset: FileSourceAsset, target: FileLoadTarget): Promise<string | undefined> {
  try {
    if (asset.newFiles !== undefined) return (await loadNewFiles(asset, target)).summary;
    await loadAllFiles(asset, target);
    return undefined;
  } catch (error) {
    throw withProjectPaths(error, target.projectRoot);
  }
}

async function loadAllFiles(asset: FileSourceAsset, target: FileLoadTarget): Promise<void> {
  const { engine, physical, signal } = target;
  const gzipFiles = matchedFiles(asset, target.projectRoot).filter(isGzipPath);
  // The gzip check reads each file on the side while the engine loads: on a machine with a core
  // to spare it costs no time, and a bad file still fails the build before anything is published.
  const verified = verifyGzip(gzipFiles, target.projectRoot, signal).then(
    () => undefined,
    (error: unknown) => error,
  );
  try {
    await engine.loadFiles(physical, asset.read, signal);
  } catch (error) {
    throw (await verified) ?? error;
  }
  const broken = await verified;
  if (broken !== undefined) {
    // The table holds the rows before the cut: it must not survive to be adopted as complete.
    await engine.drop(physical, 'table').catch(() => undefined);
    throw broken;
  }
}

/**
 * The reader names files by their absolute paths; people know them relative to the project, as
 * they wrote them in the sources file.
 */
function withProjectPaths(error: unknown, root: string): unknown {
  if (!isWeirError(error)) return error;
  const prefix = root.endsWith(sep) ? root : `${root}${sep}`;
  const relative = (text: string): string => text.replaceAll(prefix, '');
  if (!error.message.includes(prefix) && !error.location?.file.startsWith(prefix)) return error;
  return new WeirError(error.code, relative(error.message), {
    ...(error.location ? { location: { ...error.location, file: relative(error.location.file) } } : {}),
    ...(error.hint === undefined ? {} : { hint: relative(error.hint) }),
    cause: error.cause ?? error,
  });
}

/** The local files of `asset`; a path or glob that matches none fails, naming it. */
function matchedFiles(asset: FileSourceAsset, root: string): string[] {
  const files: string[] = [];
  for (const pattern of asset.read.paths) {
    if (isUrlPath(pattern)) continue;
    const matched = listSourceFiles([pattern]);
    if (matched.length === 0) {
      const shown = projectRelative(root, pattern);
      throw new WeirError('SOURCE_READ_FAILED', `${asset.name}: no file matches ${shown}`, {
        location: { file: asset.file, line: asset.line },
        hint: 'paths are relative to the project root; a file source needs at least one file, since a table without files has no columns',
      });
    }
    files.push(...matched.map((file) => file.path));
  }
  return files;
}

async function verifyGzip(files: readonly string[], root: string, signal: AbortSignal | undefined): Promise<void> {
  for (const file of files) await scanSourceFile(file, { hash: false, shownAs: projectRelative(root, file), ...(signal ? { signal } : {}) });
}
