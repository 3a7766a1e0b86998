/**
 * The demo's database source: `weir init --seed-database` creates `weir_demo.refunds` in the
 * PostgreSQL database that SHOP_DB_URL names and fills it with refunds of the demo's orders, so
 * `sources/shop_db.yaml` has something to load. Deterministic: the same seed gives the same rows.
 */
import { openPostgresAdapter, WeirError } from '@weir/core';

const REASONS = ['damaged', 'late delivery', 'wrong size', 'changed mind', 'duplicate charge'];

/** What seeding wrote. */
export interface SeededDatabase {
  table: string;
  rows: number;
}

/**
 * Creates (or replaces) `weir_demo.refunds` in `url` with one refund for every 50th of `orders`.
 *
 * @example
 * ```ts
 * await seedDemoDatabase(process.env.SHOP_DB_URL!, { orders: 5000, seed: 42 });
 * ```
 */
export async function seedDemoDatabase(url: string, options: { orders: number; seed: number }): Promise<SeededDatabase> {
  if (url === '') throw new WeirError('USAGE', '--seed-database needs SHOP_DB_URL set to a PostgreSQL connection string', { hint: 'SHOP_DB_URL=postgres://user:password@host:5432/db weir init x --seed-database' });
  const engine = await openPostgresAdapter({ url });
  try {
    await engine.createSchema('weir_demo');
    const count = Math.floor(options.orders / 50);
    const start = Date.UTC(2026, 0, 1);
    const rows = Array.from({ length: count }, (_, index) => {
      const refund = index + 1;
      const mixed = (refund * 2654435761 + options.seed) >>> 0;
      return {
        refund_id: refund,
        order_id: refund * 50 - (mixed % 50),
        amount: ((mixed % 9000) + 100) / 100,
        reason: REASONS[mixed % REASONS.length]!,
        updated_at: new Date(start + refund * 3_600_000).toISOString().replace('T', ' ').replace('Z', ''),
      };
    });
    await engine.bulkInsert(
      { schema: 'weir_demo', name: 'refunds' },
      [
        { name: 'refund_id', type: 'BIGINT', nullable: false },
        { name: 'order_id', type: 'BIGINT', nullable: false },
        { name: 'amount', type: 'DECIMAL(12,2)', nullable: false },
        { name: 'reason', type: 'VARCHAR', nullable: false },
        { name: 'updated_at', type: 'TIMESTAMP', nullable: false },
      ],
      rows,
      { append: false },
    );
    return { table: 'weir_demo.refunds', rows: rows.length };
  } finally {
    await engine.close();
  }
}
