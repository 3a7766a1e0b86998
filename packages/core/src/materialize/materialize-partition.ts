/**
 * Building one partition of a partitioned model: its slice is the model's own SQL, filtered
 *
 *   SELECT * FROM (<model sql>) AS weir_model WHERE <column> >= $1 AND <column> < $2   (time)
 *   SELECT * FROM (<model sql>) AS weir_model WHERE <column> = $1                      (static)
 *
 * with the bounds bound as parameters, never spliced into the SQL (DuckDB and PostgreSQL push
 * the filter down into the model's scans). The slice is staged, checked by the caller, then
 * published into the version's table by {@link publishPartition}: the partition's old rows
 * deleted and the staged ones inserted in ONE transaction. Rows of the model outside every
 * partition are never built.
 */
import type { ColumnInfo, EngineAdapter, EngineSession, RelationRef } from '../engines/engine-adapter.js';
import { withAbort } from '../engines/with-abort.js';
import { WeirError } from '../errors/weir-error.js';
import type { PartitionWindow } from '../partitions/partition-spec.js';
import { stagingRelation } from '../plan/physical-names.js';
import type { SqlAsset } from '../project/project-model.js';
import { resolvedSql, type BuildTarget } from './materialize-model.js';

/** How a partition's bounds are compared with its column: as what the column holds. */
export interface PartitionFilter {
  /** `column >= $1 AND column < $2` or `column = $1`, the column quoted by the engine. */
  where: string;
  params: string[];
}

/**
 * The filter of `window` over a column of type `column.type` (as the engine reports it). Time
 * bounds are wall-clock times of the declared zone for `DATE` and `TIMESTAMP` columns, and
 * instants for `TIMESTAMP WITH TIME ZONE` ones, cast by the engine to the column's type.
 *
 * @example
 * ```ts
 * const { where, params } = partitionFilter(engine, session, window, { name: 'order_date', type: 'DATE', nullable: true });
 * ```
 */
export function partitionFilter(engine: EngineAdapter, session: EngineSession, window: PartitionWindow, column: ColumnInfo): PartitionFilter {
  const name = engine.quoteIdentifier(column.name);
  if (window.kind === 'values') return { where: `${name} = CAST($1 AS ${column.type})`, params: [window.value] };
  const type = column.type.toUpperCase();
  const zoned = type.includes('WITH TIME ZONE') || type.startsWith('TIMESTAMPTZ');
  if (zoned) {
    const cast = session.typeSql('TIMESTAMPTZ', column.name);
    return { where: `${name} >= CAST($1 AS ${cast}) AND ${name} < CAST($2 AS ${cast})`, params: [window.startInstant, window.endInstant] };
  }
  if (type === 'DATE') {
    if (window.granularity === 'hour') throw new WeirError('CONFIG_INVALID', `partition column "${column.name}" is a DATE: hourly partitions need a TIMESTAMP column`);
    const cast = session.typeSql('DATE', column.name);
    return { where: `${name} >= CAST($1 AS ${cast}) AND ${name} < CAST($2 AS ${cast})`, params: [window.localStart.slice(0, 10), window.localEnd.slice(0, 10)] };
  }
  if (type.startsWith('TIMESTAMP')) {
    const cast = session.typeSql('TIMESTAMP', column.name);
    return { where: `${name} >= CAST($1 AS ${cast}) AND ${name} < CAST($2 AS ${cast})`, params: [window.localStart, window.localEnd] };
  }
  throw new WeirError('CONFIG_INVALID', `partition column "${column.name}" is a ${column.type}: time partitions need a DATE, TIMESTAMP or TIMESTAMP WITH TIME ZONE column`, {
    hint: `cast it in the model, e.g. CAST(${column.name} AS DATE) AS ${column.name}`,
  });
}

/** A staged partition: where its rows are, and the filter that names its slice. */
export interface StagedPartition {
  staging: RelationRef;
  column: ColumnInfo;
  filter: PartitionFilter;
}

/**
 * Stages one partition's slice of the model into a new staging table, for its checks.
 *
 * @example
 * ```ts
 * const staged = await stagePartition(asset, { ...target, runId, window });
 * ```
 */
export async function stagePartition(asset: SqlAsset, target: BuildTarget & { runId: string; window: PartitionWindow }): Promise<StagedPartition> {
  const { engine, window, signal } = target;
  const staging = stagingRelation(asset.name, target.runId);
  const model = `SELECT * FROM (${resolvedSql(asset, target)}\n) AS weir_model`;
  const searchSchema = asset.inputsDeclared ? target.environment : undefined;
  // An empty table of the model's columns first: the column's type decides how the bounds compare.
  await engine.createTableAs(staging, `${model} WHERE false`, searchSchema, signal);
  const columns = (await engine.describe(staging)) ?? [];
  const column = columns.find((candidate) => candidate.name.toLowerCase() === window.column.toLowerCase());
  if (column === undefined) {
    await engine.drop(staging, 'table').catch(() => undefined);
    throw new WeirError('CONFIG_INVALID', `partition column "${window.column}" is not a column of ${asset.name} (its columns: ${columns.map((candidate) => candidate.name).join(', ')})`, {
      ...(asset.partitionedAt ? { location: asset.partitionedAt } : {}),
    });
  }
  const session = await engine.session();
  try {
    const filter = partitionFilter(engine, session, window, column);
    await withAbort(signal, () => session.interrupt(), async () => {
      if (searchSchema !== undefined) await session.setSearchPath(searchSchema);
      await session.execute(`INSERT INTO ${engine.quoteRelation(staging)} ${model} WHERE ${filter.where}`, filter.params);
    });
    return { staging, column, filter };
  } finally {
    await session.close();
  }
}

// One publication at a time per table in this process: DuckDB refuses concurrent deletes on one
// table as a conflict, and the first publication creates the table.
const publishing = new Map<string, Promise<unknown>>();

/**
 * Publishes a staged partition into the version's table in one transaction: the partition's
 * rows deleted, the staged rows inserted. The first partition creates the (empty) table. Returns
 * whether the table was created by this call.
 *
 * @example
 * ```ts
 * const created = await publishPartition(engine, physical, staged);
 * ```
 */
export async function publishPartition(engine: EngineAdapter, physical: RelationRef, staged: StagedPartition, signal?: AbortSignal): Promise<{ created: boolean }> {
  const key = `${physical.schema}.${physical.name}`;
  const previous = publishing.get(key) ?? Promise.resolve();
  const mine = previous.catch(() => undefined).then(() => publishOnce(engine, physical, staged, signal));
  publishing.set(key, mine);
  try {
    return await mine;
  } finally {
    if (publishing.get(key) === mine) publishing.delete(key);
  }
}

async function publishOnce(engine: EngineAdapter, physical: RelationRef, staged: StagedPartition, signal?: AbortSignal): Promise<{ created: boolean }> {
  const table = engine.quoteRelation(physical);
  const from = engine.quoteRelation(staged.staging);
  const existing = await engine.describe(physical);
  const session = await engine.session();
  try {
    if (existing === undefined) {
      try {
        await session.execute(`CREATE TABLE IF NOT EXISTS ${table} AS SELECT * FROM ${from} WHERE false`);
      } catch (error) {
        // Another process (a second worker) created it at the same instant: PostgreSQL's IF NOT
        // EXISTS checks before it inserts the catalog row, so the loser gets a duplicate-key error.
        if ((await engine.describe(physical)) === undefined) throw error;
      }
    }
    const columns = ((existing ?? (await engine.describe(staged.staging))) ?? []).map((column) => engine.quoteIdentifier(column.name)).join(', ');
    await withAbort(signal, () => session.interrupt(), () =>
      session.transaction(async () => {
        await session.execute(`DELETE FROM ${table} WHERE ${staged.filter.where}`, staged.filter.params);
        await session.execute(`INSERT INTO ${table} (${columns}) SELECT ${columns} FROM ${from}`);
      }),
    );
    return { created: existing === undefined };
  } finally {
    await session.close();
  }
}
