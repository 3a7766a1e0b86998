/**
 * Engine errors met while building a SQL model, pointed back at the model's file. The engine
 * reports positions inside the statement it ran (DuckDB: `LINE n:`); the model's SQL keeps its
 * line layout through reference rewriting, so statement line n is file line `sqlStartLine + n - 1`.
 */
import { WeirError, isWeirError, messageOf } from '../errors/weir-error.js';
import type { SqlAsset } from '../project/project-model.js';

/**
 * Returns `error` as a `SQL_EXECUTION` {@link WeirError} naming the model's file (and line, when
 * the engine said which). Weir errors pass through unchanged: they already say where they point.
 *
 * @example
 * ```ts
 * try { await buildModel(asset, target); } catch (error) { throw locateModelError(asset, error); }
 * ```
 */
export function locateModelError(asset: SqlAsset, error: unknown): unknown {
  if (isWeirError(error)) return error;
  const line = /\bLINE (\d+):/.exec(messageOf(error))?.[1];
  return new WeirError('SQL_EXECUTION', messageOf(error), {
    location: { file: asset.file, ...(line ? { line: asset.sqlStartLine + Number(line) - 1 } : {}) },
    cause: error,
  });
}
