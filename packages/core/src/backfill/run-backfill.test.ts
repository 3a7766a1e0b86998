/**
 * Backfills in-process on DuckDB and SQLite: the preview, a run in dependency order per
 * partition, retrying only what failed, cancelling, and two overlapping backfills that never
 * build the same partition at the same time.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../events/weir-event.js';
import { acquireProjectLock } from '../execution/project-lock.js';
import { runLockPath } from '../execution/run-project.js';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { selectAssets } from '../graph/select-assets.js';
import { loadProject } from '../project/load-project.js';
import { closeProjectHarness, openProjectHarness, queryNumber, runHarness, type ProjectHarness } from '../testing/project-harness.js';
import { countTasks, planBackfill } from './plan-backfill.js';
import { requestBackfill } from './request-backfill.js';
import { backfillStatus, runBackfill } from './run-backfill.js';

const days = Array.from({ length: 10 }, (_, i) => `2026-03-${String(i + 1).padStart(2, '0')}`);
const csv = (bad?: string): string =>
  `id,order_date,amount\n0,2026-02-20,1\n${days.flatMap((day, i) => [`${2 * i + 1},${day},${day === bad ? -100 : 10}`, `${2 * i + 2},${day},5`]).join('\n')}\n`;

const files = (bad?: string): Record<string, string> => ({
  'data/orders.csv': csv(bad),
  'sources/files.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n    columns: { id: BIGINT, order_date: DATE, amount: DOUBLE }\n',
  'models/daily_revenue.sql': `/*---
partitioned_by: { column: order_date, granularity: day, start: 2026-03-01, end: 2026-03-11 }
checks:
  - expression: { sql: "revenue > 0", name: revenue_positive }
---*/
select order_date, sum(amount) as revenue, count(*) as orders from raw_orders group by order_date`,
  'models/daily_doubled.sql': `/*---
partitioned_by: { column: order_date, granularity: day, start: 2026-03-01, end: 2026-03-11 }
---*/
select order_date, revenue * 2 as doubled from daily_revenue`,
});

const opened: ProjectHarness[] = [];
afterEach(async () => {
  for (const h of opened.splice(0)) await closeProjectHarness(h);
});

async function setup(bad?: string) {
  const h = await openProjectHarness(files(bad));
  opened.push(h);
  expect((await runHarness(h)).status).toBe('succeeded');
  const project = await loadProject(h.root);
  const selected = selectAssets(buildAssetGraph(project), project, { select: ['daily_revenue+'], exclude: [] });
  const preview = async () => planBackfill({ project, engine: h.engine.kind, selected, from: '2026-03-01', to: '2026-03-10', partitions: await h.store.partitions({}), runIsLive: () => false });
  const start = async (options: { concurrency?: number } = {}) => {
    const backfill = await requestBackfill(h.store, await preview(), { environment: project.environment, selection: ['daily_revenue+'], from: '2026-03-01', to: '2026-03-10', concurrency: options.concurrency ?? 2 });
    return backfill;
  };
  const execute = async (backfill: Awaited<ReturnType<typeof start>>, mode: 'run' | 'resume' | 'retry', extra: { onProgress?: Parameters<typeof runBackfill>[0]['onProgress'] } = {}) => {
    const lock = await acquireProjectLock(runLockPath(project), backfill.backfillId, { wait: true });
    try {
      return await runBackfill({ project: await loadProject(h.root), engine: h.engine, store: h.store, lock, backfill, mode, concurrency: backfill.concurrency, signal: new AbortController().signal, ...extra });
    } finally {
      lock.release();
    }
  };
  return { h, project, preview, start, execute };
}

const published = (events: StoredEvent[]) => events.filter((event) => event.type === 'partition_published');

describe('backfills', () => {
  it('previews the tasks, builds every partition in dependency order, and then finds them all done', async () => {
    const { h, preview, start, execute } = await setup();
    const before = await preview();
    expect(before.assets.map((asset) => [asset.asset, asset.partitions.length])).toEqual([['daily_revenue', 10], ['daily_doubled', 10]]);
    expect(countTasks(before.tasks)).toEqual({ done: 0, running: 0, failed: 0, missing: 20 });
    const backfill = await start();
    const result = await execute(backfill, 'run');
    expect(result).toMatchObject({ status: 'succeeded', ran: 20, summary: { done: 20, running: 0, failed: 0, missing: 0 } });
    expect(countTasks((await preview()).tasks).done).toBe(20);
    // Partition p of daily_doubled started only after partition p of daily_revenue was published.
    const events = await h.store.events({});
    for (const day of days) {
      const upstream = events.findIndex((event) => event.type === 'partition_published' && event.asset === 'daily_revenue' && event.partition === day);
      const downstream = events.findIndex((event) => event.type === 'partition_started' && event.asset === 'daily_doubled' && event.partition === day);
      expect(upstream).toBeGreaterThan(-1);
      expect(downstream).toBeGreaterThan(upstream);
    }
    // Every day once, rows outside every partition left out.
    const environment = (await loadProject(h.root)).environment;
    expect(await queryNumber(h.engine, `SELECT count(*) FROM "${environment}".daily_doubled`)).toBe(10);
    expect(await queryNumber(h.engine, `SELECT count(DISTINCT order_date) FROM "${environment}".daily_revenue`)).toBe(10);
    expect(await h.store.backfills({ backfillId: backfill.backfillId })).toMatchObject([{ status: 'succeeded', summary: { done: 20 } }]);
  });

  it('retries only the failed partition (and what depends on it) once the data is fixed', async () => {
    const { h, start, execute } = await setup('2026-03-05');
    const backfill = await start();
    const first = await execute(backfill, 'run');
    expect(first.status).toBe('failed');
    const failures = first.tasks.filter((task) => task.status === 'failed').map((task) => `${task.asset} ${task.partition}: ${task.detail}`);
    expect(first.summary, failures.join('\n')).toEqual({ done: 18, running: 0, failed: 1, missing: 1 });
    const failed = first.tasks.find((task) => task.status === 'failed');
    expect(failed).toMatchObject({ asset: 'daily_revenue', partition: '2026-03-05' });
    expect(failed?.detail).toContain('revenue_positive');
    writeFileSync(join(h.root, 'data/orders.csv'), csv());
    expect((await runHarness(h, { select: ['raw_orders'] })).status).toBe('succeeded');
    const logged = (await h.store.events({})).length;
    const retried = await execute(backfill, 'retry');
    expect(retried).toMatchObject({ status: 'succeeded', ran: 2, summary: { done: 20 } });
    const rebuilt = published((await h.store.events({ afterId: logged })));
    expect(rebuilt.map((event) => event.type === 'partition_published' && `${event.asset} ${event.partition}`).sort()).toEqual(['daily_doubled 2026-03-05', 'daily_revenue 2026-03-05']);
  });

  it('stops after the running partitions when cancelled, and a resume finishes the rest', async () => {
    const { h, start, execute } = await setup();
    const backfill = await start({ concurrency: 1 });
    let asked = false;
    const stopped = await execute(backfill, 'run', {
      onProgress: (_counts, latest) => {
        if (latest !== undefined && !asked) {
          asked = true;
          void h.store.append([{ type: 'backfill_cancel_requested', at: new Date().toISOString(), backfillId: backfill.backfillId, by: 'test' }]);
        }
      },
    });
    expect(stopped.status).toBe('cancelled');
    expect(stopped.summary.done).toBeGreaterThanOrEqual(2);
    expect(stopped.summary.missing).toBeGreaterThan(0);
    expect((await h.store.backfills({ backfillId: backfill.backfillId }))[0]?.status).toBe('cancelled');
    const resumed = await execute(backfill, 'resume');
    expect(resumed).toMatchObject({ status: 'succeeded', summary: { done: 20 } });
    expect(resumed.ran).toBe(20 - stopped.summary.done);
    expect(countTasks(await backfillStatus(h.store, backfill)).done).toBe(20);
  });

  it('runs overlapping backfills one after the other: the second finds done what the first built', async () => {
    const { h, start, execute } = await setup();
    const [first, second] = [await start(), await start()];
    const [a, b] = await Promise.all([execute(first, 'run'), execute(second, 'run')]);
    expect([a.ran + b.ran, Math.min(a.ran, b.ran)]).toEqual([20, 0]);
    const events = await h.store.events({});
    expect(published(events)).toHaveLength(20);
    // Never two builds of one partition at once: each start is followed by its own publication.
    const open = new Set<string>();
    for (const event of events) {
      if (event.type === 'partition_started') {
        expect(open.has(`${event.asset} ${event.partition}`)).toBe(false);
        open.add(`${event.asset} ${event.partition}`);
      }
      if (event.type === 'partition_published') open.delete(`${event.asset} ${event.partition}`);
    }
  });
});
