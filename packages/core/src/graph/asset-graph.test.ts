import { describe, expect, test } from 'vitest';
import { isWeirError } from '../errors/weir-error.js';
import { AssetGraph } from './asset-graph.js';

function graphOf(edges: Record<string, string[]>): AssetGraph {
  return AssetGraph.fromInputs(new Map(Object.entries(edges)));
}

describe('AssetGraph', () => {
  const graph = graphOf({
    raw_orders: [],
    raw_customers: [],
    orders: ['raw_orders'],
    customers: ['raw_customers'],
    revenue: ['orders', 'customers'],
    report: ['revenue'],
    lonely: [],
  });

  test('upstream and downstream maps', () => {
    expect(graph.upstream.get('revenue')).toEqual(['orders', 'customers']);
    expect(graph.downstream.get('orders')).toEqual(['revenue']);
    expect(graph.downstream.get('report')).toEqual([]);
  });

  test('the order puts every asset after its inputs, stably', () => {
    expect(graph.order).toEqual(['raw_orders', 'raw_customers', 'lonely', 'orders', 'customers', 'revenue', 'report']);
    for (const [name, inputs] of graph.upstream) {
      for (const input of inputs) expect(graph.order.indexOf(input)).toBeLessThan(graph.order.indexOf(name));
    }
  });

  test('ancestors and descendants are transitive', () => {
    expect(graph.ancestors('report')).toEqual(new Set(['revenue', 'orders', 'customers', 'raw_orders', 'raw_customers']));
    expect(graph.descendants('raw_orders')).toEqual(new Set(['orders', 'revenue', 'report']));
    expect(graph.ancestors('lonely')).toEqual(new Set());
  });

  test('a cycle is named in data-flow order, from its smallest name, with where each read is', () => {
    const error = (() => {
      try {
        AssetGraph.fromInputs(
          new Map([
            ['start', []],
            ['c', ['b', 'start']],
            ['a', ['c']],
            ['b', ['a']],
            ['after', ['c']],
          ]),
          (consumer) => ({ file: `models/${consumer}.sql`, line: 2 }),
        );
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(isWeirError(error) && error.code).toBe('GRAPH_CYCLE');
    expect((error as Error).message).toBe(
      'dependency cycle: a -> b -> c -> a\n  b reads a (models/b.sql:2)\n  c reads b (models/c.sql:2)\n  a reads c (models/a.sql:2)',
    );
  });

  test('an asset reading itself is a cycle', () => {
    expect(() => graphOf({ a: ['a'] })).toThrow('dependency cycle: a -> a');
  });
});
