/**
 * Generates the demo shop's data with DuckDB alone: every row comes from a table of ids, every
 * "random" choice from `hash(hash(seed, id, salt))`, and DuckDB writes the files with
 * `COPY ... TO`. No JavaScript touches a row, so ten million orders take seconds, and the same
 * seed gives byte-identical files (for a given DuckDB version: `hash` and the writers are DuckDB's).
 *
 * The planted data problems live here too, at fixed positions derived from the seed, so that
 * every size and every seed has them (see `PLANTED_*` below and the demo's README).
 */
import { join } from 'node:path';
import { DuckDBInstance, listValue, type DuckDBConnection } from '@duckdb/node-api';

/** How much data `weir init` generates. */
export type DemoSize = 'small' | 'medium' | 'large';

/** Every size, smallest first (for a command-line option's choices). */
export const DEMO_SIZES: readonly DemoSize[] = ['small', 'medium', 'large'];

/** The tables of the demo shop, in the order they are written. */
export type DemoTable = 'customers' | 'products' | 'orders' | 'order_items' | 'payments';

/** The row counts a size is built from; order items and payments follow from the orders. */
export interface DemoSizeSpec {
  customers: number;
  /** Distinct products; the products file has {@link PLANTED_DUPLICATE_PRODUCTS} more rows. */
  products: number;
  orders: number;
}

/** Row counts per size. Orders drive the time it takes; the rest scale so the marts stay interesting. */
export const DEMO_SIZE_SPECS: Readonly<Record<DemoSize, DemoSizeSpec>> = {
  small: { customers: 1_000, products: 200, orders: 5_000 },
  medium: { customers: 100_000, products: 2_000, orders: 1_000_000 },
  large: { customers: 1_000_000, products: 10_000, orders: 10_000_000 },
};

/** The seed used when none is given: the documented row counts are for this seed. */
export const DEFAULT_DEMO_SEED = 42;

/**
 * Planted on purpose: this many products appear twice in the products file (an old and a new
 * price). Nothing before the `product_performance` mart rejects them, and its `unique: product_id`
 * check (severity error) blocks that mart: the one gate a first `weir run` shows.
 */
export const PLANTED_DUPLICATE_PRODUCTS = 3;

// The planted rows below sit at positions counted from `plant`, the seed modulo 1000 (0 to 999), so
// every size and seed has the same number of them.

/** Planted on purpose: customers with `(customer_id + plant) % 250 = 0` have no email (a warning at the source). */
export const PLANTED_NULL_EMAIL_EVERY = 250;
/** Planted on purpose: customers with `(customer_id + plant) % 250 = 125` have an email without `@` (a warning in staging). */
export const PLANTED_MALFORMED_EMAIL_OFFSET = 125;
/** Planted on purpose: orders with `(order_id + plant) % 1000 = 0` have the status `on_hold`, which is not in the accepted list (a warning in staging). */
export const PLANTED_UNKNOWN_STATUS_EVERY = 1_000;
/** Planted on purpose: payments of orders with `(order_id + plant) % 1000 = 500` have a negative amount (a warning at the source). */
export const PLANTED_NEGATIVE_PAYMENT_EVERY = 1_000;
/** See {@link PLANTED_NEGATIVE_PAYMENT_EVERY}. */
export const PLANTED_NEGATIVE_PAYMENT_OFFSET = 500;

/** The first and last day of orders. Fixed, never "today", so the data does not depend on the clock. */
export const DEMO_ORDER_DAYS = { first: '2024-01-01', last: '2025-12-31' } as const;

/** Options of {@link generateDemoData}. */
export interface DemoDataOptions {
  size: DemoSize;
  seed: number;
  onProgress?: (message: string) => void;
}

/** One data file written by {@link generateDemoData}. */
export interface DemoDataFile {
  table: DemoTable;
  /** Relative to the project, with `/` separators (as the sources file names it). */
  path: string;
  format: 'csv' | 'parquet';
  rows: number;
}

/**
 * The word lists rows pick from. They are set once as DuckDB variables: a list literal inside a
 * query is rebuilt for every row, which made picking a name eight times slower.
 */
const WORD_LISTS = {
  first_names: ['Ada', 'Alan', 'Amara', 'Ben', 'Carla', 'Chen', 'Dara', 'Elif', 'Emil', 'Fatima', 'Grace', 'Hugo', 'Ines', 'Ivan',
    'Jonas', 'Kofi', 'Lena', 'Luca', 'Maya', 'Mateo', 'Nadia', 'Noah', 'Olga', 'Omar', 'Priya', 'Rosa', 'Sami', 'Sofia', 'Tomas', 'Yara'],
  last_names: ['Andersen', 'Bauer', 'Costa', 'Dubois', 'Eriksson', 'Fischer', 'Garcia', 'Hansen', 'Ivanova', 'Jansen', 'Kowalski',
    'Lopez', 'Martin', 'Novak', 'Okafor', 'Petrov', 'Quinn', 'Rossi', 'Schmidt', 'Silva', 'Tanaka', 'Varga', 'Weber', 'Yilmaz', 'Zhang'],
  email_domains: ['example.com', 'example.org', 'mail.example', 'post.example'],
  // Repeated entries weight the choice.
  countries: ['DE', 'DE', 'DE', 'FR', 'FR', 'NL', 'ES', 'IT', 'GB', 'GB', 'US', 'SE', 'PL', 'AT'],
  product_adjectives: ['Classic', 'Everyday', 'Urban', 'Alpine', 'Coastal', 'Studio', 'Heritage', 'Nordic'],
  // Nouns and categories are picked with the same index, so a name matches its category.
  product_nouns: ['Shirt', 'Sneaker', 'Backpack', 'Lamp', 'Serum', 'Tent', 'Notebook', 'Headphones'],
  categories: ['apparel', 'footwear', 'accessories', 'home', 'beauty', 'outdoor', 'stationery', 'electronics'],
  channels: ['web', 'web', 'web', 'app', 'app', 'marketplace'],
  payment_methods: ['card', 'card', 'card', 'paypal', 'paypal', 'bank_transfer', 'gift_card'],
} as const satisfies Record<string, readonly string[]>;

type WordList = keyof typeof WORD_LISTS;

/** SQL for one pseudo-random entry of a word list, chosen by `hash(seed, id, salt)`. */
function pick(list: WordList, id: string, salt: number): string {
  return `getvariable('${list}')[1 + rnd_int(${id}, ${salt}, ${WORD_LISTS[list].length})]`;
}

// Every generator query reads the seed and the sizes through getvariable(), because DuckDB binds
// no parameters inside macros; the variables are set from bound parameters, never concatenated.
// hash() is applied twice: DuckDB combines the hashes of several arguments so that the low bits
// repeat every 20 ids and ignore the seed; hashing the combination again mixes all 64 bits.
const MACROS = `
CREATE MACRO rnd_hash(id, salt) AS hash(hash(getvariable('seed'), id, salt));
CREATE MACRO rnd_int(id, salt, n) AS CAST(rnd_hash(id, salt) % n AS BIGINT);
-- 53 bits, a double's whole precision: with fewer, skewed picks among a million customers leave
-- some of them unreachable.
CREATE MACRO rnd_unit(id, salt) AS CAST(rnd_hash(id, salt) >> 11 AS DOUBLE) / 9007199254740992;
-- Prices lean to the cheap end.
CREATE MACRO product_price(product_id) AS CAST(floor(150 * pow(rnd_unit(product_id, 10), 2)) + 4.99 AS DECIMAL(10,2));
CREATE MACRO order_lines(order_id) AS 1 + rnd_int(order_id, 20, 4);
-- A few products sell far more than the rest.
CREATE MACRO line_product(order_id, line) AS
  1 + CAST(floor(getvariable('products') * pow(rnd_unit(order_id * 4 + line, 21), 1.5)) AS BIGINT);
CREATE MACRO line_quantity(order_id, line) AS
  CAST(CASE rnd_int(order_id * 4 + line, 22, 7) WHEN 6 THEN 3 WHEN 5 THEN 2 WHEN 4 THEN 2 ELSE 1 END AS INTEGER);
CREATE MACRO line_discount(order_id, line) AS
  CAST(CASE rnd_int(order_id * 4 + line, 23, 6) WHEN 3 THEN 0.05 WHEN 4 THEN 0.10 WHEN 5 THEN 0.20 ELSE 0 END AS DECIMAL(4,2));
CREATE MACRO line_amount(order_id, line) AS
  round(line_quantity(order_id, line) * product_price(line_product(order_id, line)) * (1 - line_discount(order_id, line)), 2);
CREATE MACRO order_amount(order_id) AS CAST(
  line_amount(order_id, 1)
  + CASE WHEN order_lines(order_id) >= 2 THEN line_amount(order_id, 2) ELSE 0 END
  + CASE WHEN order_lines(order_id) >= 3 THEN line_amount(order_id, 3) ELSE 0 END
  + CASE WHEN order_lines(order_id) >= 4 THEN line_amount(order_id, 4) ELSE 0 END AS DECIMAL(12,2));
-- Orders spread evenly over the 731 days (2024 is a leap year: 63,158,400 seconds), in order_id
-- order, with up to an hour of jitter that never crosses the last day.
CREATE MACRO order_ts(order_id) AS
  TIMESTAMP '${DEMO_ORDER_DAYS.first} 00:00:00'
  + to_seconds((order_id - 1) * (63158400 - 3600) // getvariable('orders') + rnd_int(order_id, 31, 3600));
CREATE MACRO order_status(order_id) AS CASE
  WHEN (order_id + getvariable('plant')) % ${PLANTED_UNKNOWN_STATUS_EVERY} = 0 THEN 'on_hold'
  WHEN order_id > getvariable('orders') - getvariable('orders') // 100 THEN CASE WHEN rnd_int(order_id, 32, 2) = 0 THEN 'placed' ELSE 'shipped' END
  WHEN rnd_unit(order_id, 33) < 0.80 THEN 'delivered'
  WHEN rnd_unit(order_id, 33) < 0.86 THEN 'shipped'
  WHEN rnd_unit(order_id, 33) < 0.94 THEN 'cancelled'
  ELSE 'returned' END;
`;

// Rows come from tables of ids rather than straight from range(): DuckDB scans a table with every
// thread and still writes the rows in table order, while range() feeds one thread.
const ID_TABLES = `
CREATE TABLE customer_ids AS SELECT range AS id FROM range(1, getvariable('customers') + 1);
CREATE TABLE product_ids AS SELECT range AS id FROM range(1, getvariable('products') + 1);
CREATE TABLE order_ids AS SELECT range AS id FROM range(1, getvariable('orders') + 1);
`;

const CUSTOMERS_SQL = `
SELECT
  customer_id,
  first_name,
  last_name,
  CASE
    -- planted: no email for one customer in 250
    WHEN (customer_id + getvariable('plant')) % ${PLANTED_NULL_EMAIL_EVERY} = 0 THEN NULL
    -- planted: the '@' is missing for another one in 250
    WHEN (customer_id + getvariable('plant')) % ${PLANTED_NULL_EMAIL_EVERY} = ${PLANTED_MALFORMED_EMAIL_OFFSET}
      THEN lower(first_name || '.' || last_name) || customer_id || '.example.com'
    -- typed in by hand: upper case and stray spaces, which staging cleans up
    WHEN rnd_int(customer_id, 42, 20) = 0 THEN ' ' || upper(first_name || '.' || last_name) || customer_id || '@EXAMPLE.COM '
    ELSE lower(first_name || '.' || last_name) || customer_id || '@' || ${pick('email_domains', 'customer_id', 43)}
  END AS email,
  ${pick('countries', 'customer_id', 44)} AS country,
  DATE '2022-01-01' + CAST(rnd_int(customer_id, 45, 730) AS INTEGER) AS signup_date,
  rnd_unit(customer_id, 46) < 0.4 AS marketing_opt_in
FROM (
  SELECT id AS customer_id, ${pick('first_names', 'id', 40)} AS first_name, ${pick('last_names', 'id', 41)} AS last_name
  FROM customer_ids
) AS c
`;

const PRODUCT_ROWS_SQL = `
SELECT
  id AS product_id,
  'SKU-' || lpad(CAST(id AS VARCHAR), 6, '0') AS sku,
  ${pick('product_adjectives', 'id', 50)} || ' ' || ${pick('product_nouns', 'id', 51)} AS product_name,
  ${pick('categories', 'id', 51)} AS category,
  product_price(id) AS unit_price,
  CAST(round(product_price(id) * (0.35 + 0.3 * rnd_unit(id, 52)), 2) AS DECIMAL(10,2)) AS unit_cost,
  TIMESTAMP '2023-12-01 00:00:00' + to_seconds(rnd_int(id, 53, 2592000)) AS updated_at
FROM product_ids
`;

const PRODUCTS_SQL = `
WITH catalogue AS (${PRODUCT_ROWS_SQL}),
-- planted: a few products exported twice, the second time with a new price; product_performance's
-- unique check (severity error) is the gate that catches it
duplicated AS (
  SELECT ((getvariable('plant') + k * (getvariable('products') // ${PLANTED_DUPLICATE_PRODUCTS})) % getvariable('products')) + 1 AS product_id
  FROM range(${PLANTED_DUPLICATE_PRODUCTS}) AS d(k)
)
SELECT * FROM catalogue
UNION ALL
SELECT c.product_id, c.sku, c.product_name, c.category,
  CAST(round(c.unit_price * 1.1, 2) AS DECIMAL(10,2)) AS unit_price, c.unit_cost,
  TIMESTAMP '2025-06-01 00:00:00' + to_seconds(rnd_int(c.product_id, 54, 86400)) AS updated_at
FROM catalogue AS c JOIN duplicated AS d ON d.product_id = c.product_id
ORDER BY product_id, updated_at
`;

const ORDERS_SQL = `
SELECT
  id AS order_id,
  -- a skewed customer choice, so a few customers order often and many rarely (good for RFM)
  1 + CAST(floor(getvariable('customers') * pow(rnd_unit(id, 30), 1.2)) AS BIGINT) AS customer_id,
  order_ts(id) AS ordered_at,
  order_status(id) AS status,
  ${pick('channels', 'id', 34)} AS channel,
  order_ts(id) + to_seconds(rnd_int(id, 35, 259200)) AS updated_at
FROM order_ids
`;

const ORDER_ITEMS_SQL = `
SELECT
  order_id * 10 + line AS order_item_id,
  order_id,
  CAST(line AS INTEGER) AS line_number,
  line_product(order_id, line) AS product_id,
  line_quantity(order_id, line) AS quantity,
  product_price(line_product(order_id, line)) AS unit_price,
  line_discount(order_id, line) AS discount_rate
FROM (SELECT id AS order_id, unnest(generate_series(1, order_lines(id))) AS line FROM order_ids) AS lines
`;

// One payment per order: captured, or refunded when the order was cancelled or returned. The
// amount is the sum of the order's rounded line amounts, recomputed here rather than aggregated
// from the items: faster, and ten million orders stream through without a hash table.
const PAYMENTS_SQL = `
SELECT
  1000000000 + id AS payment_id,
  id AS order_id,
  order_ts(id) + to_seconds(rnd_int(id, 60, 600)) AS paid_at,
  ${pick('payment_methods', 'id', 61)} AS method,
  CASE WHEN order_status(id) IN ('cancelled', 'returned') THEN 'refunded' ELSE 'captured' END AS status,
  -- planted: a handful of amounts with a minus sign (a refund booked the wrong way)
  CASE WHEN (id + getvariable('plant')) % ${PLANTED_NEGATIVE_PAYMENT_EVERY} = ${PLANTED_NEGATIVE_PAYMENT_OFFSET}
    THEN -order_amount(id) ELSE order_amount(id) END AS amount,
  'EUR' AS currency
FROM order_ids
`;

const DATA_FILES: ReadonlyArray<{ table: DemoTable; path: string; format: 'csv' | 'parquet'; sql: string }> = [
  { table: 'customers', path: 'data/customers.csv', format: 'csv', sql: CUSTOMERS_SQL },
  { table: 'products', path: 'data/products.csv', format: 'csv', sql: PRODUCTS_SQL },
  { table: 'orders', path: 'data/orders.parquet', format: 'parquet', sql: ORDERS_SQL },
  { table: 'order_items', path: 'data/order_items.parquet', format: 'parquet', sql: ORDER_ITEMS_SQL },
  { table: 'payments', path: 'data/payments.csv', format: 'csv', sql: PAYMENTS_SQL },
];

/** The data files, relative to the project, in the order they are written. */
export const DEMO_DATA_PATHS: readonly string[] = DATA_FILES.map((file) => file.path);

/**
 * Writes the demo shop's five data files under `<dir>/data/` (which must exist) and returns
 * what it wrote. Deterministic: the same size and seed give byte-identical files.
 *
 * @example
 * ```ts
 * const files = await generateDemoData('/tmp/shop', { size: 'small', seed: 42 });
 * // [{ table: 'customers', path: 'data/customers.csv', format: 'csv', rows: 1000 }, ...]
 * ```
 */
export async function generateDemoData(dir: string, options: DemoDataOptions): Promise<DemoDataFile[]> {
  const spec = DEMO_SIZE_SPECS[options.size];
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    // The default, set anyway: byte-identical output depends on it.
    await connection.run('SET preserve_insertion_order = true');
    await setVariable(connection, 'seed', options.seed);
    // Every planting modulus divides 1000, so this offset plants like the seed itself would, and
    // being non-negative it keeps SQL's signed % from thinning the rows out for negative seeds.
    await setVariable(connection, 'plant', ((options.seed % 1000) + 1000) % 1000);
    await setVariable(connection, 'customers', spec.customers);
    await setVariable(connection, 'products', spec.products);
    await setVariable(connection, 'orders', spec.orders);
    for (const [name, words] of Object.entries(WORD_LISTS)) {
      await connection.run(`SET VARIABLE ${name} = CAST($1 AS VARCHAR[])`, [listValue([...words])]);
    }
    await connection.run(MACROS);
    await connection.run(ID_TABLES);
    const written: DemoDataFile[] = [];
    for (const file of DATA_FILES) {
      const started = Date.now();
      options.onProgress?.(`writing ${file.path}`);
      // COPY keeps the rows in table order (insertion order is preserved by default), so the
      // bytes are the same however many threads run.
      const format = file.format === 'csv' ? '(FORMAT csv, HEADER true)' : '(FORMAT parquet, COMPRESSION zstd)';
      const result = await connection.runAndReadAll(`COPY (${file.sql}) TO $1 ${format}`, [join(dir, ...file.path.split('/'))]);
      const rows = Number(result.getRowObjectsJS()[0]?.Count ?? 0);
      written.push({ table: file.table, path: file.path, format: file.format, rows });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      options.onProgress?.(`wrote ${file.path}: ${rows.toLocaleString('en-US')} rows in ${seconds} s`);
    }
    return written;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function setVariable(connection: DuckDBConnection, name: string, value: number): Promise<void> {
  // The name is one of the fixed names above; the value is bound. Word lists are set the same way.
  await connection.run(`SET VARIABLE ${name} = CAST($1 AS BIGINT)`, [value]);
}
