/**
 * One asset's column lineage from what `graph/inferOutputColumns` worked out (SQL models, file
 * sources) or from what a TypeScript asset declares (`defineAsset({ columns, lineage })`).
 */
import type { AssetColumns } from '../graph/output-columns.js';
import type { AssetSpec, TypeScriptAsset } from '../project/project-model.js';
import type { AssetLineage, ColumnLineage, UpstreamEdge } from './lineage-model.js';

/**
 * The lineage of one asset: its columns with their direct upstream, and where unlisted columns
 * come from. A column whose sources cannot be told gets an `unknown` edge from every input.
 *
 * @param columns the asset's inferred columns (`inferOutputColumns(...).get(asset.name)`).
 * @example
 * ```ts
 * const inferred = await inferOutputColumns(project.assets, buildAssetGraph(project));
 * assetLineage(project.assets.get('stg_orders')!, inferred.get('stg_orders'));
 * // { asset: 'stg_orders', columns: [{ name: 'order_id', upstream: [{ asset: 'raw_orders', column: 'order_id', kind: 'exact' }] }, ...], ... }
 * ```
 */
export function assetLineage(asset: AssetSpec, columns: AssetColumns | undefined): AssetLineage {
  const inputs = [...new Set(asset.inputs)];
  const fromEveryInput: UpstreamEdge[] = inputs.map((input) => ({ asset: input, kind: 'unknown' }));
  const listed =
    asset.kind === 'typescript'
      ? typeScriptColumns(asset, fromEveryInput)
      : inferredColumns(columns, fromEveryInput, asset.kind !== 'sql');
  // A list that is incomplete only because some names are guesses still holds every column.
  const complete = asset.kind === 'typescript' ? asset.outputColumns !== undefined : columns !== undefined && (columns.complete || columns.unlisted === false);
  const lineage: AssetLineage = {
    asset: asset.name,
    kind: asset.kind,
    inputs,
    columns: listed,
    complete,
    unlistedUpstream: complete ? [] : fromEveryInput.map((edge) => ({ ...edge })),
    tableLevel: inputs.length > 0 && listed.every((column) => !column.known),
  };
  const reason = asset.kind === 'typescript' ? typeScriptReason(asset) : columns?.reason;
  if (reason !== undefined || !complete) lineage.reason = reason ?? `the columns of "${asset.name}" are not known`;
  return lineage;
}

/** Columns of a model, or of a source (`origin`: loaded from outside the project, so nothing upstream to know). */
function inferredColumns(columns: AssetColumns | undefined, fromEveryInput: readonly UpstreamEdge[], origin: boolean): ColumnLineage[] {
  return (columns?.columns ?? []).map((column) => ({
    name: column.name,
    known: origin || column.sources !== undefined,
    upstream:
      column.sources === undefined
        ? fromEveryInput.map((edge) => ({ ...edge }))
        : column.sources.map((source) => ({ asset: source.asset, column: source.column, kind: source.exact ? 'exact' : 'derived' })),
  }));
}

/** Declared columns (else the columns the lineage names), each with its declared lineage or unknown. */
function typeScriptColumns(asset: TypeScriptAsset, fromEveryInput: readonly UpstreamEdge[]): ColumnLineage[] {
  const declared = new Map(Object.entries(asset.columnLineage ?? {}).map(([name, lineage]) => [name.toLowerCase(), lineage]));
  const names = asset.outputColumns === undefined ? Object.keys(asset.columnLineage ?? {}) : Object.keys(asset.outputColumns);
  return names.map((name) => {
    const lineage = declared.get(name.toLowerCase());
    if (lineage === undefined) return { name, known: false, upstream: fromEveryInput.map((edge) => ({ ...edge })) };
    const kind = lineage.exact ? 'exact' : 'derived';
    return { name, known: true, upstream: lineage.sources.map((source) => ({ asset: source.asset, column: source.column, kind })) };
  });
}

function typeScriptReason(asset: TypeScriptAsset): string | undefined {
  if (asset.outputColumns !== undefined) return undefined;
  return asset.columnLineage === undefined
    ? `TypeScript asset "${asset.name}" declares neither columns nor lineage, so its lineage is table-level`
    : `TypeScript asset "${asset.name}" declares lineage but not its columns, so it may have others`;
}
