/**
 * Column-level lineage of a project: for every asset column, the upstream columns it comes from,
 * each edge marked `exact`, `derived` or `unknown`. A node without a column is an asset as a whole:
 * the table-level form, used where columns cannot be told.
 */
import type { AssetSpec } from '../project/project-model.js';

/**
 * How a column follows from an upstream one: `exact` (copied unchanged, maybe renamed),
 * `derived` (computed from it: an expression, an aggregate, a CASE, a cast...), or `unknown`
 * (it may come from the upstream asset, but from which of its columns, and how, cannot be told).
 */
export type LineageEdgeKind = 'exact' | 'derived' | 'unknown';

/** A column of an asset, or the asset as a whole when `column` is absent. */
export interface LineageNode {
  asset: string;
  column?: string;
}

/** One direct upstream of a column: the upstream node and how the column follows from it. */
export interface UpstreamEdge extends LineageNode {
  kind: LineageEdgeKind;
}

/** One column of an asset and its direct upstream (one hop, never further). */
export interface ColumnLineage {
  /** As DuckDB names it (see `OutputColumn.name`). */
  name: string;
  /**
   * False when its sources cannot be told (an ambiguous name, a table function's column, an
   * undeclared TypeScript column): then `upstream` is an `unknown` edge from every input, if any.
   */
  known: boolean;
  /**
   * Where its values come from. `[]`: from no column (a constant, `count(*)`). A column whose
   * sources cannot be told has one `unknown` edge from each input asset as a whole.
   */
  upstream: UpstreamEdge[];
}

/** The lineage of one asset. */
export interface AssetLineage {
  asset: string;
  kind: AssetSpec['kind'];
  /** Input assets (table-level lineage, always known). */
  inputs: readonly string[];
  /** Known columns in output order. */
  columns: ColumnLineage[];
  /**
   * False when the asset may have columns not listed (a `*` over a source whose columns are not
   * known, a TypeScript asset without `columns`): those come from `unlistedUpstream`.
   */
  complete: boolean;
  /** Why it is not complete (or why some names are guesses: an unaliased cast), for people. */
  reason?: string;
  /** Where the columns not listed come from: an `unknown` edge from each input; `[]` when complete. */
  unlistedUpstream: UpstreamEdge[];
  /**
   * True when no column's sources are known: the asset reads its inputs, and that is all Weir can
   * tell (a TypeScript asset that declares no lineage, a model DuckDB cannot parse).
   */
  tableLevel: boolean;
}

/** One step of a lineage walk: the node reached and the kind of the edge taken to reach it. */
export interface LineageStep extends LineageNode {
  kind: LineageEdgeKind;
}

/** A node reached by a walk (upstream or downstream), with how it was reached. */
export interface ReachedNode extends LineageNode {
  /** The steps from the start to this node, in walk order; the last one is this node. */
  path: LineageStep[];
  /** The weakest edge on the path: `exact` when every edge is exact, `unknown` when any is. */
  kind: LineageEdgeKind;
  /** True when every edge on the path is exact: the values are the start's, unchanged. */
  exact: boolean;
}

/** What `upstreamOf` and `downstreamOf` return. */
export interface LineageWalk {
  direction: 'upstream' | 'downstream';
  /** Where the walk started (`column` absent: the whole asset). */
  start: LineageNode;
  /** Set when the start column is not listed (its asset's columns are not all known): why the walk is table-level. */
  note?: string;
  /**
   * Every node reached, end to end across assets, each once, by the best path: one whose weakest
   * edge is strongest (`exact` over `derived` over `unknown`), then the shortest. Sorted by path length.
   */
  reached: ReachedNode[];
}

const STRENGTH: Record<LineageEdgeKind, number> = { exact: 0, derived: 1, unknown: 2 };

/**
 * The weaker of two edge kinds (`unknown` is weakest).
 *
 * @example
 * ```ts
 * weakerKind('exact', 'derived'); // 'derived'
 * ```
 */
export function weakerKind(left: LineageEdgeKind, right: LineageEdgeKind): LineageEdgeKind {
  return STRENGTH[left] >= STRENGTH[right] ? left : right;
}

/** The edge kinds from strongest to weakest. */
export const EDGE_KINDS: readonly LineageEdgeKind[] = ['exact', 'derived', 'unknown'];
