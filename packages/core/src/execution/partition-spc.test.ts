/**
 * SPC checks of a partitioned asset judge a new partition against the other partitions (the
 * newest value of each, by partition key): ten ordinary days set the limits, a day with ten times
 * the orders is held back by an `error` spc check, and an ordinary day after it publishes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDBAdapter } from '../engines/duckdb/duckdb-adapter.js';
import type { EngineAdapter } from '../engines/engine-adapter.js';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { selectAssets } from '../graph/select-assets.js';
import { loadProject } from '../project/load-project.js';
import { removeTempProject, writeTempProject } from '../project/temp-project.js';
import { openSqliteStateStore } from '../storage/sqlite/open-sqlite-state-store.js';
import type { StateStore } from '../storage/state-store.js';
import { runProject } from './run-project.js';

const day = (n: number) => `2026-03-${String(n).padStart(2, '0')}`;
/** Ordinary days have 95 to 104 orders; `spike` days have 1,000. */
function ordersCsv(days: number, spike: ReadonlySet<number> = new Set()): string {
  const lines = ['id,order_date,amount'];
  let id = 0;
  for (let n = 1; n <= days; n++) {
    const count = spike.has(n) ? 1000 : 95 + ((n * 7) % 10);
    for (let i = 0; i < count; i++) lines.push(`${++id},${day(n)},${(i % 50) + 1}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('spc checks of a partitioned asset', () => {
  let root: string;
  let engine: EngineAdapter;
  let store: StateStore;

  beforeAll(async () => {
    root = await writeTempProject({
      'weir.yaml': 'name: parts_spc\n',
      'data/orders.csv': ordersCsv(10),
      'sources/files.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n    columns: { id: BIGINT, order_date: DATE, amount: DOUBLE }\n',
      'models/daily_orders.sql': `/*---
partitioned_by: { column: order_date, granularity: day, start: 2026-03-01, end: 2026-03-31 }
checks:
  - spc: { metric: row_count, severity: error, min_points: 8 }
---*/
select * from raw_orders`,
    });
    engine = await openDuckDBAdapter({ path: join(root, '.weir', 'warehouse.duckdb') });
    store = await openSqliteStateStore(join(root, '.weir', 'state.db'));
  });

  afterAll(async () => {
    await engine?.close();
    await store?.close();
    if (root) await removeTempProject(root);
  });

  async function build(partition: string) {
    const project = await loadProject(root);
    const selected = selectAssets(buildAssetGraph(project), project, { select: [], exclude: [] });
    const result = await runProject({ project, engine, store, selected, selection: [], exclusion: [], command: 'run', signal: new AbortController().signal, partition });
    const [judged] = (await store.checkResults({ runId: result.runId })).filter((check) => check.checkType === 'spc' && !check.check.startsWith('monitor_'));
    return { outcome: result.outcomes.get('daily_orders'), judged };
  }

  it('judges each day against the other days, and holds back a day with ten times the orders', async () => {
    for (let n = 1; n <= 10; n++) expect((await build(day(n))).outcome, day(n)).toBe('succeeded');
    const series = await store.metricSeries({ asset: 'daily_orders', metric: 'row_count', eachPartition: true });
    expect(series.map((point) => [point.partition, point.value])).toEqual(Array.from({ length: 10 }, (_, i) => [day(i + 1), 95 + (((i + 1) * 7) % 10)]));

    writeFileSync(join(root, 'data/orders.csv'), ordersCsv(12, new Set([11])));
    const spike = await build(day(11));
    expect(spike.outcome).toBe('blocked');
    expect(spike.judged).toMatchObject({ passed: false, severity: 'error' });
    expect(spike.judged?.detail).toMatch(/row_count/);
    const [held] = (await store.partitions({ asset: 'daily_orders' })).filter((row) => row.partition === day(11));
    expect(held?.status).toBe('blocked');

    const ordinary = await build(day(12));
    expect(ordinary.outcome).toBe('succeeded');
    expect(ordinary.judged?.passed).toBe(true);
  });

  it('rebuilding a day judges it against the others, not against its own earlier build', async () => {
    // Day 3 had 96 orders; its rebuild is judged among the other days, where 96 is ordinary.
    const again = await build(day(3));
    expect(again.outcome).toBe('succeeded');
    expect(again.judged?.passed).toBe(true);
  });
});
