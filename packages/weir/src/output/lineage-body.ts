/**
 * The JSON of column lineage and impact analysis, one shape for `weir lineage --json` and
 * `GET /api/lineage/:asset`, so the UI shows exactly what the CLI prints.
 */
import { WeirError, type AssetLineage, type LineageWalk, type ProjectLineage, type UpstreamEdge } from '@weir/core';
import type { LineageBody, LineageDirection, LineageEdgeBody, LineageReachedBody } from '@weir/core';

/** What to walk: `asset` (as a whole) or one of its columns, which way, and how many asset hops at most. */
export interface LineageRequest {
  asset: string;
  column?: string;
  direction: LineageDirection;
  /** The most asset hops a reached node may be away; absent: no limit. */
  depth?: number;
}

/**
 * Walks `lineage` from the request's asset or column and returns the body.
 *
 * @throws WeirError `ASSET_UNKNOWN` or `COLUMN_UNKNOWN` (with a did-you-mean), `USAGE` for a depth below 1.
 * @example
 * ```ts
 * const body = lineageBody(await projectLineageOf(project), { asset: 'revenue', column: 'revenue', direction: 'upstream' });
 * body.upstream?.[0]; // { asset: 'orders', column: 'amount', kind: 'derived', exact: false, path: [...] }
 * ```
 */
export function lineageBody(lineage: ProjectLineage, request: LineageRequest): LineageBody {
  const { direction, depth } = request;
  if (depth !== undefined && (!Number.isInteger(depth) || depth < 1)) throw new WeirError('USAGE', `depth must be a whole number of at least 1, not ${depth}`);
  // Resolving first gives the did-you-mean for a bad asset or column before any walk.
  const { start, note } = lineage.resolve(request.asset, request.column);
  const upstream = direction === 'downstream' ? undefined : lineage.upstreamOf(start.asset, start.column);
  const downstream = direction === 'upstream' ? undefined : lineage.downstreamOf(start.asset, start.column);
  const asset = lineage.assets.get(start.asset) as AssetLineage;
  return {
    asset: start.asset,
    column: start.column ?? null,
    direction,
    depth: depth ?? null,
    ...(note === undefined ? {} : { note }),
    lineage: {
      kind: asset.kind,
      inputs: [...asset.inputs],
      complete: asset.complete,
      tableLevel: asset.tableLevel,
      ...(asset.reason === undefined ? {} : { reason: asset.reason }),
      columns: asset.columns.map((column) => ({ name: column.name, known: column.known, upstream: column.upstream.map(edgeBody) })),
      unlistedUpstream: asset.unlistedUpstream.map(edgeBody),
    },
    ...(upstream === undefined ? {} : { upstream: reachedBodies(upstream, depth) }),
    ...(downstream === undefined ? {} : { downstream: reachedBodies(downstream, depth) }),
  };
}

function edgeBody(edge: UpstreamEdge): LineageEdgeBody {
  return { asset: edge.asset, column: edge.column ?? null, kind: edge.kind };
}

/** The reached nodes within `depth` hops (each path step crosses one asset), in the walk's order. */
function reachedBodies(walk: LineageWalk, depth: number | undefined): LineageReachedBody[] {
  return walk.reached
    .filter((node) => depth === undefined || node.path.length <= depth)
    .map((node) => ({ asset: node.asset, column: node.column ?? null, kind: node.kind, exact: node.exact, path: node.path.map(edgeBody) }));
}
