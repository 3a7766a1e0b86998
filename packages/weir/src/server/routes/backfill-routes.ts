/**
 * `/api/backfills`: recorded backfills with their status and each task's state, the data
 * `weir backfill ls|show` prints (core's `backfillStatus` and `countTasks`).
 */
import { Hono } from 'hono';
import { WeirError, backfillStatus, countTasks, type BackfillRecord, type BackfillTask, type StateStore } from '@weir/core';
import type { BackfillDetailBody, BackfillSummaryBody } from '@weir/core';
import { shownBackfillStatus } from '../../output/backfill-shown-status.js';
import type { ProjectView } from '../project-view.js';
import { wholeNumberParam } from './whole-number-param.js';

/**
 * The backfill routes.
 *
 * @example
 * ```ts
 * app.route('/api/backfills', backfillRoutes(view));
 * ```
 */
export function backfillRoutes(view: ProjectView): Hono {
  const routes = new Hono();

  routes.get('/', async (context) => {
    const limit = wholeNumberParam(context.req.query('limit'), 'limit', { fallback: 50, max: 500 });
    const records = await view.store.backfills({ limit });
    const bodies: BackfillSummaryBody[] = [];
    // One at a time: each reads its partitions; the state store is one connection on SQLite anyway.
    for (const record of records) bodies.push(summaryBody(record, await backfillStatus(view.store, record)));
    return context.json(bodies);
  });

  routes.get('/:id', async (context) => {
    const record = await requireBackfill(view.store, context.req.param('id'));
    const tasks = await backfillStatus(view.store, record);
    const body: BackfillDetailBody = {
      ...summaryBody(record, tasks),
      tasks: tasks.map((task) => ({ asset: task.asset, version: task.version, partition: task.partition, status: task.status, ...(task.detail === undefined ? {} : { detail: task.detail }) })),
    };
    return context.json(body);
  });

  return routes;
}

function summaryBody(record: BackfillRecord, tasks: readonly BackfillTask[]): BackfillSummaryBody {
  return {
    backfillId: record.backfillId,
    status: shownBackfillStatus(record),
    environment: record.environment,
    requestedAt: record.requestedAt,
    endedAt: record.endedAt,
    selection: record.selection,
    from: record.from,
    to: record.to,
    concurrency: record.concurrency,
    assets: record.tasks.map((task) => ({ asset: task.asset, version: task.version, partitions: task.partitions.length })),
    counts: countTasks(tasks),
    total: tasks.length,
  };
}

/** The backfill by its id or a unique prefix; 404 otherwise (a prefix naming several is 400 from the store). */
async function requireBackfill(store: StateStore, id: string): Promise<BackfillRecord> {
  const [record] = await store.backfills({ backfillId: id });
  if (record === undefined) throw new WeirError('BACKFILL_UNKNOWN', `no backfill "${id}"`, { hint: 'list backfills at /api/backfills, or with: weir backfill ls' });
  return record;
}
