/**
 * Output columns of the assets that are not SQL models: file sources and TypeScript assets. Their
 * columns come from what the project declares, or (for files, when the caller allows it) from
 * DuckDB describing the files.
 */
import type { FileSourceAsset, TypeScriptAsset } from '../project/project-model.js';
import type { AssetColumns } from './output-columns.js';

/** Column names and types as an engine describes them. */
export type DescribedColumns = ReadonlyArray<{ name: string; type: string }>;

/**
 * Describes the files of a source without loading them, e.g. with DuckDB
 * `DESCRIBE SELECT * FROM read_csv(...)` (it samples the files); undefined when it cannot.
 */
export type DescribeSource = (asset: FileSourceAsset) => Promise<DescribedColumns | undefined>;

/**
 * The columns of a file source. JSON sources with declared `columns` read exactly those. A CSV
 * reads its header, and `columns` only fixes the types of the ones listed, so the list may be
 * partial; Parquet files carry their own schema. Both are known only by describing the files.
 *
 * @example
 * ```ts
 * await fileSourceColumns(project.assets.get('raw_orders') as FileSourceAsset, describe);
 * ```
 */
export async function fileSourceColumns(asset: FileSourceAsset, describe: DescribeSource | undefined): Promise<AssetColumns> {
  const declared = Object.entries(asset.read.columns ?? {}).map(([name, type]) => ({ name, type: type.toUpperCase(), nameCertain: true }));
  const isJson = asset.read.format === 'json' || asset.read.format === 'ndjson';
  if (isJson && declared.length > 0) return { columns: declared, complete: true };
  if (describe !== undefined) {
    try {
      const described = await describe(asset);
      if (described !== undefined) return { columns: described.map(({ name, type }) => ({ name, type, nameCertain: true })), complete: true };
    } catch (error) {
      return { columns: declared, complete: false, reason: `describing the files of "${asset.name}" failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  const reason =
    asset.read.format === 'csv'
      ? `the columns of "${asset.name}" come from its CSV header${declared.length > 0 ? ' ("columns:" only fixes the types of those it lists)' : ''}`
      : `the columns of "${asset.name}" come from its ${asset.read.format} files`;
  return { columns: declared, complete: false, reason };
}

/**
 * The columns of a TypeScript asset: its declared `outputColumns`, else not known.
 *
 * @example
 * ```ts
 * typeScriptAssetColumns(asset); // { columns: [{ name: 'id', type: 'BIGINT', nameCertain: true }], complete: true }
 * ```
 */
export function typeScriptAssetColumns(asset: TypeScriptAsset): AssetColumns {
  if (asset.outputColumns === undefined) {
    return { columns: [], complete: false, reason: `TypeScript asset "${asset.name}" does not declare outputColumns` };
  }
  const columns = Object.entries(asset.outputColumns).map(([name, type]) => ({ name, type: type.toUpperCase(), nameCertain: true }));
  return { columns, complete: true };
}
