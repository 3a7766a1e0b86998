/**
 * Building the physical version of a SQL model, over the engine's primitives (file sources are
 * loaded by `connectors/files/load-file-source.ts`).
 * Every build writes a NEW relation next to the published one; nothing here touches an
 * environment's views (publication is the executor's last step, after the checks).
 */
import type { EngineAdapter, RelationRef } from '../engines/engine-adapter.js';
import type { SqlAsset } from '../project/project-model.js';
import { STAGING_SCHEMA, VERSIONS_SCHEMA, physicalRelation, stagingRelation } from '../plan/physical-names.js';
import { rewriteReferences } from './rewrite-references.js';

/** What a build needs to know about the step it serves. */
export interface BuildTarget {
  engine: EngineAdapter;
  /** The new version's relation. */
  physical: RelationRef;
  /** Input asset to the version read. */
  inputVersions: Record<string, string>;
  /** The environment whose views answer names the loader could not place (declared inputs). */
  environment: string;
  signal?: AbortSignal;
}

/** The model's SQL with every reference pointing at the input version this step reads. */
export function resolvedSql(asset: SqlAsset, target: BuildTarget): string {
  return rewriteReferences(asset.sql, asset.references, (input) => {
    const version = target.inputVersions[input];
    return version === undefined ? target.engine.quoteIdentifier(input) : target.engine.quoteRelation(physicalRelation(input, version));
  });
}

/**
 * Builds a `view` or `table` model as a new physical relation.
 *
 * @example
 * ```ts
 * await buildModel(asset, { engine, physical: physicalRelation('orders', version), inputVersions, environment: 'prod' });
 * ```
 */
export async function buildModel(asset: SqlAsset, target: BuildTarget): Promise<void> {
  const sql = resolvedSql(asset, target);
  // Declared inputs (SQL the parser cannot read) cannot be rewritten; they resolve in the environment.
  const searchSchema = asset.inputsDeclared ? target.environment : undefined;
  if (asset.materialization === 'view') {
    await target.engine.createViewAs(target.physical, sql, searchSchema, target.signal);
  } else {
    await target.engine.createTableAs(target.physical, sql, searchSchema, target.signal);
  }
}

/**
 * Writes an incremental model's new rows to a staging table, to be checked before the merge.
 * With a cursor and a previous version, only rows beyond the previous version's maximum are kept.
 */
export async function stageIncrementalRows(asset: SqlAsset, target: BuildTarget & { runId: string; basedOn: string | null }): Promise<RelationRef> {
  const staging = stagingRelation(asset.name, target.runId);
  const cursor = asset.incremental?.cursor;
  let sql = resolvedSql(asset, target);
  if (cursor && target.basedOn) {
    const previous = target.engine.quoteRelation(physicalRelation(asset.name, target.basedOn));
    const column = target.engine.quoteIdentifier(cursor);
    // A merge takes the rows AT the previous maximum again: a row updated without moving the
    // cursor forward is not lost, and merging an unchanged row again changes nothing. An append
    // must not, or it would duplicate them.
    const comparison = asset.incremental?.strategy === 'merge' ? '>=' : '>';
    sql = `SELECT * FROM (${sql}\n) AS weir_model WHERE ${column} ${comparison} (SELECT max(${column}) FROM ${previous}) OR (SELECT max(${column}) FROM ${previous}) IS NULL`;
  }
  const searchSchema = asset.inputsDeclared ? target.environment : undefined;
  await target.engine.createTableAs(staging, sql, searchSchema, target.signal);
  return staging;
}

/**
 * Makes the new incremental version: a copy of the previous version with the staged rows merged
 * (or appended) into it. The previous version stays untouched and published until the switch.
 * The caller drops the staging table.
 */
export async function mergeIncrementalRows(asset: SqlAsset, target: BuildTarget & { basedOn: string | null; staging: RelationRef }): Promise<void> {
  const { engine, physical, staging, signal } = target;
  if (target.basedOn === null) {
    await engine.cloneTable(staging, physical, signal);
  } else {
    await engine.cloneTable(physicalRelation(asset.name, target.basedOn), physical, signal);
    const keys = asset.incremental?.uniqueKey ?? [];
    if (asset.incremental?.strategy === 'merge' && keys.length > 0) await engine.mergeFrom(physical, staging, keys, signal);
    else await engine.appendFrom(physical, staging, signal);
  }
}

/**
 * Creates the schemas a run writes to: physical versions, staging, and the environment's views.
 * Called once per run, before any step, so no build pays for it.
 */
export async function prepareWarehouse(engine: EngineAdapter, environment: string): Promise<void> {
  await engine.createSchema(VERSIONS_SCHEMA);
  await engine.createSchema(STAGING_SCHEMA);
  await engine.createSchema(environment);
}
