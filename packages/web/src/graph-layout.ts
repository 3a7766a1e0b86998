/**
 * The asset graph's drawing: the server's layout (`/api/graph`, elkjs run once per project
 * structure on the server, in a worker thread) joined with the states of `/api/assets`. The browser
 * never lays the graph out itself: when `/api/graph` fails, the page shows that route's error. Pure
 * data in, pure data out: the page renders it once as one SVG.
 */
import type { AssetSummary, GraphBody } from '@weir/core';

/** One laid-out asset: its box in graph coordinates. */
export interface GraphNodeBox {
  name: string;
  kind: string;
  state: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One laid-out dependency: an SVG path from the upstream box to the downstream one. */
export interface GraphEdgePath {
  id: string;
  from: string;
  to: string;
  d: string;
}

/** The whole laid-out graph, in graph coordinates (0,0 at the top left). */
export interface GraphLayout {
  nodes: GraphNodeBox[];
  edges: GraphEdgePath[];
  width: number;
  height: number;
}

/**
 * The server's layout with each box's kind and state from `/api/assets` (boxes of assets the list
 * does not have, after an edit between the two calls, are left out with their edges).
 *
 * @example
 * ```ts
 * const [graph, assets] = await Promise.all([api.graph(), api.assets()]);
 * const layout = serverGraphLayout(graph, assets);
 * ```
 */
export function serverGraphLayout(graph: GraphBody, assets: AssetSummary[]): GraphLayout {
  const byName = new Map(assets.map((asset) => [asset.name, asset]));
  const nodes: GraphNodeBox[] = [];
  for (const node of graph.nodes) {
    const asset = byName.get(node.name);
    if (asset) nodes.push({ ...node, kind: asset.kind, state: asset.state });
  }
  const edges = graph.edges
    .filter((edge) => byName.has(edge.from) && byName.has(edge.to))
    .map((edge) => ({ id: edge.id, from: edge.from, to: edge.to, d: edge.route.map(([x, y], index) => `${index === 0 ? 'M' : 'L'}${x},${y}`).join('') }));
  return { nodes, edges, width: graph.width, height: graph.height };
}
