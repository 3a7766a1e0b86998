/**
 * The column lineage of a whole project, and impact analysis over it: `upstreamOf` (where does
 * this column come from, end to end) and `downstreamOf` (what would a change to it reach).
 */
import { closestName } from '../errors/closest-name.js';
import { WeirError } from '../errors/weir-error.js';
import { AssetGraph } from '../graph/asset-graph.js';
import type { DescribeSource } from '../graph/input-asset-columns.js';
import { inferOutputColumns } from '../graph/infer-output-columns.js';
import type { AssetSpec } from '../project/project-model.js';
import { assetLineage } from './asset-lineage.js';
import type { AssetLineage, LineageNode, LineageStep, LineageWalk, UpstreamEdge } from './lineage-model.js';
import { nodeKey, walkLineage } from './lineage-walk.js';

/** Options of {@link buildProjectLineage}. */
export interface ProjectLineageOptions {
  /** Models already parsed (`findTableReferences(...).statements`), so nothing is parsed twice. */
  statements?: ReadonlyMap<string, unknown>;
  /** Describes file sources (CSV headers, Parquet schemas); without it their columns are known only where declared. */
  describeSource?: DescribeSource;
}

/**
 * Works out the column lineage of every asset, without building anything.
 *
 * @example
 * ```ts
 * const project = await loadProject(process.cwd());
 * const lineage = await buildProjectLineage(project.assets);
 * lineage.upstreamOf('daily_revenue', 'revenue').reached; // [{ asset: 'stg_order_items', column: 'line_amount', kind: 'derived', ... }, ...]
 * ```
 */
export async function buildProjectLineage(assets: ReadonlyMap<string, AssetSpec>, options: ProjectLineageOptions = {}): Promise<ProjectLineage> {
  const graph = AssetGraph.fromInputs(new Map([...assets].map(([name, asset]) => [name, asset.inputs.filter((input) => assets.has(input))])));
  const inferred = await inferOutputColumns(assets, graph, options);
  return new ProjectLineage([...graph.order].flatMap((name) => {
    const asset = assets.get(name);
    return asset === undefined ? [] : [assetLineage(asset, inferred.get(name))];
  }));
}

interface IndexedEdge {
  from: LineageNode;
  to: LineageNode;
  kind: UpstreamEdge['kind'];
}

/** The lineage of every asset, indexed both ways for walks. Immutable. */
export class ProjectLineage {
  /** Each asset's lineage, in graph order (every asset after its inputs). */
  readonly assets: ReadonlyMap<string, AssetLineage>;
  private readonly into = new Map<string, IndexedEdge[]>();
  private readonly outOf = new Map<string, IndexedEdge[]>();
  /** Column nodes that have edges, by asset: what "the whole asset" stands for in a walk. */
  private readonly columnNodes = new Map<string, Map<string, LineageNode>>();

  constructor(lineages: Iterable<AssetLineage>) {
    this.assets = new Map([...lineages].map((lineage) => [lineage.asset, lineage]));
    for (const lineage of this.assets.values()) {
      for (const column of lineage.columns) {
        const to = { asset: lineage.asset, column: column.name };
        this.remember(to);
        for (const edge of column.upstream) this.add({ from: nodeOf(edge), to, kind: edge.kind });
      }
      for (const edge of lineage.unlistedUpstream) this.add({ from: nodeOf(edge), to: { asset: lineage.asset }, kind: edge.kind });
    }
  }

  /**
   * Everything `asset` (or one of its columns) comes from, end to end across assets. Without a
   * column, the walk starts from every column of the asset.
   *
   * @throws WeirError `ASSET_UNKNOWN` or `COLUMN_UNKNOWN` (with a did-you-mean).
   * @example
   * ```ts
   * lineage.upstreamOf('daily_revenue', 'order_date').reached[0]; // { asset: 'stg_orders', column: 'order_date', kind: 'exact', exact: true, path: [...] }
   * ```
   */
  upstreamOf(asset: string, column?: string): LineageWalk {
    return this.walk('upstream', asset, column);
  }

  /**
   * Everything that reads `asset` (or one of its columns), end to end: the impact of changing it.
   *
   * @throws WeirError `ASSET_UNKNOWN` or `COLUMN_UNKNOWN` (with a did-you-mean).
   * @example
   * ```ts
   * lineage.downstreamOf('stg_orders', 'order_date').reached.map((node) => `${node.asset}.${node.column}`);
   * ```
   */
  downstreamOf(asset: string, column?: string): LineageWalk {
    return this.walk('downstream', asset, column);
  }

  /**
   * Resolves a name as typed (`asset` exactly, else ignoring case; a column ignoring case) to the
   * node a walk starts from, with a note when the column is not listed but may exist.
   *
   * @throws WeirError `ASSET_UNKNOWN` or `COLUMN_UNKNOWN` (with a did-you-mean).
   */
  resolve(asset: string, column?: string): { start: LineageNode; note?: string } {
    const lineage = this.assets.get(asset) ?? [...this.assets.values()].find((candidate) => candidate.asset.toLowerCase() === asset.toLowerCase());
    if (lineage === undefined) {
      const suggestion = closestName(asset, this.assets.keys());
      throw new WeirError('ASSET_UNKNOWN', `no asset "${asset}" in this project`, suggestion === undefined ? {} : { hint: `did you mean "${suggestion}"?` });
    }
    if (column === undefined) return { start: { asset: lineage.asset } };
    const listed = lineage.columns.find((candidate) => candidate.name.toLowerCase() === column.toLowerCase());
    if (listed !== undefined) return { start: { asset: lineage.asset, column: listed.name } };
    const named = this.columnNodes.get(lineage.asset)?.get(column.toLowerCase());
    if (!lineage.complete) {
      const note = `"${lineage.asset}" may have a column "${column}" (${lineage.reason ?? 'its columns are not all known'}): its lineage is table-level`;
      return { start: { asset: lineage.asset, column: named?.column ?? column }, note };
    }
    const suggestion = closestName(column, lineage.columns.map((candidate) => candidate.name));
    const hint = suggestion === undefined ? (lineage.columns.length === 0 ? `"${lineage.asset}" has no columns` : undefined) : `did you mean "${lineage.asset}.${suggestion}"?`;
    throw new WeirError('COLUMN_UNKNOWN', `asset "${lineage.asset}" has no column "${column}"`, hint === undefined ? {} : { hint });
  }

  private walk(direction: LineageWalk['direction'], asset: string, column: string | undefined): LineageWalk {
    const { start, note } = this.resolve(asset, column);
    const reached = walkLineage(start, (node) => (direction === 'upstream' ? this.upstreamSteps(node) : this.downstreamSteps(node)));
    const walk: LineageWalk = { direction, start, reached };
    if (note !== undefined) walk.note = note;
    return walk;
  }

  /**
   * A listed column's own sources; a column not listed also stands in the asset's unlisted part;
   * the whole asset is every column and the unlisted part.
   */
  private upstreamSteps(node: LineageNode): LineageStep[] {
    const keys = [nodeKey(node)];
    if (node.column === undefined) keys.push(...this.columnsOf(node.asset).map(nodeKey));
    else if (!this.isListed(node)) keys.push(nodeKey({ asset: node.asset }));
    return keys.flatMap((key) => this.into.get(key) ?? []).map((edge) => step(edge.from, edge.kind));
  }

  /** A column is read by what reads it and by what reads its whole asset (those may read any column). */
  private downstreamSteps(node: LineageNode): LineageStep[] {
    const keys = [nodeKey(node), nodeKey({ asset: node.asset })];
    if (node.column === undefined) keys.push(...this.columnsOf(node.asset).map(nodeKey));
    return [...new Set(keys)].flatMap((key) => this.outOf.get(key) ?? []).map((edge) => step(edge.to, edge.kind));
  }

  private columnsOf(asset: string): LineageNode[] {
    return [...(this.columnNodes.get(asset)?.values() ?? [])];
  }

  private isListed(node: LineageNode): boolean {
    const lineage = this.assets.get(node.asset);
    return lineage?.columns.some((column) => column.name.toLowerCase() === node.column?.toLowerCase()) ?? false;
  }

  private add(edge: IndexedEdge): void {
    if (edge.from.column !== undefined) this.remember(edge.from);
    push(this.into, nodeKey(edge.to), edge);
    push(this.outOf, nodeKey(edge.from), edge);
  }

  private remember(node: LineageNode): void {
    if (node.column === undefined) return;
    let columns = this.columnNodes.get(node.asset);
    if (columns === undefined) this.columnNodes.set(node.asset, (columns = new Map()));
    if (!columns.has(node.column.toLowerCase())) columns.set(node.column.toLowerCase(), node);
  }
}

function nodeOf(edge: UpstreamEdge): LineageNode {
  return edge.column === undefined ? { asset: edge.asset } : { asset: edge.asset, column: edge.column };
}

function step(node: LineageNode, kind: LineageStep['kind']): LineageStep {
  return node.column === undefined ? { asset: node.asset, kind } : { asset: node.asset, column: node.column, kind };
}

function push(map: Map<string, IndexedEdge[]>, key: string, edge: IndexedEdge): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [edge]);
  else list.push(edge);
}
