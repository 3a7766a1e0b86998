/**
 * Reads `defineAsset({ partitionedBy })` into a {@link PartitionSpec}: the same rules as a model
 * header's `partitioned_by` (see `partitioned-by.ts`), with problems placed at the definition's
 * export in its file, and the partition column checked against declared `columns` right away
 * (undeclared columns are checked when the rows arrive).
 */
import { didYouMean } from '../errors/closest-name.js';
import { WeirError, type SourceLocation } from '../errors/weir-error.js';
import type { PartitionSpec } from '../partitions/partition-spec.js';
import type * as z from 'zod';
import type { partitionedBySchema } from './model-header-schema.js';
import { readPartitionedBy } from './partitioned-by.js';
import { formatPath } from './yaml-source.js';

/** Which definition the options belong to. */
export interface PartitioningOwner {
  exportName: string;
  /** The asset's name. */
  name: string;
  /** Declared output columns, if any. */
  columns: Record<string, string> | undefined;
  /** The definition's export line. */
  location: SourceLocation;
}

/**
 * The partitioning a TypeScript asset declares, or the problems that stop it, each naming the file.
 *
 * @example
 * ```ts
 * const { spec, problems } = readTypeScriptPartitioning({ column: 'day', granularity: 'day', start: '2026-03-01' }, { exportName: 'rates', name: 'rates', columns: undefined, location: { file: 'models/rates.ts', line: 3 } });
 * ```
 */
export function readTypeScriptPartitioning(block: z.output<typeof partitionedBySchema>, owner: PartitioningOwner): { spec?: PartitionSpec; problems: WeirError[] } {
  const read = readPartitionedBy(block, { path: [owner.exportName, 'partitionedBy'], name: 'partitionedBy' });
  // Every problem points at the export line, so the message names the option it is about.
  const problems = read.issues.map((issue) => new WeirError(issue.code, `${formatPath(issue.path)}: ${issue.message}`, { location: owner.location, ...(issue.hint === undefined ? {} : { hint: issue.hint }) }));
  if (read.spec === undefined || problems.length > 0) return { problems };
  const declared = Object.keys(owner.columns ?? {});
  if (owner.columns !== undefined && !declared.some((name) => name.toLowerCase() === read.spec!.column.toLowerCase())) {
    const column = read.spec.column;
    problems.push(
      new WeirError('CONFIG_INVALID', `partition column "${column}" of ${owner.name} is not among its declared columns (${declared.join(', ')})`, {
        location: owner.location,
        hint: didYouMean(column, declared) ?? `add it to columns, e.g. columns: { ${column}: 'DATE', ... }`,
      }),
    );
    return { problems };
  }
  return { spec: read.spec, problems: [] };
}
