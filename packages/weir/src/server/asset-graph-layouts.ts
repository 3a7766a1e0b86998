/**
 * The served project's asset graph, laid out by elkjs on the server once per project structure
 * (asset names and the edges between them) and reused by every request until a model file changes
 * that structure. States are not part of it, so a run never invalidates it: the web app colours the
 * boxes from `/api/assets`. `weir serve` starts the first layout as it starts, so the first visit
 * of the graph finds it ready; requests arriving while a layout runs share that one computation.
 */
import { createHash } from 'node:crypto';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import { inputsOf, type Project } from '@weir/core';
import type { GraphBody } from '@weir/core';
import { layoutInWorker } from './elk-worker-layout.js';
import type { ProjectView } from './project-view.js';

/** A layout as served: the body, and its JSON written once (a 1,000-asset graph is about 200 kB). */
export interface ServedGraph {
  body: GraphBody;
  json: string;
}

const GRAPH_NODE_HEIGHT = 28;
// An estimate of the label's width in the web app's font: the server has no fonts to measure
// with, and a box a little too wide is harmless.
const CHAR_WIDTH = 7.2;
const NODE_PADDING = 22;

const LAYOUT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'POLYLINE',
  'elk.spacing.nodeNode': '10',
  'elk.layered.spacing.nodeNodeBetweenLayers': '48',
  'elk.spacing.edgeNode': '8',
  // One crossing-minimisation sweep and no greedy switch pass: on a 500-asset project the first
  // layout took 2.3 s with the defaults and 1.4 s with these, for a picture not noticeably tidier.
  'elk.layered.thoroughness': '1',
  'elk.layered.crossingMinimization.greedySwitch.type': 'OFF',
  'elk.padding': '[top=16,left=16,bottom=16,right=16]',
};

/**
 * The layout cache of one served project.
 *
 * @example
 * ```ts
 * const graphs = new AssetGraphLayouts(view);
 * void graphs.warm(); // as weir serve starts
 * const { body } = await graphs.layout();
 * console.log(body.nodes.length, body.edges.length);
 * ```
 */
export class AssetGraphLayouts {
  private current: { version: string; layout: Promise<ServedGraph> } | undefined;
  // The project is loaded again only when a file changed: its structure is worked out once per load.
  private readonly structures = new WeakMap<Project, GraphStructure>();
  /** How many layouts have been started: a test tells reuse from recomputation with it. */
  computations = 0;

  constructor(
    private readonly view: ProjectView,
    private readonly layouter: (graph: ElkNode) => Promise<ElkNode> = layoutInWorker,
  ) {}

  /** The layout of the project as its files are now; a broken edit fails with the loader's error. */
  async layout(): Promise<ServedGraph> {
    const project = await this.view.project();
    let structure = this.structures.get(project);
    if (structure === undefined) {
      structure = graphStructure(project);
      this.structures.set(project, structure);
    }
    if (this.current?.version !== structure.version) {
      this.computations += 1;
      const layout = this.compute(structure);
      this.current = { version: structure.version, layout };
      // A failed layout is not kept: the next request tries again.
      layout.catch(() => {
        if (this.current?.layout === layout) this.current = undefined;
      });
    }
    return await this.current.layout;
  }

  /**
   * Starts the layout in the background; a failure (say a broken model file) is left for the
   * request that asks, which reports it.
   */
  warm(): Promise<void> {
    return this.layout().then(
      () => undefined,
      () => undefined,
    );
  }

  private async compute(structure: GraphStructure): Promise<ServedGraph> {
    const laid = await this.layouter({
      id: 'root',
      layoutOptions: LAYOUT_OPTIONS,
      children: structure.names.map((name) => ({ id: name, width: labelWidth(name), height: GRAPH_NODE_HEIGHT })),
      edges: structure.edges,
    });
    const round = (value: number | undefined) => Math.round((value ?? 0) * 10) / 10;
    const body: GraphBody = {
      version: structure.version,
      width: round(laid.width),
      height: round(laid.height),
      nodes: (laid.children ?? []).map((child) => ({ name: child.id, x: round(child.x), y: round(child.y), width: round(child.width), height: round(child.height) })),
      edges: (laid.edges ?? []).map((edge) => ({
        id: edge.id,
        from: edge.sources[0]!,
        to: edge.targets[0]!,
        route: ((edge as ElkExtendedEdge).sections ?? []).flatMap((section) => [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((point): [number, number] => [round(point.x), round(point.y)])),
      })),
    };
    return { body, json: JSON.stringify(body) };
  }
}

interface GraphStructure {
  version: string;
  names: string[];
  edges: ElkExtendedEdge[];
}

/** The asset names and the edges between assets (inputs that are not assets, such as external tables, are left out). */
function graphStructure(project: Project): GraphStructure {
  const names = [...project.assets.keys()];
  const edges: ElkExtendedEdge[] = [];
  for (const asset of project.assets.values()) {
    for (const upstream of new Set(inputsOf(asset))) {
      if (upstream !== asset.name && project.assets.has(upstream)) edges.push({ id: `${upstream}\u2192${asset.name}`, sources: [upstream], targets: [asset.name] });
    }
  }
  const hash = createHash('sha256').update(JSON.stringify([LAYOUT_VERSION, names, edges.map((edge) => edge.id)]));
  return { version: hash.digest('hex').slice(0, 16), names, edges };
}

// Bumped when the layout options or the geometry change, so a browser's cached copy is not reused.
const LAYOUT_VERSION = 1;

/** The box width for an asset's label, in graph units. */
function labelWidth(name: string): number {
  return Math.round(name.length * CHAR_WIDTH + NODE_PADDING);
}
