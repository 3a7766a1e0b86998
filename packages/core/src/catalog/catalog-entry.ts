/**
 * What the catalog knows about one asset: the text a person searches (name, description, owner,
 * tags, columns with their types and descriptions) and where it sits (file, upstream, downstream).
 * Built from the loaded project plus columns from one of two places: the warehouse (what a built
 * asset really has) or the project's own declarations (what it will have), so search works
 * before anything is built.
 */
import type { ColumnInfo } from '../engines/engine-adapter.js';
import type { AssetColumns } from '../graph/output-columns.js';
import { inputsOf } from '../plan/build-plan.js';
import type { AssetSpec } from '../project/project-model.js';

/** One column of a catalog entry. */
export interface CatalogColumn {
  name: string;
  /** The SQL type, when the warehouse or a declaration says it. */
  type: string | null;
  description: string | null;
}

/** One asset in the catalog. */
export interface CatalogEntry {
  name: string;
  kind: string;
  materialization: string;
  description: string | null;
  owner: string | null;
  tags: string[];
  /** Path of its definition, relative to the project root. */
  file: string;
  upstream: string[];
  downstream: string[];
  columns: CatalogColumn[];
  /**
   * `warehouse`: described from the built asset's environment view. `declared`: from the project's
   * files (declared columns, TypeScript `columns`, columns worked out from a model's SQL), which
   * may miss some (a `*` over a source whose columns are not known).
   */
  columnsFrom: 'warehouse' | 'declared';
}

/** Where the columns of {@link catalogEntries} come from. */
export interface CatalogColumnSources {
  /** Columns of built assets as the warehouse describes them, by asset name. */
  described?: ReadonlyMap<string, readonly ColumnInfo[]>;
  /** Columns worked out from the project's files (`inferOutputColumns`), by asset name. */
  inferred?: ReadonlyMap<string, AssetColumns>;
}

/**
 * The catalog entries of a project's assets, in the order of `assets`.
 *
 * @example
 * ```ts
 * const project = await loadProject(root);
 * const inferred = await inferOutputColumns(project.assets, buildAssetGraph(project));
 * const entries = catalogEntries(project.assets, { inferred });
 * entries[0]; // { name: 'raw_orders', columns: [{ name: 'order_id', type: 'BIGINT', description: null }, ...], columnsFrom: 'declared', ... }
 * ```
 */
export function catalogEntries(assets: ReadonlyMap<string, AssetSpec>, sources: CatalogColumnSources = {}): CatalogEntry[] {
  const downstream = new Map<string, string[]>();
  for (const asset of assets.values()) {
    for (const input of inputsOf(asset)) downstream.set(input, [...(downstream.get(input) ?? []), asset.name]);
  }
  return [...assets.values()].map((asset) => {
    const described = sources.described?.get(asset.name);
    return {
      name: asset.name,
      kind: asset.kind,
      materialization: asset.materialization,
      description: asset.description ?? null,
      owner: asset.owner ?? null,
      tags: [...asset.tags],
      file: asset.file,
      upstream: [...inputsOf(asset)],
      downstream: downstream.get(asset.name) ?? [],
      columns: described === undefined ? declaredColumns(asset, sources.inferred?.get(asset.name)) : withDescriptions(asset, described.map((column) => ({ name: column.name, type: column.type }))),
      columnsFrom: described === undefined ? 'declared' : 'warehouse',
    };
  });
}

/** Worked-out columns first (in output order), then declared ones they miss (a description for a column Weir cannot see). */
function declaredColumns(asset: AssetSpec, inferred: AssetColumns | undefined): CatalogColumn[] {
  const listed: Array<{ name: string; type: string | null }> = (inferred?.columns ?? []).map((column) => ({ name: column.name, type: column.type ?? null }));
  const typed = asset.kind === 'typescript' ? (asset.outputColumns ?? {}) : {};
  for (const [name, type] of Object.entries(typed)) if (!has(listed, name)) listed.push({ name, type });
  for (const name of Object.keys(asset.columns)) if (!has(listed, name)) listed.push({ name, type: null });
  return withDescriptions(asset, listed.map((column) => ({ ...column, type: column.type ?? typeOf(typed, column.name) })));
}

/** Column names compare ignoring case, as DuckDB's identifiers do. */
function has(columns: ReadonlyArray<{ name: string }>, name: string): boolean {
  return columns.some((column) => column.name.toLowerCase() === name.toLowerCase());
}

function typeOf(typed: Record<string, string>, name: string): string | null {
  const key = Object.keys(typed).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? null : (typed[key] ?? null);
}

function withDescriptions(asset: AssetSpec, columns: Array<{ name: string; type: string | null }>): CatalogColumn[] {
  const declared = new Map(Object.entries(asset.columns).map(([name, column]) => [name.toLowerCase(), column.description]));
  return columns.map((column) => ({ name: column.name, type: column.type, description: declared.get(column.name.toLowerCase()) ?? null }));
}
