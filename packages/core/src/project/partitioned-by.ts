/**
 * Reads a model header's `partitioned_by` into a {@link PartitionSpec}, with the problems a person
 * must fix (which keys go together, a known time zone, dates that are dates), each located at its
 * key in the header. The partition column is checked against the model's output columns by
 * {@link validatePartitionColumns} once every model is parsed.
 */
import type * as z from 'zod';
import { didYouMean } from '../errors/closest-name.js';
import { WeirError } from '../errors/weir-error.js';
import { timePartitioningProblem } from '../partitions/partition-keys.js';
import type { PartitionSpec } from '../partitions/partition-spec.js';
import type { KnownColumns } from './check-references.js';
import type { ConfigIssue } from './config-issues.js';
import type { partitionedBySchema } from './model-header-schema.js';
import type { AssetSpec } from './project-model.js';

/**
 * The partitioning a header declares, or the issues that stop it.
 *
 * @example
 * ```ts
 * const { spec, issues } = readPartitionedBy({ column: 'order_date', granularity: 'day', start: '2026-01-01' });
 * ```
 *
 * @param where - the block's path and name as written: `partitioned_by` in a model header,
 *   `partitionedBy` in a TypeScript asset's `defineAsset` options.
 */
export function readPartitionedBy(
  block: z.output<typeof partitionedBySchema>,
  where: { path: Array<string | number>; name: string } = { path: ['partitioned_by'], name: 'partitioned_by' },
): { spec?: PartitionSpec; issues: ConfigIssue[] } {
  const at = (key: string | number, ...more: Array<string | number>): Array<string | number> => [...where.path, key, ...more];
  if (block.values !== undefined) {
    const extra = (['granularity', 'start', 'end', 'timezone'] as const).filter((key) => block[key] !== undefined);
    if (extra.length > 0) {
      return { issues: [{ code: 'CONFIG_INVALID', path: at(extra[0]!), atKey: true, message: `"${extra[0]}" applies to time partitions; static partitions take only "column" and "values"` }] };
    }
    const seen = new Set<string>();
    for (const [index, value] of block.values.entries()) {
      if (seen.has(value)) return { issues: [{ code: 'CONFIG_INVALID', path: at('values', index), message: `"${value}" is listed twice` }] };
      seen.add(value);
    }
    return { spec: { kind: 'values', column: block.column, values: block.values }, issues: [] };
  }
  if (block.granularity === undefined) {
    return { issues: [{ code: 'CONFIG_INVALID', path: where.path, message: `"${where.name}" needs "granularity" (hour, day or month) and "start", or a list of "values"` }] };
  }
  if (block.start === undefined) {
    return { issues: [{ code: 'CONFIG_INVALID', path: at('granularity'), atKey: true, message: `"${where.name}" needs "start": the first partition, e.g. start: 2026-01-01` }] };
  }
  const spec: PartitionSpec = {
    kind: 'time',
    column: block.column,
    granularity: block.granularity,
    start: block.start,
    timezone: block.timezone ?? 'UTC',
    ...(block.end === undefined ? {} : { end: block.end }),
  };
  const problem = timePartitioningProblem(spec);
  if (problem !== undefined) return { issues: [{ code: 'CONFIG_INVALID', path: at(problem.field), message: problem.message }] };
  return { spec, issues: [] };
}

/**
 * A partition column must be one of the model's output columns, when those are known for sure.
 *
 * @example
 * ```ts
 * validatePartitionColumns(project.assets, knownColumns, problems);
 * ```
 */
export function validatePartitionColumns(assets: ReadonlyMap<string, AssetSpec>, known: KnownColumns, problems: WeirError[]): void {
  for (const asset of assets.values()) {
    if (asset.kind !== 'sql' || asset.partitionedBy === undefined) continue;
    const columns = known.get(asset.name);
    if (columns === undefined || !columns.complete) continue;
    const column = asset.partitionedBy.column;
    if (columns.columns.some((name) => name.toLowerCase() === column.toLowerCase())) continue;
    const hint = didYouMean(column, columns.columns) ?? `its columns: ${columns.columns.join(', ')}`;
    problems.push(new WeirError('CONFIG_INVALID', `partition column "${column}" is not a column of ${asset.name}`, { location: asset.partitionedAt ?? { file: asset.file, line: asset.line }, hint }));
  }
}
