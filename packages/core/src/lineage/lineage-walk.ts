/**
 * The walk behind `upstreamOf` and `downstreamOf`: every node reachable from a start, each by its
 * best path (strongest weakest edge, then fewest steps), so that a node reached both through an
 * exact chain and through a derived one is reported exact.
 */
import { EDGE_KINDS, weakerKind, type LineageEdgeKind, type LineageNode, type LineageStep, type ReachedNode } from './lineage-model.js';

/** A node's neighbours in the walk's direction, with the kind of the edge to each. */
export type Neighbours = (node: LineageNode) => readonly LineageStep[];

/** A stable key for a node: asset and lower-cased column (DuckDB compares names ignoring case). */
export function nodeKey(node: LineageNode): string {
  return `${node.asset}\u0000${node.column === undefined ? '' : `=${node.column.toLowerCase()}`}`;
}

/**
 * Walks from `start`, in tiers: first along exact edges only, then also derived ones, then all.
 * Each tier starts from everything found so far, so a node's path always extends its parent's
 * path (the result is a tree), and no node is reported through a weaker path than it has.
 *
 * @example
 * ```ts
 * walkLineage({ asset: 'orders', column: 'id' }, (node) => index.downstream(node)); // [{ asset: 'revenue', ... }]
 * ```
 */
export function walkLineage(start: LineageNode, neighbours: Neighbours): ReachedNode[] {
  const startKey = nodeKey(start);
  const found = new Map<string, ReachedNode>();
  const pathOf = (key: string): LineageStep[] => found.get(key)?.path ?? [];
  for (const tier of EDGE_KINDS) {
    // Breadth first from the start and every node already found, nearest first.
    const queue: LineageNode[] = [start, ...[...found.values()].sort((left, right) => left.path.length - right.path.length)];
    for (let index = 0; index < queue.length; index++) {
      const node = queue[index] as LineageNode;
      const nodePath = pathOf(nodeKey(node));
      const nodeKind = found.get(nodeKey(node))?.kind ?? 'exact';
      for (const step of neighbours(node)) {
        if (!allowed(step.kind, tier)) continue;
        const key = nodeKey(step);
        if (key === startKey || found.has(key)) continue;
        const kind: LineageEdgeKind = weakerKind(nodeKind, step.kind);
        const reached: ReachedNode = { asset: step.asset, path: [...nodePath, { ...step }], kind, exact: kind === 'exact' };
        if (step.column !== undefined) reached.column = step.column;
        found.set(key, reached);
        queue.push(reached);
      }
    }
  }
  return [...found.values()].sort((left, right) => left.path.length - right.path.length || left.asset.localeCompare(right.asset) || (left.column ?? '').localeCompare(right.column ?? ''));
}

function allowed(kind: LineageEdgeKind, tier: LineageEdgeKind): boolean {
  return EDGE_KINDS.indexOf(kind) <= EDGE_KINDS.indexOf(tier);
}
