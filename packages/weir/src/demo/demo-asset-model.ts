/**
 * The demo's TypeScript asset: RFM segmentation, the kind of logic that reads better as code than
 * as SQL. Kept as text because it is written into the user's project, where `weir` resolves; the
 * test type-checks it against the real `defineAsset` and runs it on the demo data.
 */

// No backticks or template placeholders in the asset's code: it lives inside a template literal.
const CUSTOMER_SEGMENTS = `/**
 * RFM segmentation: every customer gets a score from 1 to 5 for recency (days since the last
 * order), frequency (orders) and monetary value (revenue), by quintile among customers with
 * orders, and a segment named from the recency and frequency scores. Customers without orders
 * are prospects.
 */
import { defineAsset } from 'weir';

const SEGMENTS = ['champions', 'loyal', 'promising', 'new', 'at_risk', 'hibernating', 'prospect'];

interface Activity {
  customerId: number;
  recencyDays: number;
  frequency: number;
  monetary: number;
}

// A type rather than an interface, so that it is assignable to the row type run() returns.
type SegmentRow = {
  customer_id: number;
  recency_days: number | null;
  frequency: number;
  monetary: number;
  r_score: number | null;
  f_score: number | null;
  m_score: number | null;
  rfm_score: string | null;
  segment: string;
};

export const customer_segments = defineAsset({
  inputs: ['customer_lifetime_value'],
  description: 'RFM scores and segment per customer',
  owner: 'growth-analytics',
  tags: ['marts', 'customers'],
  columns: {
    customer_id: 'BIGINT',
    recency_days: 'INTEGER',
    frequency: 'INTEGER',
    monetary: 'DOUBLE',
    r_score: 'INTEGER',
    f_score: 'INTEGER',
    m_score: 'INTEGER',
    rfm_score: 'VARCHAR',
    segment: 'VARCHAR',
  },
  // Column lineage, for weir lineage and the catalog: Weir cannot read it from code.
  lineage: {
    customer_id: { exact: 'customer_lifetime_value.customer_id' },
    recency_days: ['customer_lifetime_value.days_since_last_order', 'customer_lifetime_value.order_count'],
    frequency: ['customer_lifetime_value.order_count', 'customer_lifetime_value.days_since_last_order'],
    monetary: ['customer_lifetime_value.lifetime_revenue', 'customer_lifetime_value.order_count', 'customer_lifetime_value.days_since_last_order'],
    r_score: ['customer_lifetime_value.days_since_last_order', 'customer_lifetime_value.order_count'],
    f_score: ['customer_lifetime_value.order_count', 'customer_lifetime_value.days_since_last_order'],
    m_score: ['customer_lifetime_value.lifetime_revenue', 'customer_lifetime_value.order_count', 'customer_lifetime_value.days_since_last_order'],
    rfm_score: ['customer_lifetime_value.days_since_last_order', 'customer_lifetime_value.order_count', 'customer_lifetime_value.lifetime_revenue'],
    segment: ['customer_lifetime_value.days_since_last_order', 'customer_lifetime_value.order_count'],
  },
  columnDescriptions: {
    r_score: '5 for the most recent fifth of customers with orders, 1 for the least recent; NULL for prospects',
    rfm_score: 'The three scores as one code, e.g. 545',
    segment: 'champions, loyal, promising, new, at_risk, hibernating or prospect',
  },
  checks: [
    { not_null: 'customer_id' },
    { unique: 'customer_id' },
    { not_null: 'segment' },
    { accepted_values: { column: 'segment', values: SEGMENTS } },
  ],
  async run(ctx) {
    const active: Activity[] = [];
    const prospects: number[] = [];
    for await (const batch of ctx.read('customer_lifetime_value')) {
      for (const row of batch) {
        const customerId = Number(row.customer_id);
        const frequency = Number(row.order_count ?? 0);
        if (frequency > 0 && row.days_since_last_order != null) {
          active.push({ customerId, frequency, recencyDays: Number(row.days_since_last_order), monetary: Number(row.lifetime_revenue) });
        } else {
          prospects.push(customerId);
        }
      }
    }
    // Fewer days since the last order is better, so recency scores are turned around.
    const recencyScore = quintileScorer(active.map((customer) => customer.recencyDays));
    const frequencyScore = quintileScorer(active.map((customer) => customer.frequency));
    const monetaryScore = quintileScorer(active.map((customer) => customer.monetary));
    const rows = active.map((customer): SegmentRow => {
      const r = 6 - recencyScore(customer.recencyDays);
      const f = frequencyScore(customer.frequency);
      const m = monetaryScore(customer.monetary);
      return {
        customer_id: customer.customerId,
        recency_days: customer.recencyDays,
        frequency: customer.frequency,
        monetary: customer.monetary,
        r_score: r,
        f_score: f,
        m_score: m,
        rfm_score: String(r) + String(f) + String(m),
        segment: segmentOf(r, f),
      };
    });
    for (const customerId of prospects) {
      rows.push({
        customer_id: customerId,
        recency_days: null,
        frequency: 0,
        monetary: 0,
        r_score: null,
        f_score: null,
        m_score: null,
        rfm_score: null,
        segment: 'prospect',
      });
    }
    ctx.log('scored ' + active.length + ' customers with orders; ' + prospects.length + ' prospects');
    return rows;
  },
});

/** Scores a value 1 to 5 by the quintile of values it falls in; ties share a score. */
function quintileScorer(values: number[]): (value: number) => number {
  const sorted = Float64Array.from(values).sort();
  const cuts = [0.2, 0.4, 0.6, 0.8].map((q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return (value) => 1 + cuts.filter((cut) => value > cut).length;
}

function segmentOf(r: number, f: number): string {
  if (r >= 4 && f >= 4) return 'champions';
  if (r >= 3 && f >= 3) return 'loyal';
  if (r >= 4) return 'new';
  if (r <= 2 && f >= 3) return 'at_risk';
  if (r <= 2) return 'hibernating';
  return 'promising';
}
`;

/** The TypeScript asset by the path it is written to, relative to the project. */
export const ASSET_MODEL_FILES: Readonly<Record<string, string>> = {
  'models/marts/customer_segments.ts': CUSTOMER_SEGMENTS,
};
