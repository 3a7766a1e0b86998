/** Recording a new backfill: its id, and what it covers, fixed at request time. */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { WeirError } from '../errors/weir-error.js';
import { eventTime } from '../events/weir-event.js';
import type { BackfillRecord, StateStore } from '../storage/state-store.js';
import type { BackfillPreview } from './plan-backfill.js';

/** A new backfill id: sortable by time, readable (`bf-20260301-101500-a1b2`). */
export function newBackfillId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `bf-${stamp}-${randomBytes(2).toString('hex')}`;
}

/** What a backfill request records besides its tasks. */
export interface BackfillRequest {
  backfillId?: string;
  environment: string;
  selection: string[];
  from: string | null;
  to: string | null;
  concurrency: number;
  /** Build the tasks already done again (default: only the others). */
  rebuild?: boolean;
}

/**
 * Records `backfill_requested` for the tasks of `preview` (the ones not done, unless `rebuild`)
 * and returns the backfill as the store now holds it.
 *
 * @example
 * ```ts
 * const backfill = await requestBackfill(store, preview, { environment: 'prod', selection: ['daily_revenue'], from: '2026-01-01', to: '2026-01-31', concurrency: 2 });
 * ```
 */
export async function requestBackfill(store: StateStore, preview: BackfillPreview, request: BackfillRequest): Promise<BackfillRecord> {
  const backfillId = request.backfillId ?? newBackfillId();
  const pending = new Set(preview.tasks.filter((task) => request.rebuild === true || task.status !== 'done').map((task) => `${task.asset}\0${task.partition}`));
  const tasks = preview.assets
    .map((asset) => ({ ...asset, partitions: asset.partitions.filter((partition) => pending.has(`${asset.asset}\0${partition}`)) }))
    .filter((asset) => asset.partitions.length > 0);
  await store.append([
    {
      type: 'backfill_requested',
      at: eventTime(),
      backfillId,
      environment: request.environment,
      selection: request.selection,
      from: request.from,
      to: request.to,
      concurrency: request.concurrency,
      tasks,
      pid: process.pid,
      host: hostname(),
    },
  ]);
  const [record] = await store.backfills({ backfillId });
  if (record === undefined) throw new WeirError('INTERNAL', `backfill ${backfillId} was recorded but cannot be read back`);
  return record;
}
