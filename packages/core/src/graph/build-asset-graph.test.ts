import { afterAll, describe, expect, test } from 'vitest';
import { isWeirError, type WeirError } from '../errors/weir-error.js';
import { loadProject } from '../project/load-project.js';
import type { SqlAsset } from '../project/project-model.js';
import { ProjectProblems } from '../project/project-problems.js';
import { removeTempProject, writeTempProject } from '../project/temp-project.js';
import { buildAssetGraph } from './build-asset-graph.js';
import { findTableReferences } from './find-table-references.js';
import { selectAssets } from './select-assets.js';

const roots: string[] = [];
async function project(files: Record<string, string>): Promise<string> {
  const root = await writeTempProject({ 'weir.yaml': 'name: shop\n', ...files });
  roots.push(root);
  return root;
}
afterAll(async () => {
  await Promise.all(roots.map((root) => removeTempProject(root)));
});

async function loadError(files: Record<string, string>): Promise<WeirError> {
  try {
    await loadProject(await project(files));
  } catch (error) {
    if (isWeirError(error)) return error;
    throw error;
  }
  throw new Error('expected the project to fail to load');
}

const SHOP = {
  'data/orders.csv': 'order_id,customer_id,amount\n1,1,10\n',
  'sources/shop.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n',
  'models/staging/orders.sql': `
    /*---
    materialization: view
    tags: [staging]
    ---*/
    -- Orders with a positive amount; "main.config" lives outside the project.
    with positive as (
      select * from raw_orders where amount > 0
    )
    select p.*, c.currency
    from positive p cross join main.config c
  `,
  'models/marts/Revenue.sql': `
    /*--- tags: [finance] ---*/ select customer_id, sum(amount) as total
    from "ORDERS"
    group by customer_id;
  `,
  'models/marts/segments.ts': `
    import { defineAsset } from 'weir';
    export const segments = defineAsset({ inputs: ['revenue'], run: () => [] });
  `,
};

describe('loading a project resolves what each model reads', () => {
  test('inputs and references of every model, and the graph of the whole project', async () => {
    const loaded = await loadProject(await project(SHOP));

    const orders = loaded.assets.get('orders') as SqlAsset;
    expect(orders.inputs).toEqual(['raw_orders']);
    expect(orders.references).toEqual([{ asset: 'raw_orders', offset: orders.sql.indexOf('raw_orders'), length: 10, aliased: false }]);
    // Line 7 of the file: the header and comment lines before the query count.
    expect(orders.sqlStartLine + orders.sql.slice(0, orders.references[0]?.offset).split('\n').length - 1).toBe(7);

    const revenue = loaded.assets.get('Revenue') as SqlAsset;
    expect(revenue.inputs).toEqual(['orders']);
    expect(revenue.references).toEqual([{ asset: 'orders', offset: revenue.sql.indexOf('"ORDERS"'), length: 8, aliased: false }]);
    // The query shares line 1 with the header, whose columns are blanked.
    expect(revenue.sqlStartLine).toBe(1);
    expect(revenue.sql.indexOf('select')).toBe('/*--- tags: [finance] ---*/ '.length);

    expect(loaded.assets.get('segments')?.inputs).toEqual(['Revenue']);
    const graph = buildAssetGraph(loaded);
    expect(graph.order).toEqual(['raw_orders', 'orders', 'Revenue', 'segments']);
    expect(graph.descendants('raw_orders')).toEqual(new Set(['orders', 'Revenue', 'segments']));
    expect([...selectAssets(graph, loaded, { select: ['path:models/marts'], exclude: ['kind:typescript'] })]).toEqual(['Revenue']);
  });

  test('a syntax error points at the line of the model file, after its header', async () => {
    const error = await loadError({ 'models/a.sql': '/*---\ntags: [x]\n---*/\nselect 1 as x\n  where and x > 1\n' });
    expect(error.code).toBe('SQL_SYNTAX');
    expect(error.describe()).toMatch(/^models\/a\.sql:5:9: syntax error in model "a": syntax error at or near "and"\n {2}5 \| {3}where and x > 1\n {4}\| {9}\^/);
  });

  test('an unknown table points at its line and suggests an asset', async () => {
    const error = await loadError({ 'models/orders.sql': 'select 1 as id', 'models/b.sql': '-- reads orders\nselect *\nfrom ordrs\n' });
    expect(error.code).toBe('ASSET_UNKNOWN');
    expect(error.describe()).toBe('models/b.sql:3:6: model "b" reads "ordrs", which is neither an asset of this project nor a CTE\n  hint: did you mean "orders"?');
  });

  test('problems of parsing and of other files are reported together', async () => {
    const error = await loadError({ 'models/a.sql': 'select * from nowhere', 'models/b.sql': 'select * frm a', 'models/c.sql': '/*---\nowner: [x]\n---*/\nselect 1' });
    expect(error).toBeInstanceOf(ProjectProblems);
    // With a file that failed to load, "unknown table" is left out: the table may be in that file.
    expect((error as ProjectProblems).problems.map((problem) => `${problem.code} ${problem.location?.file}`)).toEqual(['SQL_SYNTAX models/b.sql', 'CONFIG_INVALID models/c.sql']);
    const parsing = await loadError({ 'models/a.sql': 'select * from nowhere', 'models/b.sql': 'select * frm a' });
    expect((parsing as ProjectProblems).problems.map((problem) => `${problem.code} ${problem.location?.file}`)).toEqual(['ASSET_UNKNOWN models/a.sql', 'SQL_SYNTAX models/b.sql']);
  });

  test('a cycle names its assets in order and the files and lines of each read', async () => {
    const error = await loadError({
      'models/a.sql': 'select * from c',
      'models/b.sql': '-- b\nselect * from a',
      'models/c.ts': "import { defineAsset } from 'weir';\n\nexport const c = defineAsset({ inputs: ['b'], run: () => [] });\n",
    });
    expect(error.code).toBe('GRAPH_CYCLE');
    expect(error.describe()).toMatch(
      /^models\/b\.sql:2:15: dependency cycle: a -> b -> c -> a\n {2}b reads a \(models\/b\.sql:2:15\)\n {2}c reads b \(models\/c\.ts:3\)\n {2}a reads c \(models\/a\.sql:1:15\)/,
    );
  });

  test('a generated project of 1,000 models loads and parses', async () => {
    const files: Record<string, string> = {};
    const count = 1000;
    for (let index = 0; index < count; index++) {
      const name = `model_${String(index).padStart(4, '0')}`;
      const inputs = index === 0 ? [] : [Math.floor(index / 2), index - 1].map((input) => `model_${String(input).padStart(4, '0')}`);
      files[`models/layer_${index % 10}/${name}.sql`] =
        inputs.length === 0
          ? `/*---\nmaterialization: view\n---*/\nselect 1 as id, 10.5 as amount\n`
          : `/*---\nmaterialization: view\ntags: [layer_${index % 10}]\nchecks:\n  - not_null: id\n---*/\n` +
            `with base as (\n  select a.id, a.amount + b.amount as amount\n  from ${inputs[0]} a join ${inputs[1]} b using (id)\n)\n` +
            `select id, sum(amount) as amount from base where amount > 0 group by id\n`;
    }
    const root = await project(files);
    const started = performance.now();
    const loaded = await loadProject(root);
    const loadedAt = performance.now();
    expect(buildAssetGraph(loaded).order).toHaveLength(count);
    expect(loaded.assets.get('model_0999')?.inputs).toEqual(['model_0499', 'model_0998']);

    // The parse alone, as loadProject runs it: one DuckDB query for every model.
    const models = [...loaded.assets.values()].filter((asset): asset is SqlAsset => asset.kind === 'sql');
    const parseStarted = performance.now();
    const { problems } = await findTableReferences(models, loaded.assets.keys());
    const parseMs = performance.now() - parseStarted;
    expect(problems).toEqual([]);
    console.log(
      `1,000 models: whole load ${(loadedAt - started).toFixed(0)} ms; parse + resolve ${parseMs.toFixed(0)} ms ` +
        `(${((parseMs * 1000) / count).toFixed(0)} us per model)`,
    );
  });
});
