/**
 * Building partitions on both warehouse engines: a partition replaces exactly its slice, a
 * failing `error` check leaves the published partition as it was, metrics are recorded per
 * partition, and rows outside every partition are never built.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDuckDBAdapter } from '../engines/duckdb/duckdb-adapter.js';
import type { EngineAdapter } from '../engines/engine-adapter.js';
import { openPostgresAdapter } from '../engines/postgres/postgres-adapter.js';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { selectAssets } from '../graph/select-assets.js';
import { loadProject } from '../project/load-project.js';
import { removeTempProject, writeTempProject } from '../project/temp-project.js';
import { openPostgresStateStore } from '../storage/postgres/open-postgres-state-store.js';
import { openSqliteStateStore } from '../storage/sqlite/open-sqlite-state-store.js';
import type { StateStore } from '../storage/state-store.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../testing/services.js';
import { runProject } from './run-project.js';

interface Setup {
  root: string;
  engine: EngineAdapter;
  store: StateStore;
}

const orders = (rows: Array<[string, number]>): string => `id,order_date,amount\n${rows.map(([date, amount], i) => `${i + 1},${date},${amount}`).join('\n')}\n`;
const base: Array<[string, number]> = [
  ['2026-02-28', 99],
  ['2026-03-01', 10],
  ['2026-03-01', 5],
  ['2026-03-02', 7],
  ['2026-03-03', 3],
  ['2026-03-03', 4],
];

const files = {
  'weir.yaml': 'name: parts\n',
  'data/orders.csv': orders(base),
  'sources/files.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n    columns: { id: BIGINT, order_date: DATE, amount: DOUBLE }\n',
  'models/daily_revenue.sql': `/*---
partitioned_by: { column: order_date, granularity: day, start: 2026-03-01, end: 2026-03-04 }
checks:
  - expression: { sql: "revenue > 0", name: revenue_positive }
---*/
select order_date, sum(amount) as revenue, count(*) as orders from raw_orders group by order_date`,
  'models/revenue_total.sql': '/*---\nmaterialization: table\n---*/\nselect sum(revenue) as total from daily_revenue',
};

function scenario(open: () => Promise<Setup>): void {
  let setup: Setup;
  afterAll(async () => {
    await setup?.engine.close();
    await setup?.store.close();
    if (setup) await removeTempProject(setup.root);
  });

  let environment = '';
  async function run(partition?: string) {
    const project = await loadProject(setup.root);
    environment = project.environment;
    const selected = selectAssets(buildAssetGraph(project), project, { select: [], exclude: [] });
    return runProject({ project, engine: setup.engine, store: setup.store, selected, selection: [], exclusion: [], command: 'run', signal: new AbortController().signal, ...(partition ? { partition } : {}) });
  }

  async function served(): Promise<Array<{ day: string; revenue: number; orders: number }>> {
    const session = await setup.engine.session();
    try {
      const rows = await session.query(`SELECT CAST(order_date AS VARCHAR) AS day, revenue, orders FROM ${setup.engine.quoteIdentifier(environment)}.daily_revenue ORDER BY order_date`);
      return rows.map((row) => ({ day: String(row.day), revenue: Number(row.revenue), orders: Number(row.orders) }));
    } finally {
      await session.close();
    }
  }

  it('builds one partition at a time, each replacing only its slice, never rows outside every partition', async () => {
    setup = await open();
    // Without --partition a partitioned asset is left alone; what reads it is skipped until it serves something.
    const first = await run();
    expect(first.outcomes.get('daily_revenue')).toBe('skipped');
    expect(first.outcomes.get('revenue_total')).toBe('skipped');

    for (const day of ['2026-03-01', '2026-03-02', '2026-03-03']) expect((await run(day)).status).toBe('succeeded');
    expect(await served()).toEqual([
      { day: '2026-03-01', revenue: 15, orders: 2 },
      { day: '2026-03-02', revenue: 7, orders: 1 },
      { day: '2026-03-03', revenue: 7, orders: 2 },
    ]);
    // New source data for one day: rebuilding that partition changes that day only, in the same version.
    writeFileSync(join(setup.root, 'data/orders.csv'), orders([...base, ['2026-03-02', 8]]));
    const version = (await setup.store.pointers(environment)).find((pointer) => pointer.asset === 'daily_revenue')?.version;
    expect((await run('2026-03-02')).status).toBe('succeeded');
    expect(await served()).toEqual([
      { day: '2026-03-01', revenue: 15, orders: 2 },
      { day: '2026-03-02', revenue: 15, orders: 2 },
      { day: '2026-03-03', revenue: 7, orders: 2 },
    ]);
    expect((await setup.store.pointers(environment)).find((pointer) => pointer.asset === 'daily_revenue')?.version).toBe(version);
    const partitions = await setup.store.partitions({ asset: 'daily_revenue', version: version! });
    expect(partitions.map((row) => [row.partition, row.status, row.rows])).toEqual([
      ['2026-03-01', 'published', 1],
      ['2026-03-02', 'published', 1],
      ['2026-03-03', 'published', 1],
    ]);
    // A downstream model that is not partitioned reads the whole table.
    expect((await run()).outcomes.get('revenue_total')).toBe('succeeded');
  });

  it('holds back a partition whose error check fails: its published rows stay as they were', async () => {
    writeFileSync(join(setup.root, 'data/orders.csv'), orders([...base.filter(([day]) => day !== '2026-03-03'), ['2026-03-03', -50], ['2026-03-02', 8]]));
    const result = await run('2026-03-03');
    expect(result.status).toBe('failed');
    expect(result.outcomes.get('daily_revenue')).toBe('blocked');
    expect((await served()).find((row) => row.day === '2026-03-03')).toEqual({ day: '2026-03-03', revenue: 7, orders: 2 });
    const [blocked] = (await setup.store.partitions({ asset: 'daily_revenue' })).filter((row) => row.partition === '2026-03-03');
    expect(blocked).toMatchObject({ status: 'blocked', rows: 1 });
    expect(blocked?.detail).toContain('revenue_positive');
    const checks = (await setup.store.events({ runId: result.runId })).filter((event) => event.type === 'check_evaluated' && event.check === 'revenue_positive');
    expect(checks.map((event) => event.type === 'check_evaluated' && [event.partition, event.passed])).toEqual([['2026-03-03', false]]);
  });

  it('records metrics per partition', async () => {
    const day2 = await setup.store.metricSeries({ asset: 'daily_revenue', metric: 'row_count', partition: '2026-03-02' });
    expect(day2.map((point) => point.value)).toEqual([1, 1]);
    expect(await setup.store.metricSeries({ asset: 'daily_revenue', metric: 'row_count' })).toEqual([]);
    // The newest point of every partition, by key: the series a new partition is judged against.
    const each = await setup.store.metricSeries({ asset: 'daily_revenue', metric: 'row_count', eachPartition: true });
    expect(each.map((point) => [point.partition, point.value])).toEqual([
      ['2026-03-01', 1],
      ['2026-03-02', 1],
      ['2026-03-03', 1],
    ]);
    expect(each[1]?.eventId).toBe(day2[1]?.eventId);
  });

  it('refuses a key that is not a partition, naming the asset', async () => {
    await expect(run('2026-04-01')).rejects.toThrow(/daily_revenue: partition 2026-04-01 is outside/);
    await expect(run('march')).rejects.toThrow(/"march" is not a day of order_date/);
  });
}

describe('partitions on DuckDB', () => {
  scenario(async () => {
    const root = await writeTempProject(files);
    return { root, engine: await openDuckDBAdapter({ path: join(root, '.weir', 'warehouse.duckdb') }), store: await openSqliteStateStore(join(root, '.weir', 'state.db')) };
  });
});

await describeWithService(postgresService, 'partitions on PostgreSQL', () => {
  let database: TestDatabase;
  afterAll(async () => {
    await database?.drop();
  });
  scenario(async () => {
    database = await createTestDatabase('weir_partitions');
    const root = await writeTempProject(files);
    return { root, engine: await openPostgresAdapter({ url: database.url }), store: await openPostgresStateStore(database.url, { schema: 'weir_state' }) };
  });
});
