/**
 * The part of the state store conformance suite about data quality: metric series
 * (`metrics_measured`), SPC rebaselines (`spc_rebaselined`), the newest metrics of an asset, and
 * quarantine events read back by asset. Registered by `describeStateStoreConformance`.
 */
import { expect, it } from 'vitest';
import type { MeasuredMetric, MetricsMeasuredEvent, WeirEvent } from '../events/weir-event.js';
import type { StateStore } from '../storage/state-store.js';

/** What the cases need from the suite: a store on a fresh database, closed after the test. */
export interface MetricCasesContext {
  fresh(): Promise<StateStore>;
}

const base = Date.UTC(2025, 2, 1);
/** The n-th minute of the cases' day, as events write it. */
const t = (n: number): string => new Date(base + n * 60_000).toISOString();

interface MeasuredOptions {
  runId?: string | null;
  version?: string;
  partition?: string;
}

function measured(asset: string, at: number, metrics: MeasuredMetric[], options: MeasuredOptions = {}): MetricsMeasuredEvent {
  const event: MetricsMeasuredEvent = {
    type: 'metrics_measured',
    at: t(at),
    runId: options.runId === undefined ? `run-${at}` : options.runId,
    asset,
    version: options.version ?? `v${at}`,
    metrics,
  };
  if (options.partition !== undefined) event.partition = options.partition;
  return event;
}

/**
 * Registers the metric, rebaseline and quarantine cases inside the caller's `describe`.
 *
 * @example
 * ```ts
 * describe('metrics, SPC rebaselines and quarantine', () => metricCases({ fresh }));
 * ```
 */
export function metricCases(context: MetricCasesContext): void {
  it('metricSeries: oldest first, asset and column metrics apart, anomalous flags and nulls kept', async () => {
    const store = await context.fresh();
    await store.append([
      measured('orders', 1, [
        { metric: 'row_count', value: 1000 },
        { metric: 'null_rate', column: 'email', value: 0.01 },
        { metric: 'mean', column: 'amount', value: 12.5 },
        // An asset metric and a column metric may share a name; they are different series.
        { metric: 'null_rate', value: 0.5 },
      ]),
      measured('customers', 1, [{ metric: 'row_count', value: 7 }]),
    ]);
    await store.append([
      measured('orders', 2, [
        { metric: 'row_count', value: 600, anomalous: true },
        { metric: 'null_rate', column: 'email', value: 0.3, anomalous: true },
        { metric: 'mean', column: 'amount', value: null },
      ]),
    ]);
    await store.append([measured('orders', 3, [{ metric: 'row_count', value: 1010, anomalous: false }], { runId: null })]);

    const ids = new Map((await store.events({ asset: 'orders' })).map((event) => [event.at, event.id]));
    expect(await store.metricSeries({ asset: 'orders', metric: 'row_count' })).toEqual([
      { at: t(1), value: 1000, runId: 'run-1', version: 'v1', anomalous: false, eventId: ids.get(t(1)) },
      { at: t(2), value: 600, runId: 'run-2', version: 'v2', anomalous: true, eventId: ids.get(t(2)) },
      { at: t(3), value: 1010, runId: null, version: 'v3', anomalous: false, eventId: ids.get(t(3)) },
    ]);
    expect(await store.metricSeries({ asset: 'orders', metric: 'null_rate', column: 'email' })).toEqual([
      expect.objectContaining({ at: t(1), value: 0.01, anomalous: false }),
      expect.objectContaining({ at: t(2), value: 0.3, anomalous: true }),
    ]);
    expect(await store.metricSeries({ asset: 'orders', metric: 'null_rate' })).toEqual([expect.objectContaining({ at: t(1), value: 0.5 })]);
    expect((await store.metricSeries({ asset: 'orders', metric: 'mean', column: 'amount' })).map((point) => point.value)).toEqual([12.5, null]);
    expect((await store.metricSeries({ asset: 'customers', metric: 'row_count' })).map((point) => point.value)).toEqual([7]);
    expect(await store.metricSeries({ asset: 'orders', metric: 'mean' })).toEqual([]);
    expect(await store.metricSeries({ asset: 'orders', metric: 'mean', column: 'other' })).toEqual([]);
    expect(await store.metricSeries({ asset: 'nothing', metric: 'row_count' })).toEqual([]);
  });

  it('metricSeries with limit keeps the newest points, still oldest first', async () => {
    const store = await context.fresh();
    // Many builds committed in one transaction, and several in one append: log order decides.
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => store.append([measured('orders', i, [{ metric: 'row_count', value: 100 + i }])])),
    );
    await store.append([
      measured('orders', 30, [{ metric: 'row_count', value: 130 }]),
      measured('orders', 31, [{ metric: 'row_count', value: 131 }]),
    ]);
    const all = await store.metricSeries({ asset: 'orders', metric: 'row_count' });
    expect(all.map((point) => point.value)).toEqual(Array.from({ length: 32 }, (_, i) => 100 + i));
    expect(all.map((point) => point.eventId)).toEqual([...all.map((point) => point.eventId)].sort((a, b) => a - b));
    const newest = await store.metricSeries({ asset: 'orders', metric: 'row_count', limit: 20 });
    expect(newest).toEqual(all.slice(12));
    expect((await store.metricSeries({ asset: 'orders', metric: 'row_count', limit: 1 }))[0]?.value).toBe(131);
    expect(await store.metricSeries({ asset: 'orders', metric: 'row_count', limit: 100 })).toEqual(all);
    expect(await store.metricSeries({ asset: 'orders', metric: 'row_count', limit: 0 })).toEqual([]);
    await expect(store.metricSeries({ asset: 'orders', metric: 'row_count', limit: -1 })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('metric values round-trip as doubles: fractions, negatives, large and tiny numbers', async () => {
    const store = await context.fresh();
    const values = [0.1 + 0.2, -273.15, 5_000_000_000, 2 ** 53 + 2, 1e-12, 0, 1.7976931348623157e308];
    await store.append(values.map((value, i) => measured('m', i, [{ metric: 'max', column: 'x', value }])));
    expect((await store.metricSeries({ asset: 'm', metric: 'max', column: 'x' })).map((point) => point.value)).toEqual(values);
  });

  it('metricSeries keeps the partitions of an asset apart from each other and from whole-asset points', async () => {
    const store = await context.fresh();
    await store.append([
      measured('events', 1, [{ metric: 'row_count', value: 10 }], { partition: '2025-03-01' }),
      measured('events', 2, [{ metric: 'row_count', value: 20 }], { partition: '2025-03-02' }),
      measured('events', 3, [{ metric: 'row_count', value: 11 }], { partition: '2025-03-01' }),
      measured('events', 4, [{ metric: 'row_count', value: 41 }]),
    ]);
    const values = async (partition?: string): Promise<Array<number | null>> =>
      (await store.metricSeries({ asset: 'events', metric: 'row_count', ...(partition === undefined ? {} : { partition }) })).map((p) => p.value);
    expect(await values('2025-03-01')).toEqual([10, 11]);
    expect(await values('2025-03-02')).toEqual([20]);
    expect(await values()).toEqual([41]);
    expect(await values('2025-03-03')).toEqual([]);
    expect(await store.metricSeries({ asset: 'events', metric: 'row_count', partition: '2025-03-01', limit: 1 })).toEqual([
      expect.objectContaining({ at: t(3), value: 11 }),
    ]);
  });

  it('spcRebaselines: the times of one series, oldest first', async () => {
    const store = await context.fresh();
    await store.append([
      { type: 'spc_rebaselined', at: t(5), asset: 'orders', metric: 'row_count', actor: 'alice', reason: 'new source system' },
      { type: 'spc_rebaselined', at: t(6), asset: 'orders', metric: 'null_rate', column: 'email' },
      { type: 'spc_rebaselined', at: t(7), asset: 'customers', metric: 'row_count' },
    ]);
    await store.append([{ type: 'spc_rebaselined', at: '2025-03-01T10:00:00+01:00', asset: 'orders', metric: 'row_count' }]);
    expect(await store.spcRebaselines({ asset: 'orders', metric: 'row_count' })).toEqual([t(5), '2025-03-01T09:00:00.000Z']);
    expect(await store.spcRebaselines({ asset: 'orders', metric: 'null_rate', column: 'email' })).toEqual([t(6)]);
    expect(await store.spcRebaselines({ asset: 'orders', metric: 'null_rate' })).toEqual([]);
    expect(await store.spcRebaselines({ asset: 'customers', metric: 'row_count' })).toEqual([t(7)]);
    expect(await store.spcRebaselines({ asset: 'orders', metric: 'mean', column: 'amount' })).toEqual([]);
    // Who and why stay in the log.
    expect((await store.events({ asset: 'orders' }))[0]).toMatchObject({ type: 'spc_rebaselined', actor: 'alice', reason: 'new source system' });
  });

  it('latestMetrics: the newest value of each metric, asset metrics first, then by column', async () => {
    const store = await context.fresh();
    expect(await store.latestMetrics('orders')).toEqual([]);
    await store.append([
      measured('orders', 1, [
        { metric: 'row_count', value: 1000 },
        { metric: 'build_seconds', value: 2.5 },
        { metric: 'null_rate', column: 'email', value: 0.01 },
        { metric: 'min', column: 'amount', value: -3 },
        { metric: 'max', column: 'amount', value: 99 },
      ]),
      measured('customers', 2, [{ metric: 'row_count', value: 5 }]),
    ]);
    await store.append([
      measured('orders', 3, [
        { metric: 'row_count', value: 400, anomalous: true },
        { metric: 'max', column: 'amount', value: null },
      ]),
      measured('orders', 4, [{ metric: 'build_seconds', value: 3 }], { partition: 'p1' }),
    ]);
    expect(await store.latestMetrics('orders')).toEqual([
      { metric: 'build_seconds', value: 3, at: t(4), version: 'v4', anomalous: false, partition: 'p1' },
      { metric: 'row_count', value: 400, at: t(3), version: 'v3', anomalous: true },
      { metric: 'max', column: 'amount', value: null, at: t(3), version: 'v3', anomalous: false },
      { metric: 'min', column: 'amount', value: -3, at: t(1), version: 'v1', anomalous: false },
      { metric: 'null_rate', column: 'email', value: 0.01, at: t(1), version: 'v1', anomalous: false },
    ]);
    expect(await store.latestMetrics('customers')).toEqual([{ metric: 'row_count', value: 5, at: t(2), version: 'v2', anomalous: false }]);
  });

  it('a batch refused by the database leaves no metric points or rebaselines behind', async () => {
    const store = await context.fresh();
    const runStarted: WeirEvent = {
      type: 'run_started', at: t(0), runId: 'r', environment: 'prod', pid: 1, host: 'h', command: 'run', selection: [], exclusion: [], plannedAssets: [],
    };
    await store.append([runStarted]);
    const kept = store.append([measured('orders', 1, [{ metric: 'row_count', value: 1 }])]);
    const refused = store.append([
      measured('orders', 2, [{ metric: 'row_count', value: 2 }]),
      { type: 'spc_rebaselined', at: t(2), asset: 'orders', metric: 'row_count' },
      runStarted, // the run exists already: nothing of this batch may be kept
    ]);
    const [keptOutcome, refusedOutcome] = await Promise.allSettled([kept, refused]);
    expect(keptOutcome.status).toBe('fulfilled');
    expect(refusedOutcome.status).toBe('rejected');
    expect((await store.metricSeries({ asset: 'orders', metric: 'row_count' })).map((point) => point.value)).toEqual([1]);
    expect(await store.spcRebaselines({ asset: 'orders', metric: 'row_count' })).toEqual([]);
    // A metric measured twice in one event is refused before anything is written.
    await expect(
      store.append([measured('orders', 3, [{ metric: 'row_count', value: 3 }, { metric: 'row_count', value: 4 }])]),
    ).rejects.toMatchObject({ name: 'WeirError' });
    expect(await store.latestMetrics('orders')).toEqual([expect.objectContaining({ metric: 'row_count', value: 1 })]);
  });

  it('quarantine, metrics and rebaseline events are read back by asset and by run', async () => {
    const store = await context.fresh();
    const quarantined: WeirEvent = {
      type: 'rows_quarantined',
      at: t(1),
      runId: 'r1',
      asset: 'orders',
      version: 'v1',
      table: 'weir_versions.orders__quarantine',
      counts: { 'not_null(customer_id)': 3, 'between(amount)': 1 },
    };
    const metrics = measured('orders', 2, [{ metric: 'row_count', value: 96 }], { runId: 'r1', version: 'v1' });
    const replayed: WeirEvent = { type: 'quarantine_replayed', at: t(3), runId: null, asset: 'orders', version: 'v1', released: 3, stillFailing: 1 };
    const rebaselined: WeirEvent = { type: 'spc_rebaselined', at: t(4), asset: 'orders', metric: 'row_count', actor: 'bob' };
    const elsewhere: WeirEvent = { type: 'quarantine_replayed', at: t(5), runId: 'r2', asset: 'customers', version: 'c1', released: 0, stillFailing: 0 };
    await store.append([quarantined, metrics, replayed, rebaselined, elsewhere]);
    const all = await store.events();
    const withIds = [quarantined, metrics, replayed, rebaselined, elsewhere].map((event, i) => ({ ...event, id: all[0]!.id + i }));
    expect(all).toEqual(withIds);
    expect(await store.events({ asset: 'orders' })).toEqual(withIds.slice(0, 4));
    expect(await store.events({ asset: 'customers' })).toEqual(withIds.slice(4));
    expect(await store.events({ runId: 'r1' })).toEqual(withIds.slice(0, 2));
    expect(await store.events({ runId: 'r2' })).toEqual(withIds.slice(4));
  });
}
