import { describe, expect, test } from 'vitest';
import { isWeirError } from '../errors/weir-error.js';
import type { AssetSpec, Project } from '../project/project-model.js';
import { AssetGraph } from './asset-graph.js';
import { selectAssets } from './select-assets.js';

function asset(name: string, kind: Exclude<AssetSpec['kind'], 'database' | 'stream' | 'http' | 'typescript_source'>, file: string, inputs: string[], tags: string[] = []): AssetSpec {
  const base = { name, file, line: 1, tags, columns: {}, checks: [] };
  if (kind === 'source') return { ...base, kind, materialization: 'table', source: 's', read: { format: 'csv', paths: [] }, inputs: [] };
  if (kind === 'typescript') return { ...base, kind, materialization: 'table', inputs, modulePath: '', exportName: name, codeHash: '' };
  return { ...base, kind, materialization: 'table', sql: '', sqlStartLine: 1, inputs, inputsDeclared: false, references: [] };
}

const assets = [
  asset('raw_orders', 'source', 'sources/shop.yaml', []),
  asset('raw_customers', 'source', 'sources/crm.yaml', []),
  asset('orders', 'sql', 'models/staging/orders.sql', ['raw_orders'], ['finance']),
  asset('customers', 'sql', 'models/staging/customers.sql', ['raw_customers']),
  asset('revenue', 'sql', 'models/marts/revenue.sql', ['orders', 'customers'], ['finance', 'marts']),
  asset('segments', 'typescript', 'models/marts/segments.ts', ['customers'], ['marketing']),
  asset('marts_summary', 'sql', 'models/marts_summary.sql', ['revenue']),
];
const project = { assets: new Map(assets.map((one) => [one.name, one])) } as Project;
const graph = AssetGraph.fromInputs(new Map(assets.map((one) => [one.name, one.inputs])));

function select(select: string[], exclude: string[] = []): string[] {
  return [...selectAssets(graph, project, { select, exclude })].sort();
}

describe('selectAssets', () => {
  test('an empty selection is everything, in graph order', () => {
    expect([...selectAssets(graph, project, { select: [], exclude: [] })]).toEqual(graph.order);
  });

  test('names, with upstream and downstream', () => {
    expect(select(['revenue'])).toEqual(['revenue']);
    expect(select(['revenue+'])).toEqual(['marts_summary', 'revenue']);
    expect(select(['+revenue'])).toEqual(['customers', 'orders', 'raw_customers', 'raw_orders', 'revenue']);
    expect(select(['+orders+'])).toEqual(['marts_summary', 'orders', 'raw_orders', 'revenue']);
    expect(select(['REVENUE'])).toEqual(['revenue']);
  });

  test('tags, paths (by whole folder names) and kinds', () => {
    expect(select(['tag:finance'])).toEqual(['orders', 'revenue']);
    expect(select(['path:models/marts'])).toEqual(['revenue', 'segments']);
    expect(select(['path:./models/marts/'])).toEqual(['revenue', 'segments']);
    expect(select(['path:models/marts/revenue.sql'])).toEqual(['revenue']);
    expect(select(['kind:source'])).toEqual(['raw_customers', 'raw_orders']);
    expect(select(['kind:typescript'])).toEqual(['segments']);
    expect(select(['tag:marketing+', '+tag:marketing'])).toEqual(['customers', 'raw_customers', 'segments']);
  });

  test('lists separated by commas or spaces are unioned; exclusions come last', () => {
    expect(select(['orders,customers segments'])).toEqual(['customers', 'orders', 'segments']);
    expect(select(['raw_orders+'], ['marts_summary', 'tag:marts'])).toEqual(['orders', 'raw_orders']);
    expect(select([], ['kind:source,kind:sql'])).toEqual(['segments']);
  });

  test('mistakes are SELECTION_INVALID, with suggestions', () => {
    const cases: Array<[string, string]> = [
      ['revnue', 'unknown asset "revnue"'],
      ['tag:financ', 'no asset has the tag "financ"'],
      ['path:models/mart', 'no asset is defined under "models/mart"'],
      ['kind:view', 'unknown kind "view"'],
      ['owner:me', 'unknown selector method "owner:"'],
      ['+', 'a selector is a name'],
      ['a+b', 'a selector is a name'],
    ];
    for (const [selector, message] of cases) {
      let caught: unknown;
      try {
        select([selector]);
      } catch (error) {
        caught = error;
      }
      expect(isWeirError(caught) && caught.code, selector).toBe('SELECTION_INVALID');
      expect((caught as Error).message).toContain(message);
    }
    expect(() => select(['orders'], ['revnue'])).toThrow('unknown asset "revnue"');
  });

  test('an unknown name suggests the closest asset', () => {
    try {
      select(['+revnue']);
    } catch (error) {
      expect(isWeirError(error) && error.describe()).toBe('invalid selector "+revnue": unknown asset "revnue"\n  hint: did you mean "revenue"?');
      return;
    }
    throw new Error('expected a selection error');
  });
});
