/**
 * The shop project with a short history that makes every KPI say something: a clean first run,
 * a run where `revenue` breaks, a run that fixes it (with a revenue going negative, so a warn
 * check fails), and a run of `raw_orders` alone on new data, which leaves `orders` stale behind
 * it. `calendar` expects new data every second (a freshness check, not a sensor: `weir serve`
 * would run a sensor), so it is stale once a second has passed since its build. Used by the KPI
 * API and browser tests.
 */
import { join } from 'node:path';
import { openSqliteStateStore, type WeirEvent } from '@weir/core';
import { ordersCsv, ORDERS_ROWS, shopFiles } from './shop-fixture.js';
import { createWeirProject, show, type WeirTestProject } from './weir-test-project.js';

/** `models/calendar.sql` with a freshness expectation (judged from its publications: the first build passes). */
const CALENDAR = `/*---
description: Independent of everything else
checks:
  - freshness: { expected_every: 1s, name: calendar_fresh, severity: warn }
---*/
select range as day from range(3)
`;

/** `models/revenue.sql` after the fix: revenue net of a fee of 7, negative for customer 10. */
const FIXED_REVENUE = `/*---
description: Revenue per customer, net of a fee
checks:
  - not_null: customer_id
  - expression: { sql: "revenue >= 0", severity: warn, name: revenue_not_negative }
---*/
select customer_id, sum(amount) - 7 as revenue, count(*) as order_count
from orders
group by customer_id
`;

/**
 * Builds the history with the real `weir` binary; a command that does not end as planned fails
 * the caller with its output.
 *
 * @example
 * ```ts
 * const project = await createKpiHistoryShop();
 * ```
 */
export async function createKpiHistoryShop({ pastRuns = false }: { pastRuns?: boolean } = {}): Promise<WeirTestProject> {
  const project = await createWeirProject({ ...shopFiles(), 'models/calendar.sql': CALENDAR });
  try {
    const expectExit = async (args: string[], code: number): Promise<void> => {
      const result = await project.weir(args);
      if (result.code !== code) throw new Error(`weir ${args.join(' ')} exited ${result.code}, expected ${code}:\n${show(result)}`);
    };
    await expectExit(['run'], 0);
    project.write({ 'models/revenue.sql': FIXED_REVENUE.replace('sum(amount) - 7', 'sum(amount_missing)') });
    await expectExit(['run'], 1);
    project.write({ 'models/revenue.sql': FIXED_REVENUE });
    await expectExit(['run'], 0);
    project.write({ 'data/orders.csv': ordersCsv([...ORDERS_ROWS, '5,12,3.00,placed']) });
    await expectExit(['run', '-s', 'raw_orders'], 0);
    if (pastRuns) await appendPastRuns(project.root);
    return project;
  } catch (error) {
    await project.cleanup();
    throw error;
  }
}

const DAY_MS = 86_400_000;

/** The days before today (UTC) the past runs happened, and how each went. */
export const PAST_RUNS: ReadonlyArray<{ daysAgo: number; revenue: 'ok' | 'fail' }> = [
  { daysAgo: 40, revenue: 'ok' },
  { daysAgo: 10, revenue: 'fail' },
  { daysAgo: 9, revenue: 'ok' },
  { daysAgo: 5, revenue: 'ok' },
];

/**
 * Appends runs at noon (UTC) of earlier days to the project's state, as the executor records
 * them, so trends span days and the previous window has data: each loads raw_orders and builds
 * orders and revenue. Only steps and check results: no version or publication is invented, so
 * the warehouse and the live versions stay what the real runs made.
 *
 * @example
 * ```ts
 * await appendPastRuns(project.root);
 * ```
 */
export async function appendPastRuns(root: string): Promise<void> {
  const store = await openSqliteStateStore(join(root, '.weir', 'state.db'));
  try {
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    for (const { daysAgo, revenue } of PAST_RUNS) {
      const start = today - daysAgo * DAY_MS + DAY_MS / 2;
      const at = (seconds: number): string => new Date(start + seconds * 1000).toISOString();
      const runId = `r-past-${daysAgo}`;
      const version = `past${String(daysAgo).padStart(8, '0')}`;
      const events: WeirEvent[] = [{ type: 'run_started', at: at(0), runId, environment: 'prod', pid: 1, host: 'past', command: 'run', selection: [], exclusion: [], plannedAssets: ['raw_orders', 'orders', 'revenue'] }];
      const succeed = (asset: string, from: number, to: number): void => {
        events.push({ type: 'step_started', at: at(from), runId, asset, version, attempt: 1 });
        events.push({ type: 'check_evaluated', at: at(to), runId, asset, version, check: `not_null_${asset}`, checkType: 'not_null', severity: 'error', passed: true, failingRows: 0, detail: 'no nulls' });
        events.push({ type: 'step_succeeded', at: at(to), runId, asset, version, rows: 4, durationMs: (to - from) * 1000, warnings: 0 });
      };
      succeed('raw_orders', 0, 2);
      succeed('orders', 2, 4);
      if (revenue === 'ok') succeed('revenue', 4, 6);
      else {
        events.push({ type: 'step_started', at: at(4), runId, asset: 'revenue', version, attempt: 1 });
        events.push({ type: 'step_failed', at: at(6), runId, asset: 'revenue', version, error: { code: 'SQL_ERROR', message: 'column "amount_missing" not found' }, attempts: 1 });
      }
      events.push({ type: 'run_finished', at: at(7), runId, status: revenue === 'ok' ? 'succeeded' : 'failed', summary: {} });
      await store.append(events);
    }
  } finally {
    await store.close();
  }
}
