/**
 * Backfills with the weir binary: a 30-day dry run, a backfill killed with SIGKILL halfway and
 * resumed (every day's rows end in the table exactly once), `weir backfill show` per partition,
 * and a retry that rebuilds only the partition whose check failed.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createWeirProject, show, type WeirTestProject } from './weir-test-project.js';

const days = Array.from({ length: 30 }, (_, i) => `2026-01-${String(i + 1).padStart(2, '0')}`);
/** One to three orders a day (60 in all) and one before the first partition, which is never built. */
function orders(negativeDay?: string): string {
  const lines = ['id,order_date,amount', '0,2025-12-31,1'];
  let id = 0;
  days.forEach((day, index) => {
    for (let k = 0; k <= index % 3; k++) lines.push(`${++id},${day},${day === negativeDay ? -100 : 10 + k}`);
  });
  return `${lines.join('\n')}\n`;
}

let project: WeirTestProject;
beforeAll(async () => {
  project = await createWeirProject({
    'weir.yaml': 'name: backfills\n',
    'data/orders.csv': orders(),
    'sources/files.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n    columns: { id: BIGINT, order_date: DATE, amount: DOUBLE }\n',
    'models/daily_revenue.sql': `/*---
partitioned_by: { column: order_date, granularity: day, start: 2026-01-01, end: 2026-01-31 }
checks:
  - expression: { sql: "revenue > 0", name: revenue_positive }
---*/
select order_date, sum(amount) as revenue, count(*) as orders from raw_orders group by order_date`,
  });
  const run = await project.weir(['run']);
  expect(run.code, show(run)).toBe(0);
});
afterAll(async () => {
  await project?.cleanup();
});

const range = ['daily_revenue', '--from', '2026-01-01', '--to', '2026-01-30'];
const idOf = (stdout: string): string => /backfill (bf-[\w-]+)/.exec(stdout)?.[1] ?? '';

interface ShowJson {
  status: string;
  counts: Record<string, number>;
  tasks: Array<{ partition: string; status: string; detail?: string }>;
}

test('a dry run previews 30 tasks and builds nothing', async () => {
  const preview = await project.weir(['backfill', ...range, '--dry-run']);
  expect(preview.code, show(preview)).toBe(0);
  expect(preview.stdout).toContain('30 task(s) (1 asset(s) x partitions): 0 already done with the current version, 30 to build');
  expect((await project.weir(['backfill', 'ls'])).stdout).not.toContain('bf-');
});

test('a backfill killed halfway resumes, and every day is in the table exactly once', async () => {
  const running = project.spawnWeir(['backfill', ...range, '--concurrency', '1']);
  await running.waitForOutput(/\b1[0-4]\/30 done/);
  running.kill('SIGKILL');
  const killed = await running.exited;
  expect(killed.signal).toBe('SIGKILL');
  const id = idOf(killed.stdout);

  const interrupted = await project.weirJson<ShowJson>(['backfill', 'show', id, '--json']);
  expect(interrupted.status).toBe('interrupted');
  expect(interrupted.counts.done).toBeGreaterThanOrEqual(10);
  expect(interrupted.counts.done).toBeLessThan(30);
  expect(interrupted.counts.missing).toBe(30 - (interrupted.counts.done ?? 0));

  const resumed = await project.weir(['backfill', 'resume', id]);
  expect(resumed.code, show(resumed)).toBe(0);
  expect(resumed.stdout).toContain(`backfill ${id} succeeded: 30/30 done`);
  const finished = await project.weirJson<ShowJson>(['backfill', 'show', id, '--json']);
  expect(finished.status).toBe('succeeded');
  expect(finished.tasks.map((task) => task.status)).toEqual(days.map(() => 'done'));
  const text = await project.weir(['backfill', 'show', id]);
  expect(text.stdout).toMatch(/2026-01-30\s+done/);

  // Count by date equals the source, each day once; the order before the first partition is left out.
  const rows = await project.query<{ day: string; orders: number }>('select cast(order_date as varchar) as day, orders from daily_revenue order by order_date');
  expect(rows.map((row) => [row.day, Number(row.orders)])).toEqual(days.map((day, index) => [day, (index % 3) + 1]));
});

test('retry rebuilds only the partition whose check failed, once the data is fixed', async () => {
  project.write({ 'data/orders.csv': orders('2026-01-15') });
  expect((await project.weir(['run', '--select', 'raw_orders'])).code).toBe(0);
  const failing = await project.weir(['backfill', ...range, '--rebuild', '--concurrency', '2']);
  expect(failing.code, show(failing)).toBe(1);
  expect(failing.stdout).toContain('failed: daily_revenue 2026-01-15');
  const id = idOf(failing.stdout);
  const shown = await project.weirJson<ShowJson>(['backfill', 'show', id, '--json']);
  expect(shown.counts).toMatchObject({ done: 29, failed: 1 });
  expect(shown.tasks.find((task) => task.status === 'failed')?.detail).toContain('revenue_positive');
  // The failed partition still serves its last published rows.
  expect(await project.query('select revenue from daily_revenue where order_date = DATE \'2026-01-15\'')).toEqual([{ revenue: 33 }]);

  project.write({ 'data/orders.csv': orders() });
  expect((await project.weir(['run', '--select', 'raw_orders'])).code).toBe(0);
  const retried = await project.weir(['backfill', 'retry', id]);
  expect(retried.code, show(retried)).toBe(0);
  const built = retried.stdout.match(/\(\d{4}-\d\d-\d\d: [a-z]+\)/g) ?? [];
  expect(built).toEqual(['(2026-01-15: succeeded)']);
  expect((await project.weirJson<ShowJson>(['backfill', 'show', id, '--json'])).counts).toMatchObject({ done: 30, failed: 0 });
});
