/**
 * `GET /api/lineage/:asset`: column-level lineage and impact analysis, the same body
 * `weir lineage <asset>[.<column>] --json` prints (both come from `ProjectLineage`'s walks).
 */

/** How a column follows from an upstream one: copied unchanged, computed from it, or it may come from it. */
export type LineageEdgeKindBody = 'exact' | 'derived' | 'unknown';

/** Which way a lineage request walks: where it comes from, what it reaches (impact), or both. */
export type LineageDirection = 'upstream' | 'downstream' | 'both';

/** One end of an edge: a column, or the asset as a whole when `column` is null (table-level). */
export interface LineageEdgeBody {
  asset: string;
  column: string | null;
  kind: LineageEdgeKindBody;
}

/** One column of the asset with its direct upstream (one hop). `upstream: []` and `known`: from no column (a constant, a count). */
export interface LineageColumnBody {
  name: string;
  known: boolean;
  upstream: LineageEdgeBody[];
}

/** A node reached end to end across assets, by its best path (strongest weakest edge, then shortest). */
export interface LineageReachedBody {
  asset: string;
  column: string | null;
  /** The weakest edge on the path. */
  kind: LineageEdgeKindBody;
  /** Every edge on the path is exact: the values are the start's, unchanged. */
  exact: boolean;
  /** The steps from the start, the last one being this node; its length is the node's depth. */
  path: LineageEdgeBody[];
}

/** The asset's own lineage: its inputs and each known column's direct upstream. */
export interface AssetLineageBody {
  kind: string;
  inputs: string[];
  /** False when the asset may have columns not listed (their upstream is `unlistedUpstream`). */
  complete: boolean;
  /** True when no column's sources are known (a TypeScript asset without declared lineage). */
  tableLevel: boolean;
  reason?: string;
  columns: LineageColumnBody[];
  unlistedUpstream: LineageEdgeBody[];
}

/** What `GET /api/lineage/:asset?column=&direction=&depth=` answers. */
export interface LineageBody {
  asset: string;
  column: string | null;
  direction: LineageDirection;
  /** The most asset hops walked, or null for no limit. */
  depth: number | null;
  /** Set when the column is not listed but may exist: the walk is table-level. */
  note?: string;
  lineage: AssetLineageBody;
  /** With `upstream` or `both`: everything it comes from. */
  upstream?: LineageReachedBody[];
  /** With `downstream` or `both`: everything it reaches (impact analysis). */
  downstream?: LineageReachedBody[];
}
