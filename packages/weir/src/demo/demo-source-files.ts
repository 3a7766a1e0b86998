/**
 * The demo project's settings and sources: `weir.yaml` and `sources/shop.yaml`, as text. They are
 * written as they stand; nothing in them depends on the size or the seed.
 */
import type { DemoSize } from './demo-data-generator.js';

/** `weir.yaml`: every setting spelled out, so the file doubles as a reference. */
export const WEIR_YAML = `# The Weir demo project: a small online shop. Written by \`weir init\`; edit freely.
name: shop
environment: prod
warehouse:
  engine: duckdb
  path: .weir/warehouse.duckdb
state:
  store: sqlite
  path: .weir/state.db
defaults:
  materialization: table
  concurrency: 4
  retries: 0
  retry_delay_seconds: 1
  timeout_seconds: 3600
  retain_versions: 3
`;

/**
 * `sources/shop.yaml`: the five raw tables. Column types are fixed for the CSV files so that a
 * sniffer's guess never changes a type between runs; Parquet files carry their own types.
 */
export const SHOP_SOURCES_YAML = `# The shop's raw exports, read from the files under data/.
source: shop_files
tables:
  - name: raw_customers
    path: data/customers.csv
    format: csv
    description: Customers as exported by the shop's CRM, one row per customer
    owner: data-platform
    tags: [raw, customers, pii]
    options:
      header: true
      null_strings: [""]
      columns:
        customer_id: BIGINT
        first_name: VARCHAR
        last_name: VARCHAR
        email: VARCHAR
        country: VARCHAR
        signup_date: DATE
        marketing_opt_in: BOOLEAN
    checks:
      - not_null: customer_id
      - unique: customer_id
      # Planted on purpose: the CRM lets a customer sign up without an email, and a few did.
      # A warning, not an error: the orders of those customers are still good, so the first
      # \`weir run\` records it and goes on.
      - not_null: { column: email, severity: warn }
      - row_count: { min: 1, max: 100000000 }

  - name: raw_products
    path: data/products.csv
    format: csv
    description: The product catalogue export, one row per product (in theory)
    owner: merchandising
    tags: [raw, products]
    options:
      header: true
      null_strings: [""]
      columns:
        product_id: BIGINT
        sku: VARCHAR
        product_name: VARCHAR
        category: VARCHAR
        unit_price: DECIMAL(10,2)
        unit_cost: DECIMAL(10,2)
        updated_at: TIMESTAMP
    checks:
      - not_null: product_id
      - expression: { sql: "unit_price > 0", name: positive_price }
      - row_count: { min: 1, max: 1000000 }
      # Planted on purpose: a few products are in this file twice (old and new price). There is
      # deliberately no uniqueness check here or in stg_products: the duplicates travel down to
      # the product_performance mart, whose unique check (severity error) holds that mart back in
      # the very first run while everything else is published.

  - name: raw_orders
    path: data/orders.parquet
    format: parquet
    description: Orders as exported by the shop, one row per order, with its current status
    owner: data-platform
    tags: [raw, orders]
    checks:
      - not_null: [order_id, customer_id, ordered_at]
      - unique: order_id
      - row_count: { min: 1, max: 100000000 }

  - name: raw_order_items
    path: data/order_items.parquet
    format: parquet
    description: The lines of every order, with the price paid at the time
    owner: data-platform
    tags: [raw, orders]
    checks:
      - not_null: [order_item_id, order_id, product_id]
      - unique: order_item_id
      - expression: { sql: "quantity > 0", name: positive_quantity }

  - name: raw_payments
    path: data/payments.csv
    format: csv
    description: Payments from the payment provider, one per order; refunded when the order was cancelled or returned
    owner: finance-data
    tags: [raw, finance]
    options:
      header: true
      null_strings: [""]
      timestamp_format: "%Y-%m-%d %H:%M:%S"
      columns:
        payment_id: BIGINT
        order_id: BIGINT
        paid_at: TIMESTAMP
        method: VARCHAR
        status: VARCHAR
        amount: DECIMAL(12,2)
        currency: VARCHAR
    checks:
      - not_null: [payment_id, order_id]
      - unique: payment_id
      - accepted_values: { column: currency, values: [EUR] }
      # Planted on purpose: a handful of refunds were booked as payments with a minus sign. A
      # warning: finance wants to hear about it, but it must not stop the daily numbers.
      - expression: { sql: "amount >= 0", severity: warn, name: non_negative_amount }
`;

/**
 * `sources/shop_db.yaml`: the refunds, which live in the shop's PostgreSQL database rather than in
 * the exports. Off until SHOP_DB_URL is set (`requires_env`), so the demo runs with no server;
 * `npm run demo` with SHOP_DB_URL set creates and fills the table there first.
 */
export const SHOP_DB_SOURCES_YAML = `# The shop's refunds, read from its PostgreSQL database. The tables below are left out until
# SHOP_DB_URL is set: see README.md, "The database source".
source: shop_db
requires_env: SHOP_DB_URL
connection:
  type: postgres
  url: \${SHOP_DB_URL}
tables:
  - name: raw_refunds
    table: weir_demo.refunds
    description: Refunds as the shop's back office records them; corrected refunds are updated in place
    owner: finance-data
    tags: [raw, finance, database]
    # Each run reads only refunds changed since the last one (and the hour before, for late
    # commits), and replaces changed refunds by their id.
    incremental: { cursor: updated_at, lookback: 1h, primary_key: refund_id }
    checks:
      - not_null: [refund_id, order_id, amount]
      - unique: refund_id
      - expression: { sql: "amount > 0", name: positive_refund }
`;

/** `.gitignore`: the local state, and for the bigger sizes the generated data. */
export function gitignoreLines(size: DemoSize, seed: number): string[] {
  const lines = ['# Weir keeps its local state and the embedded warehouse here', '.weir/'];
  if (size !== 'small') {
    // Hundreds of megabytes or more; the generator is deterministic, so the files can be made again.
    lines.push(`# Generated demo data, too big for git: \`weir init --size ${size} --seed ${seed}\` writes the same bytes again`, 'data/');
  }
  return lines;
}
