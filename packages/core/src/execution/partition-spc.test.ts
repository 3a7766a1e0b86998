/**
 * SPC checks of a partitioned asset judge a new partition against the other partitions (the
 * newest value of each, by partition key): ten ordinary days set the limits, a day with ten times
 * the orders is held back by an `error` spc check, and an ordinary day after it publishes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeProjectHarness, openProjectHarness, runHarness, type ProjectHarness } from '../testing/project-harness.js';

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
  let h: ProjectHarness;

  beforeAll(async () => {
    h = await openProjectHarness({
      'data/orders.csv': ordersCsv(10),
      'sources/files.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n    columns: { id: BIGINT, order_date: DATE, amount: DOUBLE }\n',
      'models/daily_orders.sql': `/*---
partitioned_by: { column: order_date, granularity: day, start: 2026-03-01, end: 2026-03-31 }
checks:
  - spc: { metric: row_count, severity: error, min_points: 8 }
---*/
select * from raw_orders`,
    });
  });

  afterAll(async () => {
    if (h) await closeProjectHarness(h);
  });

  async function build(partition: string) {
    const result = await runHarness(h, { partition });
    const [judged] = (await h.store.checkResults({ runId: result.runId })).filter((check) => check.checkType === 'spc' && !check.check.startsWith('monitor_'));
    return { outcome: result.outcomes.get('daily_orders'), judged };
  }

  it('judges each day against the other days, and holds back a day with ten times the orders', async () => {
    for (let n = 1; n <= 10; n++) expect((await build(day(n))).outcome, day(n)).toBe('succeeded');
    const series = await h.store.metricSeries({ asset: 'daily_orders', metric: 'row_count', eachPartition: true });
    expect(series.map((point) => [point.partition, point.value])).toEqual(Array.from({ length: 10 }, (_, i) => [day(i + 1), 95 + (((i + 1) * 7) % 10)]));

    writeFileSync(join(h.root, 'data/orders.csv'), ordersCsv(12, new Set([11])));
    const spike = await build(day(11));
    expect(spike.outcome).toBe('blocked');
    expect(spike.judged).toMatchObject({ passed: false, severity: 'error' });
    expect(spike.judged?.detail).toMatch(/row_count/);
    const [held] = (await h.store.partitions({ asset: 'daily_orders' })).filter((row) => row.partition === day(11));
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
