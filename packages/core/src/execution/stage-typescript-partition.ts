/**
 * Staging one partition of a partitioned TypeScript asset: `run` is called with `ctx.partition`
 * and its rows are written to a staging table, which is then held to the partition. A row outside
 * the partition's slice (or without a partition value) fails the partition: publishing would
 * replace only the slice, so such rows would land in other partitions' ranges, or be lost.
 * The staged partition is checked and published exactly as a SQL model's (`run-partition-step.ts`).
 */
import type { ColumnInfo, EngineAdapter, RelationRef } from '../engines/engine-adapter.js';
import { WeirError, isWeirError } from '../errors/weir-error.js';
import { partitionFilter, type PartitionFilter, type StagedPartition } from '../materialize/materialize-partition.js';
import type { PartitionWindow } from '../partitions/partition-spec.js';
import { stagingRelation } from '../plan/physical-names.js';
import type { TypeScriptAsset } from '../project/project-model.js';
import { runTypeScriptAsset, type TypeScriptRunTarget } from './typescript-asset-runner.js';

/** What staging a TypeScript partition needs. */
export type TypeScriptPartitionTarget = Omit<TypeScriptRunTarget, 'partition' | 'columns'> & { window: PartitionWindow };

/** How many offending partition values an error quotes. */
const QUOTED_VALUES = 3;

/**
 * Runs `asset` for one partition into a new staging table and checks every row is inside it.
 * `target.physical` is the version's table: when the asset declares no columns and the table
 * exists, the staging table takes its columns, so every partition has the same types.
 *
 * @example
 * ```ts
 * const staged = await stageTypeScriptPartition(asset, { engine, physical, inputVersions, projectRoot, runId, signal, log, window });
 * ```
 */
export async function stageTypeScriptPartition(asset: TypeScriptAsset, target: TypeScriptPartitionTarget): Promise<StagedPartition> {
  const { engine, window } = target;
  const staging = stagingRelation(asset.name, target.runId);
  const published = asset.outputColumns === undefined ? await engine.describe(target.physical) : undefined;
  try {
    await runTypeScriptAsset(asset, { ...target, physical: staging, partition: window, ...(published === undefined ? {} : { columns: published }) });
    const columns = (await engine.describe(staging)) ?? [];
    const column = columns.find((candidate) => candidate.name.toLowerCase() === window.column.toLowerCase());
    if (column === undefined) {
      throw new WeirError('CONFIG_INVALID', `${asset.name}: the rows of partition ${window.key} have no column "${window.column}", the partition column (its columns: ${columns.map((candidate) => candidate.name).join(', ')})`, {
        location: { file: asset.file, line: asset.line },
        hint: `return "${window.column}" in every row, or partition by one of the columns returned`,
      });
    }
    const filter = await filterFor(engine, asset, window, column);
    await refuseRowsOutside(engine, asset, window, { staging, column, filter });
    return { staging, column, filter };
  } catch (error) {
    // The caller drops a staged partition; one that never got staged is dropped here.
    await engine.drop(staging, 'table').catch(() => undefined);
    throw error;
  }
}

async function filterFor(engine: EngineAdapter, asset: TypeScriptAsset, window: PartitionWindow, column: ColumnInfo): Promise<PartitionFilter> {
  const session = await engine.session();
  try {
    return partitionFilter(engine, session, window, column);
  } catch (error) {
    // The engine's hint speaks of a model's SQL; a TypeScript asset fixes the type another way.
    if (!isWeirError(error)) throw error;
    throw new WeirError(error.code, `${asset.name}: ${error.message}`, {
      location: { file: asset.file, line: asset.line },
      hint: `declare its type, e.g. columns: { ${column.name}: '${window.kind === 'time' && window.granularity === 'hour' ? 'TIMESTAMP' : 'DATE'}', ... }, or return Date values`,
    });
  }
}

/** Fails when any staged row is outside `window`, quoting a few of the values found. */
async function refuseRowsOutside(engine: EngineAdapter, asset: TypeScriptAsset, window: PartitionWindow, staged: { staging: RelationRef; column: ColumnInfo; filter: PartitionFilter }): Promise<void> {
  const name = engine.quoteIdentifier(staged.column.name);
  const outside = `FROM ${engine.quoteRelation(staged.staging)} WHERE ${name} IS NULL OR NOT (${staged.filter.where})`;
  const session = await engine.session();
  try {
    const [counted] = await session.query(`SELECT count(*) AS n ${outside}`, staged.filter.params);
    const count = Number(counted?.n ?? 0);
    if (count === 0) return;
    const sample = await session.query(`SELECT DISTINCT CAST(${name} AS ${session.typeSql('VARCHAR')}) AS value ${outside} LIMIT ${QUOTED_VALUES}`, staged.filter.params);
    const values = sample.map((row) => (row.value === null || row.value === undefined ? 'null' : String(row.value))).join(', ');
    const slice = window.kind === 'time' ? `${window.localStart} <= ${window.column} < ${window.localEnd}` : `${window.column} = ${window.value}`;
    throw new WeirError('USER_CODE_FAILED', `${asset.name}: ${count} row(s) returned for partition ${window.key} are outside it (${window.column}: ${values}); the partition holds ${slice}`, {
      location: { file: asset.file, line: asset.line },
      hint: 'fetch only ctx.partition\'s slice; the partition was not published and keeps its rows',
    });
  } finally {
    await session.close();
  }
}
