import { beforeAll, expect, it } from 'vitest';
import { describeOnEachEngine, PLANTED_ORDERS_ROWS, PLANTED_ORDERS_SQL, type ProfilingEngine } from '../testing/profiling-engines.js';
import { profileRelation, type ColumnProfile, type ProfileOptions, type RelationProfile } from './profile-relation.js';

async function profile(current: ProfilingEngine, table: string, options: ProfileOptions = {}): Promise<RelationProfile> {
  const ref = { schema: 'profiling', name: table };
  const columns = await current.engine.describe(ref);
  if (!columns) throw new Error(`no table ${table}`);
  return profileRelation(
    { session: current.session, kind: current.kind, quoteIdentifier: (name) => current.engine.quoteIdentifier(name), relation: current.engine.quoteRelation(ref), columns },
    options,
  );
}

function column(result: RelationProfile, name: string): ColumnProfile {
  const found = result.columns.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no column ${name} in the profile`);
  return found;
}

await describeOnEachEngine('profileRelation', (current) => {
  beforeAll(async () => {
    const { engine, session } = current();
    await engine.createSchema('profiling');
    await session.execute(`CREATE TABLE profiling.orders AS ${PLANTED_ORDERS_SQL}`);
    await session.execute(`CREATE VIEW profiling.orders_view AS SELECT * FROM profiling.orders`);
    await session.execute(`CREATE TABLE profiling.empty AS SELECT * FROM profiling.orders WHERE order_id < 0`);
    // A few-valued text column with nulls and values whose byte order differs from JavaScript's
    // (UTF-16) order: U+FF21 sorts before U+1F600 by code point, after it by UTF-16 unit.
    await session.execute(
      `CREATE TABLE profiling.tiers AS SELECT order_id, CASE WHEN order_id % 10 = 0 THEN NULL WHEN order_id % 10 < 4 THEN 'alpha' WHEN order_id % 10 < 7 THEN '\u{FF21}' ELSE '\u{1F600}' END AS tier FROM profiling.orders`,
    );
  });

  it('measures every column exactly when the sample is the whole table', async () => {
    const result = await profile(current(), 'orders');
    expect(result.rows).toBe(PLANTED_ORDERS_ROWS);
    expect(result.sample).toEqual({ rows: PLANTED_ORDERS_ROWS, complete: true });

    const id = column(result, 'order_id');
    expect(id).toMatchObject({ category: 'integer', nulls: 0, distinct: PLANTED_ORDERS_ROWS, distinctExact: true, min: 1, max: PLANTED_ORDERS_ROWS, negatives: 0 });
    expect(id.mean).toBeCloseTo(2500.5, 6);
    expect(id.stddev).toBeCloseTo(1443.52, 1);
    expect(column(result, 'invoice_no')).toMatchObject({ distinct: PLANTED_ORDERS_ROWS - 3, distinctExact: true });

    const email = column(result, 'email');
    expect(email).toMatchObject({ category: 'string', nulls: 20, nullShare: 20 / PLANTED_ORDERS_ROWS, distinct: PLANTED_ORDERS_ROWS - 20 });
    expect(email.patterns).toEqual([{ pattern: 'email', matches: 4960, share: 4960 / 4980 }]);
    expect(email.length).toMatchObject({ min: 'user1@example.com'.length, max: 'user4999@example.com'.length });

    const status = column(result, 'status');
    expect(status.values.source).toBe('table');
    expect(status.values.complete).toBe(true);
    expect(status.values.counts.find((entry) => entry.value === 'on_hold')?.count).toBe(5);
    expect(status.values.counts.map((entry) => entry.value).sort()).toEqual(['delivered', 'on_hold', 'placed', 'shipped']);

    expect(column(result, 'amount')).toMatchObject({ category: 'decimal', negatives: 5, nulls: 0 });
    expect(column(result, 'gift')).toMatchObject({ category: 'boolean', trues: Math.floor(PLANTED_ORDERS_ROWS / 3), min: null });
    expect(column(result, 'code').length).toEqual({ min: 4, max: 4, mean: 4 });
    expect(column(result, 'tracking_id').patterns.map((found) => found.pattern)).toEqual(['uuid']);
    expect(column(result, 'ship_date_text').patterns).toEqual([{ pattern: 'date', format: '%Y-%m-%d', matches: PLANTED_ORDERS_ROWS, share: 1 }]);
    // Days up to 28 rule out month-first.
    expect(column(result, 'invoice_date_text').patterns).toEqual([{ pattern: 'date', format: '%d/%m/%Y', matches: PLANTED_ORDERS_ROWS, share: 1 }]);
    const orderedOn = column(result, 'ordered_on');
    expect(orderedOn.category).toBe('date');
    expect(orderedOn.min).toEqual(new Date('2024-01-01T00:00:00Z'));
    expect(column(result, 'note')).toMatchObject({ nulls: 500, distinct: 37 });
  });

  it('samples a larger table, yet counts the values of few-valued text columns exactly, rare ones included', async () => {
    const result = await profile(current(), 'orders', { sampleSize: 300 });
    expect(result.rows).toBe(PLANTED_ORDERS_ROWS);
    expect(result.sample.complete).toBe(false);
    // Every row is kept with probability 300/5,000: about 300 rows, spread over the whole table.
    expect(result.sample.rows).toBeGreaterThan(200);
    expect(result.sample.rows).toBeLessThan(400);

    // Exact whatever the sample held: five on_hold orders among 5,000, found by the scan or by the follow-up query.
    const status = column(result, 'status');
    expect(status.values).toMatchObject({ source: 'table', complete: true });
    expect(Object.fromEntries(status.values.counts.map((entry) => [entry.value, entry.count]))).toEqual({ placed: 1665, shipped: 1665, delivered: 1665, on_hold: 5 });
    expect(status).toMatchObject({ distinct: 4, distinctExact: true });

    // Exact aggregates do not depend on the sample; lengths come from it.
    const email = column(result, 'email');
    expect(email.nulls).toBe(20);
    expect(email.length?.min).toBeGreaterThanOrEqual(17);
    expect(email.length?.max).toBeLessThanOrEqual(20);
    expect(column(result, 'amount').negatives).toBe(5);

    // Estimated distinct counts: a unique column reads as about as many values as rows.
    const id = column(result, 'order_id');
    expect(id.distinctExact).toBe(false);
    expect(id.distinct).toBeGreaterThan(PLANTED_ORDERS_ROWS * 0.9);
    expect(id.values.source).toBe('sample');
    const quantity = column(result, 'quantity');
    expect(quantity.distinct).toBe(4);
    // 100 codes cycling through a table ordered by order_id: a sample of consecutive rows would see
    // every value once and guess thousands; a sample spread over the table guesses about 100.
    const code = column(result, 'code');
    expect(code.distinctExact).toBe(false);
    expect(code.distinct).toBeGreaterThan(70);
    expect(code.distinct).toBeLessThan(130);
  });

  it('gives a few-valued column the same nulls, min and max (in byte order) from its exact value counts as from the aggregate scan', async () => {
    const whole = column(await profile(current(), 'tiers'), 'tier');
    const sampled = column(await profile(current(), 'tiers', { sampleSize: 300 }), 'tier');
    expect(sampled.values).toMatchObject({ source: 'table', complete: true });
    expect(whole).toMatchObject({ nulls: 500, min: 'alpha', max: '\u{1F600}' });
    expect(sampled).toMatchObject({ nulls: whole.nulls, nullShare: whole.nullShare, min: whole.min, max: whole.max, distinct: 3, distinctExact: true });
    expect(Object.fromEntries(sampled.values.counts.map((entry) => [entry.value, entry.count]))).toEqual({ alpha: 1500, '\u{FF21}': 1500, '\u{1F600}': 1500 });
  });

  it('measures a few-valued column like any other when counting its values would return too many rows', async () => {
    const result = await profile(current(), 'tiers', { sampleSize: 300, fewValueRowLimit: 2 });
    const tier = column(result, 'tier');
    expect(tier.values.source).toBe('sample');
    expect(tier).toMatchObject({ nulls: 500, min: 'alpha', max: '\u{1F600}', distinctExact: false });
  });

  it('takes the same sample of the same table every time', async () => {
    const first = await profile(current(), 'orders', { sampleSize: 300 });
    const second = await profile(current(), 'orders', { sampleSize: 300 });
    expect(second.sample).toEqual(first.sample);
    expect(column(second, 'order_id').distinct).toBe(column(first, 'order_id').distinct);
  });

  it('profiles a view and an empty table', async () => {
    const viaView = await profile(current(), 'orders_view', { sampleSize: 300 });
    expect(viaView.rows).toBe(PLANTED_ORDERS_ROWS);
    expect(column(viaView, 'status').values.counts.find((entry) => entry.value === 'on_hold')?.count).toBe(5);

    const empty = await profile(current(), 'empty');
    expect(empty.rows).toBe(0);
    expect(empty.sample).toEqual({ rows: 0, complete: true });
    expect(column(empty, 'email')).toMatchObject({ nulls: 0, nullShare: 0, distinct: 0, min: null, max: null, length: null, patterns: [] });
  });
});
