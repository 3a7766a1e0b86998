/**
 * Backfills through the run queue (SQLite here; PostgreSQL in the team e2e tests): one job per
 * partition carrying its pool, the pool's limit set from weir.yaml, a job built by
 * `runBackfillJob`, an overlapping backfill sharing the jobs, and a pool weir.yaml does not declare.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isWeirError } from '../errors/weir-error.js';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { selectAssets } from '../graph/select-assets.js';
import { loadProject } from '../project/load-project.js';
import type { JobQueue } from '../queue/job-queue.js';
import { openSqliteJobQueue } from '../queue/sqlite/open-sqlite-job-queue.js';
import { closeProjectHarness, openProjectHarness, runHarness, type ProjectHarness } from '../testing/project-harness.js';
import { planBackfill } from './plan-backfill.js';
import { assetPool, enqueueBackfill, runBackfillJob, type BackfillJobPayload } from './queue-backfill.js';
import { requestBackfill } from './request-backfill.js';

const days = ['2026-03-01', '2026-03-02', '2026-03-03'];
const files = (pool = 'warehouse'): Record<string, string> => ({
  'weir.yaml': 'name: pooled\npools:\n  warehouse: 1\n',
  'data/orders.csv': `id,order_date,amount\n${days.map((day, index) => `${index + 1},${day},10`).join('\n')}\n`,
  'sources/files.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n    columns: { id: BIGINT, order_date: DATE, amount: DOUBLE }\n',
  'models/daily_revenue.sql': `/*---
partitioned_by: { column: order_date, granularity: day, start: 2026-03-01, end: 2026-03-04 }
pool: ${pool}
---*/
select order_date, sum(amount) as revenue from raw_orders group by order_date`,
});

const opened: Array<{ harness: ProjectHarness; queue?: JobQueue }> = [];
afterEach(async () => {
  for (const { harness, queue } of opened.splice(0)) {
    await queue?.close();
    await closeProjectHarness(harness);
  }
});

describe('a backfill through the run queue', () => {
  it('queues one job per partition in its pool, the pool limited as weir.yaml says, and builds a claimed job', async () => {
    const harness = await openProjectHarness(files());
    const queue = await openSqliteJobQueue(join(harness.root, '.weir', 'queue.db'));
    opened.push({ harness, queue });
    expect((await runHarness(harness)).status).toBe('succeeded');
    const project = await loadProject(harness.root);
    expect(project.pools).toEqual({ warehouse: 1 });
    expect(assetPool(project, 'daily_revenue')).toBe('warehouse');
    const selected = selectAssets(buildAssetGraph(project), project, { select: ['daily_revenue'], exclude: [] });
    const request = async () => {
      const preview = planBackfill({ project, engine: harness.engine.kind, selected, from: days[0]!, to: days[2]!, partitions: await harness.store.partitions({}), runIsLive: () => false });
      return requestBackfill(harness.store, preview, { environment: project.environment, selection: ['daily_revenue'], from: days[0]!, to: days[2]!, concurrency: 1 });
    };
    const backfill = await request();
    const options = { pools: project.pools ?? {}, poolOf: (asset: string) => assetPool(project, asset) };
    const ids = await enqueueBackfill(queue, harness.store, backfill, 'run', options);
    expect(ids).toHaveLength(3);
    expect((await queue.list({})).map((job) => job.pool)).toEqual(['warehouse', 'warehouse', 'warehouse']);

    // An overlapping backfill asks for the same partitions: it shares the jobs.
    expect(await enqueueBackfill(queue, harness.store, await request(), 'run', options)).toEqual(ids);

    // The pool holds one running job: a second worker gets nothing until the first is done.
    const [first] = await queue.claim('w1');
    expect(first).toBeDefined();
    expect(await queue.claim('w2')).toEqual([]);
    const outcome = await runBackfillJob({ project, engine: harness.engine, store: harness.store, payload: first!.payload as unknown as BackfillJobPayload, signal: new AbortController().signal });
    expect(outcome.status).toBe('done');
    await queue.complete(first!, { status: outcome.status });
    expect(await queue.claim('w2')).toHaveLength(1);
    const partition = (first!.payload as unknown as BackfillJobPayload).partition;
    expect((await harness.store.partitions({ asset: 'daily_revenue' })).find((row) => row.partition === partition)?.status).toBe('published');
  });

  it('refuses a model whose pool weir.yaml does not declare, at the header line', async () => {
    const harness = await openProjectHarness(files('warehose'));
    opened.push({ harness });
    const error = await loadProject(harness.root).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isWeirError(error)).toBe(true);
    const text = (error as Error & { describe(): string }).describe();
    expect(text).toContain('models/daily_revenue.sql:3');
    expect(text).toContain('pool "warehose" is not declared in weir.yaml');
    expect(text).toContain('warehouse');
  });
});
