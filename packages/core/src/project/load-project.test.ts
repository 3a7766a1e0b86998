import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadProject } from './load-project.js';
import type { FileSourceAsset, SqlAsset, TypeScriptAsset } from './project-model.js';
import { removeTempProject, writeTempProject } from './temp-project.js';

const roots: string[] = [];
async function project(files: Record<string, string>): Promise<string> {
  const root = await writeTempProject(files);
  roots.push(root);
  return root;
}
afterAll(async () => {
  await Promise.all(roots.map((root) => removeTempProject(root)));
});

describe('weir.yaml', () => {
  test('refuses environments named like Weir\'s own or the engine\'s schemas', async () => {
    const root = await project({ 'weir.yaml': 'name: shop\n' });
    await expect(loadProject(root, { environment: 'weir_versions' })).rejects.toMatchObject({ code: 'USAGE', message: expect.stringContaining('cannot be an environment') });
    await expect(loadProject(root, { environment: 'information_schema' })).rejects.toMatchObject({ code: 'USAGE' });
    const inFile = await project({ 'weir.yaml': 'name: shop\nenvironment: weir_staging\n' });
    await expect(loadProject(inFile)).rejects.toMatchObject({ code: 'CONFIG_INVALID', location: { file: 'weir.yaml' } });
    expect((await loadProject(root, { environment: 'dev-alice' })).environment).toBe('dev-alice');
  });

  test('defaults apply and paths are absolute against the root', async () => {
    const root = await project({ 'weir.yaml': 'name: shop\n' });
    const loaded = await loadProject(root);
    expect(loaded).toEqual({
      name: 'shop',
      root,
      environment: 'prod',
      warehouse: { engine: 'duckdb', path: path.join(root, '.weir/warehouse.duckdb') },
      state: { store: 'sqlite', path: path.join(root, '.weir/state.db') },
      defaults: { materialization: 'table', concurrency: 4, retries: 0, retryDelaySeconds: 1, timeoutSeconds: 3600, retainVersions: 3 },
      assets: new Map(),
    });
  });

  test('every setting is read, ${VAR} is resolved from options.env, and --env wins', async () => {
    const root = await project({
      'weir.yaml': `
        name: shop-2
        environment: staging
        warehouse:
          engine: postgres
          url: postgres://\${PGUSER}@localhost/shop
        state:
          store: postgres
          url: \${WEIR_STATE_URL}
        defaults:
          materialization: view
          concurrency: 8
          retries: 2
          retry_delay_seconds: 0.5
          timeout_seconds: 60
          retain_versions: 1
      `,
    });
    const env = { PGUSER: 'weir', WEIR_STATE_URL: 'postgres://state' };
    const loaded = await loadProject(root, { env });
    expect(loaded.environment).toBe('staging');
    expect(loaded.warehouse).toEqual({ engine: 'postgres', url: 'postgres://weir@localhost/shop' });
    expect(loaded.state).toEqual({ store: 'postgres', url: 'postgres://state', schema: 'weir_state' });
    expect(loaded.defaults).toEqual({ materialization: 'view', concurrency: 8, retries: 2, retryDelaySeconds: 0.5, timeoutSeconds: 60, retainVersions: 1 });
    expect((await loadProject(root, { env, environment: 'dev-alice' })).environment).toBe('dev-alice');
  });

  test('a duckdb warehouse path is relative to the project; $${ is a literal', async () => {
    const root = await project({ 'weir.yaml': 'name: shop\nwarehouse:\n  path: data/$${x}.duckdb\n  threads: 2\n  memory_limit: 1GB\n' });
    expect((await loadProject(root, { env: {} })).warehouse).toEqual({ engine: 'duckdb', path: path.join(root, 'data/${x}.duckdb'), threads: 2, memoryLimit: '1GB' });
  });

  test('the root is found from a folder inside the project', async () => {
    const root = await project({ 'weir.yaml': 'name: shop\n', 'models/marts/a.sql': 'select 1 as x' });
    const loaded = await loadProject(path.join(root, 'models', 'marts'));
    expect(loaded.root).toBe(root);
    expect([...loaded.assets.keys()]).toEqual(['a']);
  });
});

describe('sources', () => {
  test('tables become source assets with reader options, checks and absolute paths', async () => {
    const root = await project({
      'weir.yaml': 'name: shop\n',
      'data/orders.csv': 'order_id,amount\n1,2\n',
      'data/events.ndjson': '{}\n',
      'sources/shop_files.yaml': `
        tables:
          - name: raw_orders
            path: data/orders.csv
            description: Orders as exported by the shop
            owner: data-platform
            tags: [raw]
            options:
              delimiter: ";"
              header: true
              null_strings: ["", "NULL"]
              date_format: "%Y-%m-%d"
              timestamp_format: "%Y-%m-%d %H:%M:%S"
              columns:
                order_id: BIGINT
                amount: DECIMAL(12,2)
            checks:
              - not_null: order_id
          - name: raw_events
            path: data/events.ndjson
          - name: raw_clicks
            paths: [data/clicks/*.parquet, data/more/**/*.parquet]
      `,
      'sources/other.yml': 'source: crm\ntables:\n  - name: raw_customers\n    path: s3://bucket/customers.csv\n',
    });
    const loaded = await loadProject(root);
    const orders = loaded.assets.get('raw_orders') as FileSourceAsset;
    expect(orders).toEqual({
      kind: 'source',
      name: 'raw_orders',
      file: 'sources/shop_files.yaml',
      line: 2,
      source: 'shop_files',
      materialization: 'table',
      description: 'Orders as exported by the shop',
      owner: 'data-platform',
      tags: ['raw'],
      columns: {},
      inputs: [],
      // Each check remembers where it is written, for errors about it later.
      checks: [{ type: 'not_null', column: 'order_id', name: 'not_null_order_id', severity: 'error', declaredAt: { file: 'sources/shop_files.yaml', line: 17, column: 19 } }],
      read: {
        format: 'csv',
        paths: [path.join(root, 'data/orders.csv')],
        delimiter: ';',
        header: true,
        nullStrings: ['', 'NULL'],
        dateFormat: '%Y-%m-%d',
        timestampFormat: '%Y-%m-%d %H:%M:%S',
        columns: { order_id: 'BIGINT', amount: 'DECIMAL(12,2)' },
      },
    });
    expect((loaded.assets.get('raw_events') as FileSourceAsset).read).toEqual({ format: 'ndjson', paths: [path.join(root, 'data/events.ndjson')] });
    // A glob matching nothing yet is fine at load time: files may arrive before the build.
    expect((loaded.assets.get('raw_clicks') as FileSourceAsset).read).toEqual({
      format: 'parquet',
      paths: [path.join(root, 'data/clicks/*.parquet'), path.join(root, 'data/more/**/*.parquet')],
    });
    expect(loaded.assets.get('raw_clicks')?.line).toBe(20);
    const customers = loaded.assets.get('raw_customers') as FileSourceAsset;
    expect(customers.source).toBe('crm');
    expect(customers.read.paths).toEqual(['s3://bucket/customers.csv']);
  });
});

describe('SQL models', () => {
  test('the header configures the model and the query is kept exactly, with its start line', async () => {
    const root = await project({
      'weir.yaml': 'name: shop\n',
      'data/orders.csv': 'order_id\n1\n',
      'sources/shop.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n',
      'models/marts/orders_enriched.sql': `
        -- One row per order.
        /*---
        materialization: incremental
        incremental:
          strategy: merge
          unique_key: order_id
          cursor: updated_at
        description: One row per order
        owner: finance-data
        tags: [finance, marts]
        columns:
          order_id: The order's id
          status:
        retries: 2
        timeout_seconds: 600
        checks:
          - not_null: order_id
          - unique: order_id
          - accepted_values: { column: status, values: [placed, shipped, returned] }
          - row_count: { min: 1, max: 100000000 }
          - expression: { sql: "amount >= 0", severity: warn, name: non_negative_amount }
        ---*/
        select order_id, customer_id, status, amount, updated_at
        from raw_orders;
      `,
    });
    const model = (await loadProject(root)).assets.get('orders_enriched') as SqlAsset;
    const sql = 'select order_id, customer_id, status, amount, updated_at\nfrom raw_orders\n';
    const at = (line: number, column: number) => ({ file: 'models/marts/orders_enriched.sql', line, column });
    expect(model).toEqual({
      kind: 'sql',
      name: 'orders_enriched',
      file: 'models/marts/orders_enriched.sql',
      line: 1,
      materialization: 'incremental',
      incremental: { strategy: 'merge', uniqueKey: ['order_id'], cursor: 'updated_at' },
      description: 'One row per order',
      owner: 'finance-data',
      tags: ['finance', 'marts'],
      columns: { order_id: { description: "The order's id" }, status: {} },
      retries: 2,
      timeoutSeconds: 600,
      checks: [
        { type: 'not_null', column: 'order_id', name: 'not_null_order_id', severity: 'error', declaredAt: at(17, 15) },
        { type: 'unique', columns: ['order_id'], name: 'unique_order_id', severity: 'error', declaredAt: at(18, 13) },
        { type: 'accepted_values', column: 'status', values: ['placed', 'shipped', 'returned'], name: 'accepted_values_status', severity: 'error', declaredAt: at(19, 22) },
        { type: 'row_count', min: 1, max: 100000000, name: 'row_count', severity: 'error', declaredAt: at(20, 16) },
        { type: 'expression', sql: 'amount >= 0', name: 'non_negative_amount', severity: 'warn', declaredAt: at(21, 17) },
      ],
      sql,
      sqlStartLine: 23,
      inputs: ['raw_orders'],
      inputsDeclared: false,
      references: [{ asset: 'raw_orders', offset: sql.indexOf('raw_orders'), length: 10, aliased: false }],
    });
  });

  test('a model without a header takes the project defaults', async () => {
    const root = await project({ 'weir.yaml': 'name: shop\ndefaults:\n  materialization: view\n', 'models/a.sql': 'select 1 as x\n' });
    expect((await loadProject(root)).assets.get('a')).toMatchObject({ materialization: 'view', sql: 'select 1 as x\n', sqlStartLine: 1, checks: [], tags: [] });
  });

  test('an incremental model without an incremental block appends', async () => {
    const root = await project({ 'weir.yaml': 'name: shop\n', 'models/a.sql': '/*---\nmaterialization: incremental\n---*/\nselect 1 as x' });
    expect((await loadProject(root)).assets.get('a')).toMatchObject({ incremental: { strategy: 'append', uniqueKey: [] } });
  });

  test('declared inputs are written as the assets are named, and stand in for SQL DuckDB cannot read', async () => {
    const root = await project({
      'weir.yaml': 'name: shop\n',
      'models/Orders.sql': 'select 1 as x',
      'models/c.sql': 'select 2 as x',
      'models/b.sql': '/*---\ninputs: [orders]\n---*/\nselect x from orders lateral view explode(y) t as z',
      'models/d.sql': '/*---\ninputs: [c]\n---*/\nselect * from orders',
    });
    const loaded = await loadProject(root);
    expect(loaded.assets.get('b')).toMatchObject({ inputs: ['Orders'], inputsDeclared: true, references: [] });
    expect(loaded.assets.get('d')).toMatchObject({ inputs: ['Orders', 'c'], inputsDeclared: false, references: [{ asset: 'Orders', offset: 14, length: 6, aliased: false }] });
  });
});

describe('TypeScript assets', () => {
  test('one export is named after the file; its options are read and its bundle is content-addressed', async () => {
    const root = await project({
      'weir.yaml': 'name: shop\n',
      'models/lib/segment.ts': 'export function segmentOf(total: number): string { return total > 100 ? "gold" : "basic"; }\n',
      'models/customer_segments.ts': `
        import { defineAsset } from 'weir';
        import { segmentOf } from './lib/segment.js';

        export const segments = defineAsset({
          inputs: ['customer_lifetime_value'],
          description: 'RFM segment per customer',
          owner: 'growth',
          tags: ['marketing'],
          columns: { customer_id: 'BIGINT', segment: 'VARCHAR' },
          columnDescriptions: { segment: 'gold or basic' },
          checks: [{ not_null: 'segment' }, { accepted_values: { column: 'segment', values: ['gold', 'basic'] } }],
          retries: 1,
          timeoutSeconds: 30,
          async run() {
            return [{ customer_id: 1, segment: segmentOf(200) }];
          },
        });
      `,
      'models/customer_lifetime_value.sql': 'select 1 as customer_id, 200 as total',
    });
    const loaded = await loadProject(root);
    const asset = loaded.assets.get('customer_segments') as TypeScriptAsset;
    expect(asset).toMatchObject({
      kind: 'typescript',
      name: 'customer_segments',
      file: 'models/customer_segments.ts',
      line: 4,
      materialization: 'table',
      exportName: 'segments',
      inputs: ['customer_lifetime_value'],
      description: 'RFM segment per customer',
      owner: 'growth',
      tags: ['marketing'],
      outputColumns: { customer_id: 'BIGINT', segment: 'VARCHAR' },
      columns: { segment: { description: 'gold or basic' } },
      retries: 1,
      timeoutSeconds: 30,
      checks: [
        { type: 'not_null', column: 'segment', name: 'not_null_segment', severity: 'error' },
        { type: 'accepted_values', column: 'segment', values: ['gold', 'basic'], name: 'accepted_values_segment', severity: 'error' },
      ],
    });
    expect(asset.modulePath).toBe(path.join(root, '.weir/cache/assets', `${asset.codeHash}.mjs`));
    expect(asset.codeHash).toMatch(/^[0-9a-f]{64}$/);
    // The bundle runs on its own: the helper and `weir` are inside it.
    const module = (await import(asset.modulePath)) as Record<string, { run(): Promise<unknown> }>;
    expect(await module.segments?.run()).toEqual([{ customer_id: 1, segment: 'gold' }]);
    // The helper module exports no asset and is not one.
    expect([...loaded.assets.keys()]).toEqual(['customer_lifetime_value', 'customer_segments']);
  });

  test('several exports are named after their exports unless they set a name; the hash follows the code', async () => {
    const files = {
      'weir.yaml': 'name: shop\n',
      'models/many.ts': `
        import { defineAsset } from 'weir';
        export const first = defineAsset({ run: () => [] });
        export const second = defineAsset({ name: 'renamed', run: () => [{ a: 1 }] });
      `,
    };
    const root = await project(files);
    const loaded = await loadProject(root);
    expect([...loaded.assets.keys()]).toEqual(['first', 'renamed']);
    const first = loaded.assets.get('first') as TypeScriptAsset;
    expect(first).toMatchObject({ exportName: 'first', line: 2 });
    expect(loaded.assets.get('renamed')).toMatchObject({ exportName: 'second', line: 3, codeHash: first.codeHash });

    const again = await loadProject(root);
    expect((again.assets.get('first') as TypeScriptAsset).codeHash).toBe(first.codeHash);
    const changed = await project({ ...files, 'models/many.ts': files['models/many.ts'].replace('[{ a: 1 }]', '[{ a: 2 }]') });
    expect(((await loadProject(changed)).assets.get('first') as TypeScriptAsset).codeHash).not.toBe(first.codeHash);
  });

  test('the same file at another depth on disk bundles to the same hash (no machine paths in the bundle)', async () => {
    const files = { 'weir.yaml': 'name: shop\n', 'models/a.ts': "import { defineAsset } from 'weir';\nexport const a = defineAsset({ run: () => [] });\n" };
    const one = await loadProject(await project(files));
    const nested = await project(Object.fromEntries(Object.entries(files).map(([file, text]) => [`nested/deeper/${file}`, text])));
    const two = await loadProject(path.join(nested, 'nested', 'deeper'));
    expect((two.assets.get('a') as TypeScriptAsset).codeHash).toBe((one.assets.get('a') as TypeScriptAsset).codeHash);
  });
});
