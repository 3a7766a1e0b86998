/**
 * The asset graph's drawing: normally the server's layout (`/api/graph`, elkjs run once per project
 * structure on the server) joined with the states of `/api/assets`; if that route fails, elkjs in
 * the browser (layered, left to right) as before. Pure data in, pure data out: the page renders it
 * once as one SVG.
 */
import type { AssetSummary, GraphBody } from '@weir/core';
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
  // One crossing-minimisation sweep and no greedy switch pass: on a 500-asset project a fresh
  // page's first layout took 2.3 s with the defaults and 1.4 s with these (elkjs 0.10, Node,
  // cold JIT), for a picture that is not noticeably tidier.
  'elk.layered.thoroughness': '1',
  'elk.layered.crossingMinimization.greedySwitch.type': 'OFF',
  'elk.padding': '[top=16,left=16,bottom=16,right=16]',
};

type ElkLayouter = { layout(graph: ElkNode): Promise<ElkNode> };
let elk: Promise<ElkLayouter> | undefined;

// elkjs is 1.5 MB: loaded on the first visit of the graph, so other pages do not pay for it.
function loadElk(): Promise<ElkLayouter> {
  elk ??= import('elkjs/lib/elk.bundled.js').then(({ default: ELK }) => new ELK());
  const loading = elk;
  loading.catch(() => {
    if (elk === loading) elk = undefined;
  });
  return loading;
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

/**
 * The fallback when `/api/graph` fails: lays out assets and the dependencies between them (upstream names that are not assets, such as
 * external tables, are left out).
 *
 * @example
 * ```ts
 * const layout = await layoutAssetGraph(await api.assets());
 * console.log(layout.nodes.length, layout.width, layout.height);
 * ```
 */
export async function layoutAssetGraph(assets: AssetSummary[]): Promise<GraphLayout & { cached: boolean }> {
  const byName = new Map(assets.map((asset) => [asset.name, asset]));
  const edges: ElkExtendedEdge[] = [];
  for (const asset of assets) {
    for (const upstream of new Set(asset.upstream)) {
      if (byName.has(upstream) && upstream !== asset.name) edges.push({ id: `${upstream}\u2192${asset.name}`, sources: [upstream], targets: [asset.name] });
    }
  }
  // The geometry depends on the names and the edges only, never on the states: a return visit to
  // an unchanged project reuses the last layout instead of paying elkjs's cold start again.
  const signature = JSON.stringify([LAYOUT_VERSION, assets.map((asset) => asset.name), edges.map((edge) => edge.id)]);
  const cached = readCachedLayout(signature);
  if (cached) {
    return { ...cached, nodes: cached.nodes.map((node) => ({ ...node, kind: byName.get(node.name)!.kind, state: byName.get(node.name)!.state })), cached: true };
  }
  const layout = await layoutWithElk(assets, edges, byName);
  writeCachedLayout(signature, layout);
  return { ...layout, cached: false };
}

async function layoutWithElk(assets: AssetSummary[], edges: ElkExtendedEdge[], byName: Map<string, AssetSummary>): Promise<GraphLayout> {
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

// Bumped when the layout options or the drawing's geometry change, so old cached layouts are not reused.
const LAYOUT_VERSION = 1;
const CACHE_KEY = 'weir:graph-layout';

function readCachedLayout(signature: string): GraphLayout | undefined {
  try {
    const stored = JSON.parse(localStorage.getItem(CACHE_KEY) ?? 'null') as { signature: string; layout: GraphLayout } | null;
    return stored?.signature === signature ? stored.layout : undefined;
  } catch {
    return undefined; // storage disabled or a damaged entry: lay out again
  }
}

// One entry only (the last project shown), so the cache never grows.
function writeCachedLayout(signature: string, layout: GraphLayout): void {
  try {
    localStorage.setItem(CACHE_KEY, JSON.stringify({ signature, layout }));
  } catch {
    // Over quota or storage disabled: the next visit lays out again, nothing else is lost.
  }
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
