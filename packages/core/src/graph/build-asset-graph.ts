/** The asset graph of a loaded project. */
import { assetsReadByChecks } from '../definitions/check-spec.js';
import type { SourceLocation } from '../errors/weir-error.js';
import type { AssetSpec, Project } from '../project/project-model.js';
import { AssetGraph } from './asset-graph.js';
import { sqlLocation } from './find-table-references.js';

/**
 * Builds the graph of a project from each asset's `inputs`. `loadProject` has already resolved
 * them and checked for cycles, so this cannot fail on a loaded project; it is cheap (linear in
 * assets and edges), so build it wherever it is needed rather than passing it around.
 *
 * @throws WeirError `GRAPH_CYCLE` (for a hand-made project) naming the cycle and where each read is.
 * @example
 * ```ts
 * const project = await loadProject(process.cwd());
 * const graph = buildAssetGraph(project);
 * console.log(graph.order);
 * ```
 */
export function buildAssetGraph(project: Project): AssetGraph {
  // Assets a check reads are built first too: an edge like an input (a cycle through a check is a cycle).
  const inputs = new Map([...project.assets].map(([name, asset]) => [name, [...new Set([...asset.inputs, ...assetsReadByChecks(asset)])] as readonly string[]]));
  return AssetGraph.fromInputs(inputs, (consumer, producer) => edgeLocation(project.assets.get(consumer), producer));
}

/** Where `consumer` reads `producer`: the first reference in its SQL, else its definition. */
function edgeLocation(consumer: AssetSpec | undefined, producer: string): SourceLocation | undefined {
  if (consumer === undefined) return undefined;
  if (consumer.kind === 'sql') {
    const reference = consumer.references.find((candidate) => candidate.asset === producer);
    if (reference !== undefined) return sqlLocation(consumer, reference.offset);
  }
  return { file: consumer.file, line: consumer.line };
}
