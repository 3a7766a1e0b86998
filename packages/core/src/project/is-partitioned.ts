/**
 * Which assets are built one partition at a time. SQL models (`partitioned_by`) and TypeScript
 * assets (`defineAsset({ partitionedBy })`) can be; every other kind is built whole.
 */
import type { AssetSpec, PartitionedAsset } from './project-model.js';

/**
 * True when `asset` declares partitions; narrows it so its `partitionedBy` is set.
 *
 * @example
 * ```ts
 * if (isPartitioned(asset)) partitionKeys(asset.partitionedBy, { from: '2026-03-01', to: '2026-03-31' });
 * ```
 */
export function isPartitioned(asset: AssetSpec | undefined): asset is PartitionedAsset {
  return (asset?.kind === 'sql' || asset?.kind === 'typescript') && asset.partitionedBy !== undefined;
}
