/**
 * The asset graph: who reads whom. Built once per load from each asset's `inputs`, immutable
 * afterwards; planning, selection and lineage read it.
 */
import { formatLocation, WeirError, type SourceLocation } from '../errors/weir-error.js';

/** Where `consumer` reads `producer`, for the message of a cycle. */
export type LocateEdge = (consumer: string, producer: string) => SourceLocation | undefined;

/**
 * A directed acyclic graph of assets. Edges point downstream: from an input to the assets that
 * read it.
 *
 * @example
 * ```ts
 * const graph = AssetGraph.fromInputs(new Map([['orders', []], ['revenue', ['orders']]]));
 * graph.order; // ['orders', 'revenue']
 * graph.descendants('orders'); // Set { 'revenue' }
 * ```
 */
export class AssetGraph {
  /** Inputs of each asset. */
  readonly upstream: ReadonlyMap<string, readonly string[]>;
  /** Readers of each asset. */
  readonly downstream: ReadonlyMap<string, readonly string[]>;
  /** Every asset, each after all of its inputs. */
  readonly order: readonly string[];

  private constructor(upstream: Map<string, string[]>, downstream: Map<string, string[]>, order: string[]) {
    this.upstream = upstream;
    this.downstream = downstream;
    this.order = order;
  }

  /**
   * Builds the graph from each asset's inputs (every input must itself be a key).
   *
   * @throws WeirError `GRAPH_CYCLE` naming the cycle as `a -> b -> a`, each asset feeding the next.
   */
  static fromInputs(inputs: ReadonlyMap<string, readonly string[]>, locateEdge?: LocateEdge): AssetGraph {
    const upstream = new Map<string, string[]>();
    const downstream = new Map<string, string[]>();
    for (const name of inputs.keys()) downstream.set(name, []);
    for (const [name, list] of inputs) {
      const unique = [...new Set(list)];
      upstream.set(name, unique);
      for (const input of unique) {
        const readers = downstream.get(input);
        if (readers === undefined) throw new WeirError('INTERNAL', `asset "${name}" reads "${input}", which is not in the graph`);
        readers.push(name);
      }
    }
    const order = topologicalOrder(upstream, downstream);
    if (order.length < upstream.size) {
      const placed = new Set(order);
      throw cycleError(findCycle(upstream, placed), locateEdge);
    }
    return new AssetGraph(upstream, downstream, order);
  }

  /** True when `name` is an asset of the graph. */
  has(name: string): boolean {
    return this.upstream.has(name);
  }

  /** Every asset `name` reads, directly or not. */
  ancestors(name: string): Set<string> {
    return reachable(name, this.upstream);
  }

  /** Every asset that reads `name`, directly or not. */
  descendants(name: string): Set<string> {
    return reachable(name, this.downstream);
  }
}

/** Kahn's algorithm; ties are broken by the order of the input map, so the result is stable. */
function topologicalOrder(upstream: Map<string, string[]>, downstream: Map<string, string[]>): string[] {
  const waiting = new Map([...upstream].map(([name, list]) => [name, list.length]));
  const order = [...upstream.keys()].filter((name) => waiting.get(name) === 0);
  for (let index = 0; index < order.length; index++) {
    for (const reader of downstream.get(order[index] ?? '') ?? []) {
      const left = (waiting.get(reader) ?? 0) - 1;
      waiting.set(reader, left);
      if (left === 0) order.push(reader);
    }
  }
  return order;
}

/**
 * A cycle among the assets Kahn's algorithm could not place. Every such asset has an unplaced
 * input (else it would have been placed), so walking inputs from any of them must come back.
 * Returned in data-flow order, starting at its smallest name: `[a, b, c, a]` means a feeds b.
 */
function findCycle(upstream: Map<string, string[]>, placed: Set<string>): string[] {
  const unplaced = [...upstream.keys()].filter((name) => !placed.has(name)).sort();
  const seenAt = new Map<string, number>();
  const path: string[] = [];
  let current = unplaced[0] ?? '';
  while (!seenAt.has(current)) {
    seenAt.set(current, path.length);
    path.push(current);
    current = (upstream.get(current) ?? []).find((input) => !placed.has(input)) ?? current;
  }
  // path walks inputs (consumer -> producer); reverse it to read in data-flow order.
  const loop = path.slice(seenAt.get(current)).reverse();
  const smallest = loop.indexOf([...loop].sort()[0] ?? '');
  const rotated = [...loop.slice(smallest), ...loop.slice(0, smallest)];
  return [...rotated, rotated[0] ?? ''];
}

function cycleError(cycle: string[], locateEdge: LocateEdge | undefined): WeirError {
  const edges: string[] = [];
  let first: SourceLocation | undefined;
  for (let index = 0; index + 1 < cycle.length; index++) {
    const producer = cycle[index] ?? '';
    const consumer = cycle[index + 1] ?? '';
    const location = locateEdge?.(consumer, producer);
    first ??= location;
    edges.push(`  ${consumer} reads ${producer}${location === undefined ? '' : ` (${formatLocation(location)})`}`);
  }
  return new WeirError('GRAPH_CYCLE', `dependency cycle: ${cycle.join(' -> ')}\n${edges.join('\n')}`, {
    ...(first === undefined ? {} : { location: first }),
    hint: 'an asset cannot read itself, directly or through others; remove one of these reads',
  });
}

function reachable(start: string, edges: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(edges.get(start) ?? [])];
  while (stack.length > 0) {
    const name = stack.pop() ?? '';
    if (seen.has(name)) continue;
    seen.add(name);
    stack.push(...(edges.get(name) ?? []));
  }
  return seen;
}
