/**
 * The part of the state store conformance suite about partitions (`partition_*` events and the
 * `partitions` projection) and backfills (`backfill_*` events and the `backfills` projection).
 * Registered by `describeStateStoreConformance`.
 */
import { expect, it } from 'vitest';
import type { BackfillRequestedEvent, WeirEvent } from '../events/weir-event.js';
import type { StateStore } from '../storage/state-store.js';

/** What the cases need from the suite: a store on a fresh database, closed after the test. */
export interface PartitionCasesContext {
  fresh(): Promise<StateStore>;
}

const t = (n: number): string => new Date(Date.UTC(2026, 3, 1) + n * 1000).toISOString();

const requested = (backfillId: string, at: number): BackfillRequestedEvent => ({
  type: 'backfill_requested',
  at: t(at),
  backfillId,
  environment: 'prod',
  selection: ['daily'],
  from: '2026-03-01',
  to: '2026-03-02',
  concurrency: 2,
  tasks: [{ asset: 'daily', version: 'v1', partitions: ['2026-03-01', '2026-03-02'] }],
  pid: 42,
  host: 'h',
});

/**
 * Registers the partition and backfill cases inside the caller's `describe`.
 *
 * @example
 * ```ts
 * describe('partitions and backfills', () => partitionCases({ fresh }));
 * ```
 */
export function partitionCases({ fresh }: PartitionCasesContext): void {
  it('projects each partition of a version: running, published with its rows, then a failed rebuild keeps the rows', async () => {
    const store = await fresh();
    const base = { asset: 'daily', version: 'v1' };
    await store.append([
      { type: 'partition_started', at: t(1), runId: 'r1', ...base, partition: '2026-03-02', backfillId: 'b1' },
      { type: 'partition_started', at: t(1), runId: 'r1', ...base, partition: '2026-03-01', backfillId: 'b1' },
      { type: 'partition_published', at: t(2), runId: 'r1', ...base, partition: '2026-03-01', rows: 40, backfillId: 'b1' },
      { type: 'partition_started', at: t(3), runId: 'r2', asset: 'daily', version: 'v2', partition: '2026-03-01' },
    ]);
    expect(await store.partitions({ asset: 'daily', version: 'v1' })).toEqual([
      { ...base, partition: '2026-03-01', status: 'published', runId: 'r1', backfillId: 'b1', rows: 40, detail: null, updatedAt: t(2) },
      { ...base, partition: '2026-03-02', status: 'running', runId: 'r1', backfillId: 'b1', rows: null, detail: null, updatedAt: t(1) },
    ]);
    await store.append([
      { type: 'partition_started', at: t(4), runId: 'r3', ...base, partition: '2026-03-01' },
      { type: 'partition_failed', at: t(5), runId: 'r3', ...base, partition: '2026-03-01', status: 'blocked', detail: 'amount_positive failed' },
    ]);
    const [first] = await store.partitions({ asset: 'daily', version: 'v1' });
    expect(first).toMatchObject({ status: 'blocked', runId: 'r3', backfillId: null, rows: 40, detail: 'amount_positive failed' });
    expect((await store.partitions({ asset: 'daily' })).map((row) => `${row.version}/${row.partition}`)).toEqual(['v1/2026-03-01', 'v1/2026-03-02', 'v2/2026-03-01']);
    expect((await store.partitions({ backfillId: 'b1' })).map((row) => row.partition)).toEqual(['2026-03-02']);
    // The events stay in the log with their partition.
    const logged = await store.events({ asset: 'daily' });
    expect(logged.filter((event) => event.type === 'partition_failed')).toHaveLength(1);
  });

  it('refuses a partition event without a partition key, keeping nothing of the call', async () => {
    const store = await fresh();
    const bad = { type: 'partition_started', at: t(1), runId: 'r1', asset: 'daily', version: 'v1', partition: '' } as WeirEvent;
    await expect(store.append([{ type: 'partition_started', at: t(1), runId: 'r1', asset: 'daily', version: 'v1', partition: '2026-03-01' }, bad])).rejects.toThrow();
    expect(await store.partitions({})).toEqual([]);
  });

  it('projects backfills: requested, finished, cancelled (a later finish keeps it cancelled), resumed', async () => {
    const store = await fresh();
    await store.append([requested('bf-20260401-aaaa', 1), requested('bf-20260401-bbbb', 2)]);
    const [newest, oldest] = await store.backfills();
    expect(newest).toMatchObject({ backfillId: 'bf-20260401-bbbb', status: 'running', environment: 'prod', pid: 42, concurrency: 2, from: '2026-03-01', to: '2026-03-02', endedAt: null, summary: null });
    expect(oldest?.tasks).toEqual([{ asset: 'daily', version: 'v1', partitions: ['2026-03-01', '2026-03-02'] }]);
    await store.append([{ type: 'backfill_finished', at: t(3), backfillId: 'bf-20260401-aaaa', status: 'failed', summary: { done: 1, failed: 1 } }]);
    expect((await store.backfills({ backfillId: 'bf-20260401-aaaa' }))[0]).toMatchObject({ status: 'failed', endedAt: t(3), summary: { done: 1, failed: 1 } });
    await store.append([
      { type: 'backfill_cancel_requested', at: t(4), backfillId: 'bf-20260401-bbbb', by: 'me' },
      { type: 'backfill_finished', at: t(5), backfillId: 'bf-20260401-bbbb', status: 'succeeded', summary: { done: 1, missing: 1 } },
    ]);
    expect((await store.backfills({ backfillId: 'bf-20260401-bbbb' }))[0]).toMatchObject({ status: 'cancelled', summary: { done: 1, missing: 1 } });
    await store.append([{ type: 'backfill_resumed', at: t(6), backfillId: 'bf-20260401-bbbb', mode: 'resume', pid: 7, host: 'other' }]);
    expect((await store.backfills({ backfillId: 'bf-20260401-bbbb' }))[0]).toMatchObject({ status: 'running', pid: 7, host: 'other', endedAt: null });
    // A unique prefix finds one; an ambiguous one names the candidates; none finds nothing.
    expect((await store.backfills({ backfillId: 'bf-20260401-a' })).map((record) => record.backfillId)).toEqual(['bf-20260401-aaaa']);
    await expect(store.backfills({ backfillId: 'bf-2026' })).rejects.toThrow(/names more than one backfill/);
    expect(await store.backfills({ backfillId: 'nope' })).toEqual([]);
    expect(await store.backfills({ limit: 1 })).toHaveLength(1);
  });
}
