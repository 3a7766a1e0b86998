/**
 * Lays out the asset graph with elkjs (layered, left to right): boxes for assets, polylines for
 * the edges from `upstream`. Pure data in, pure data out: the page renders it once as one SVG.
 */
import type { AssetSummary } from '@weir/core';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';

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

export const NODE_HEIGHT = 28;
// A monospace-free estimate of the label width: measuring 500 labels in the DOM before the layout
// would cost a forced reflow per label, and a box a little too wide is harmless.
const CHAR_WIDTH = 7.2;
const NODE_PADDING = 22;

const LAYOUT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'POLYLINE',
  'elk.spacing.nodeNode': '10',
  'elk.layered.spacing.nodeNodeBetweenLayers': '48',
  'elk.spacing.edgeNode': '8',
  // Fewer crossing-minimisation sweeps: at 500+ assets the default (7) costs several times more
  // layout time for a picture that is not noticeably tidier.
  'elk.layered.thoroughness': '3',
  'elk.padding': '[top=16,left=16,bottom=16,right=16]',
};

type ElkLayouter = { layout(graph: ElkNode): Promise<ElkNode> };
let elk: Promise<ElkLayouter> | undefined;

// elkjs is 1.5 MB: loaded on the first visit of the graph, so other pages do not pay for it.
function loadElk(): Promise<ElkLayouter> {
  elk ??= import('elkjs/lib/elk.bundled.js').then(({ default: ELK }) => new ELK());
  return elk;
}

/**
 * Lays out assets and the dependencies between them (upstream names that are not assets, such as
 * external tables, are left out).
 *
 * @example
 * ```ts
 * const layout = await layoutAssetGraph(await api.assets());
 * console.log(layout.nodes.length, layout.width, layout.height);
 * ```
 */
export async function layoutAssetGraph(assets: AssetSummary[]): Promise<GraphLayout> {
  const byName = new Map(assets.map((asset) => [asset.name, asset]));
  const edges: ElkExtendedEdge[] = [];
  for (const asset of assets) {
    for (const upstream of new Set(asset.upstream)) {
      if (byName.has(upstream) && upstream !== asset.name) edges.push({ id: `${upstream}\u2192${asset.name}`, sources: [upstream], targets: [asset.name] });
    }
  }
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: LAYOUT_OPTIONS,
    children: assets.map((asset) => ({ id: asset.name, width: labelWidth(asset.name), height: NODE_HEIGHT })),
    edges,
  };
  const laid = await (await loadElk()).layout(graph);
  return {
    nodes: (laid.children ?? []).map((child) => {
      const asset = byName.get(child.id)!;
      return { name: asset.name, kind: asset.kind, state: asset.state, x: child.x ?? 0, y: child.y ?? 0, width: child.width ?? 0, height: child.height ?? NODE_HEIGHT };
    }),
    edges: (laid.edges ?? []).map((edge) => ({ id: edge.id, from: edge.sources[0]!, to: edge.targets[0]!, d: edgePath(edge as ElkExtendedEdge) })),
    width: laid.width ?? 0,
    height: laid.height ?? 0,
  };
}

/** The box width for a label. */
export function labelWidth(name: string): number {
  return Math.round(name.length * CHAR_WIDTH + NODE_PADDING);
}

function edgePath(edge: ElkExtendedEdge): string {
  return (edge.sections ?? [])
    .map((section) => [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x.toFixed(1)},${point.y.toFixed(1)}`).join(''))
    .join('');
}
