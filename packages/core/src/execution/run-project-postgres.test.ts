/**
 * A whole run with PostgreSQL as the warehouse AND as the state store: a file source, SQL models
 * (table, view, incremental), a TypeScript asset, checks that pass, warn and block, a second run
 * that rebuilds nothing, and a rollback. The same flow the DuckDB default runs, on the team setup.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgresAdapter } from '../engines/postgres/postgres-adapter.js';
import type { EngineAdapter } from '../engines/engine-adapter.js';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { selectAssets } from '../graph/select-assets.js';
import { loadProject } from '../project/load-project.js';
import { removeTempProject, writeTempProject } from '../project/temp-project.js';
import { openPostgresStateStore } from '../storage/postgres/open-postgres-state-store.js';
import type { StateStore } from '../storage/state-store.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../testing/services.js';
import { rollbackAsset } from './rollback-asset.js';
import { runProject } from './run-project.js';

await describeWithService(postgresService, 'a run on PostgreSQL (warehouse and state)', () => {
  let database: TestDatabase;
  let root: string;
  let engine: EngineAdapter;
  let store: StateStore;

  beforeAll(async () => {
    database = await createTestDatabase('weir_run');
    root = await writeTempProject({
      'weir.yaml': 'name: pg\n',
      'data/orders.csv': 'id,customer,amount,status\n1,10,5.5,placed\n2,11,7,shipped\n3,10,1,placed\n',
      'sources/files.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n    checks:\n      - not_null: id\n',
      'models/orders.sql': `/*---
checks:
  - unique: id
  - accepted_values: { column: status, values: [placed, shipped] }
  - expression: { sql: "amount > 2", severity: warn }
---*/
select id, customer, amount, status from raw_orders`,
      'models/per_customer.sql': "/*---\nmaterialization: view\n---*/\nselect customer, sum(amount) as total from orders group by customer",
      'models/order_log.sql': '/*---\nmaterialization: incremental\nincremental: { strategy: merge, unique_key: id }\n---*/\nselect id, status from orders',
      'models/doubled.ts': `
        import { defineAsset } from 'weir';
        export const doubled = defineAsset({
          inputs: ['orders'],
          columns: { id: 'BIGINT', twice: 'DOUBLE' },
          async run(ctx) {
            const out = [];
            for await (const batch of ctx.read('orders', { batchSize: 2 })) for (const row of batch) out.push({ id: row.id, twice: Number(row.amount) * 2 });
            return out;
          },
        });
      `,
    });
    engine = await openPostgresAdapter({ url: database.url });
    store = await openPostgresStateStore(database.url, { schema: 'weir_state' });
  });

  afterAll(async () => {
    await engine?.close();
    await store?.close();
    await database?.drop();
    if (root) await removeTempProject(root);
  });

  async function run() {
    const project = await loadProject(root);
    const selected = selectAssets(buildAssetGraph(project), project, { select: [], exclude: [] });
    return runProject({ project, engine, store, selected, selection: [], exclusion: [], command: 'run', signal: new AbortController().signal });
  }

  async function rows(sql: string) {
    const session = await engine.session();
    try {
      return await session.query(sql);
    } finally {
      await session.close();
    }
  }

  it('builds, checks and publishes every kind of asset, then rebuilds nothing', async () => {
    const first = await run();
    expect(first.status).toBe('succeeded');
    expect(first.summary).toMatchObject({ succeeded: 5, warnings: 1 });
    expect(await rows('SELECT customer, total FROM prod.per_customer ORDER BY customer')).toEqual([
      { customer: 10, total: 6.5 },
      { customer: 11, total: 7 },
    ]);
    expect(await rows('SELECT id, twice FROM prod.doubled ORDER BY id')).toEqual([
      { id: 1, twice: 11 },
      { id: 2, twice: 14 },
      { id: 3, twice: 2 },
    ]);
    const second = await run();
    expect(second.summary).toEqual({ unchanged: 5 });
  });

  it('holds back a version that fails a blocking check and keeps the old one readable, then rolls back', async () => {
    writeFileSync(join(root, 'data/orders.csv'), 'id,customer,amount,status\n1,10,5.5,placed\n2,11,7,shipped\n3,10,1,placed\n4,12,9,lost\n');
    const blocked = await run();
    expect(blocked.status).toBe('failed');
    expect(blocked.outcomes.get('orders')).toBe('blocked');
    expect(blocked.outcomes.get('per_customer')).toBe('skipped');
    expect(await rows('SELECT count(*)::int AS n FROM prod.orders')).toEqual([{ n: 3 }]);

    writeFileSync(join(root, 'data/orders.csv'), 'id,customer,amount,status\n1,10,5.5,placed\n2,11,7,shipped\n3,10,1,placed\n4,12,9,shipped\n');
    const fixed = await run();
    expect(fixed.status).toBe('succeeded');
    expect(await rows('SELECT count(*)::int AS n FROM prod.orders')).toEqual([{ n: 4 }]);
    expect(await rows('SELECT count(*)::int AS n FROM prod.order_log')).toEqual([{ n: 4 }]);

    const back = await rollbackAsset({ engine, store, environment: 'prod', asset: 'orders' });
    expect(back.to).not.toBe(back.from);
    expect(await rows('SELECT count(*)::int AS n FROM prod.orders')).toEqual([{ n: 3 }]);
  });
});
