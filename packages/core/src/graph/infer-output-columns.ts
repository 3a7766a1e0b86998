/**
 * Which columns every asset of a project produces, worked out before anything is built: from the
 * declarations of sources and TypeScript assets, and from the SQL of models (DuckDB's own parser,
 * `*` expanded over the upstream assets in graph order). Load-time validation of checks rests on
 * it, so it never guesses: what it cannot tell, it marks incomplete.
 */
import type { AssetSpec, SqlAsset } from '../project/project-model.js';
import type { AssetGraph } from './asset-graph.js';
import { printUnaliasedExpressions } from './expression-names.js';
import { fileSourceColumns, typeScriptAssetColumns, type DescribeSource } from './input-asset-columns.js';
import type { AssetColumns } from './output-columns.js';
import { queryColumns } from './query-columns.js';
import { assetRelation, deduplicate, toAssetColumns, type Relation } from './relation-columns.js';
import type { WalkContext } from './query-scope.js';
import { serializeSql } from './sql-parser.js';

/** Options of {@link inferOutputColumns}. */
export interface InferOutputColumnsOptions {
  /**
   * Models already parsed: the AST node by model name, as `findTableReferences(...).statements`
   * returns it, so a project is parsed once. Models missing here are parsed (in one DuckDB query).
   */
  statements?: ReadonlyMap<string, unknown>;
  /**
   * Describes a file source's files (a CSV's header, a Parquet schema). Without it, a source
   * whose files carry their columns is incomplete, and so is a `*` over it.
   */
  describeSource?: DescribeSource;
}

/**
 * Works out each asset's output columns without building anything.
 *
 * @returns per asset name: the columns known, in order, and `complete: false` (with a `reason`)
 *   when the asset may have more columns than listed. Use `columnPresence` to test a name.
 * @example
 * ```ts
 * const project = await loadProject(root);
 * const columns = await inferOutputColumns(project.assets, buildAssetGraph(project));
 * columns.get('stg_orders'); // { columns: [{ name: 'order_id', ... }, ...], complete: true }
 * ```
 */
export async function inferOutputColumns(
  assets: ReadonlyMap<string, AssetSpec>,
  graph: AssetGraph,
  options: InferOutputColumnsOptions = {},
): Promise<Map<string, AssetColumns>> {
  const models = [...assets.values()].filter((asset): asset is SqlAsset => asset.kind === 'sql');
  const [statements, described] = await Promise.all([modelStatements(models, options.statements), describeInputs(assets, options.describeSource)]);
  const printed = await printUnaliasedExpressions([...statements.values()]);
  const result = new Map<string, AssetColumns>();
  const relations = new Map<string, { name: string; relation: Relation }>();
  const context: WalkContext = {
    assets: relations,
    printed,
    queryColumns: (node, ctes, outer) => queryColumns(node, ctes, outer, context),
  };
  const order = [...graph.order, ...[...assets.keys()].filter((name) => !graph.has(name))];
  for (const name of order) {
    const asset = assets.get(name);
    if (asset === undefined) continue;
    const columns = asset.kind === 'sql' ? modelColumns(asset, statements.get(name), context) : (described.get(name) ?? { columns: [], complete: false, reason: 'not known' });
    result.set(name, columns);
    relations.set(name.toLowerCase(), { name, relation: assetRelation(name, columns) });
  }
  return result;
}

function modelColumns(model: SqlAsset, statement: unknown, context: WalkContext): AssetColumns {
  if (statement === undefined || model.inputsDeclared) {
    return { columns: [], complete: false, reason: `DuckDB cannot parse model "${model.name}", so its columns are not known` };
  }
  try {
    // A table or view makes the names unique, as a subquery does.
    return toAssetColumns(deduplicate(context.queryColumns(statement, new Map(), undefined)));
  } catch (error) {
    // A surprise in the AST must never turn into a false "missing column" error.
    return { columns: [], complete: false, reason: `Weir could not work out the columns of "${model.name}": ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Each model's statement node: reused from `parsed` where present, else parsed now. */
async function modelStatements(models: readonly SqlAsset[], parsed: ReadonlyMap<string, unknown> | undefined): Promise<Map<string, unknown>> {
  const statements = new Map<string, unknown>();
  const missing: SqlAsset[] = [];
  for (const model of models) {
    const statement = parsed?.get(model.name);
    if (statement === undefined) missing.push(model);
    else statements.set(model.name, statement);
  }
  const serialized = await serializeSql(missing.map((model) => model.sql));
  missing.forEach((model, index) => {
    const result = serialized[index];
    if (result !== undefined && !result.error && result.statements.length === 1) statements.set(model.name, result.statements[0]?.node);
  });
  return statements;
}

/** Sources and TypeScript assets, described concurrently (the engine queues what it must). */
async function describeInputs(assets: ReadonlyMap<string, AssetSpec>, describe: DescribeSource | undefined): Promise<Map<string, AssetColumns>> {
  const entries = await Promise.all(
    [...assets.values()].map(async (asset): Promise<[string, AssetColumns] | undefined> => {
      if (asset.kind === 'source') return [asset.name, await fileSourceColumns(asset, describe)];
      if (asset.kind === 'typescript') return [asset.name, typeScriptAssetColumns(asset)];
      return undefined;
    }),
  );
  return new Map(entries.filter((entry): entry is [string, AssetColumns] => entry !== undefined));
}
