/**
 * The demo's staging models: one per raw table, cleaning types and names. Plain SQL in the DuckDB
 * dialect that also runs on PostgreSQL. Keyed by the path each is written to.
 */

const STG_CUSTOMERS = `/*---
materialization: view
description: One row per customer, with a readable name and a cleaned-up email
owner: data-platform
tags: [staging, customers, pii]
columns:
  customer_id: The CRM's customer id
  email: Lower case and trimmed; NULL when the customer gave none
  country_code: ISO 3166-1 alpha-2 code of the billing country
checks:
  - not_null: [customer_id, customer_name]
  - unique: customer_id
  - accepted_values: { column: country_code, values: [AT, DE, ES, FR, GB, IT, NL, PL, SE, US] }
  # Planted on purpose: a few emails in the CRM export have no "@". A warning: marketing should
  # fix them, but nothing downstream depends on the email, so the first run goes on.
  - expression:
      sql: "email is null or email like '%_@_%._%'"
      severity: warn
      name: email_is_well_formed
---*/
select
  customer_id,
  trim(first_name) || ' ' || trim(last_name) as customer_name,
  lower(trim(email)) as email,
  upper(country) as country_code,
  signup_date as signed_up_on,
  marketing_opt_in
from raw_customers
where customer_id is not null
`;

const STG_PRODUCTS = `/*---
materialization: view
description: The product catalogue with categories in lower case
owner: merchandising
tags: [staging, products]
columns:
  unit_price: List price in EUR, including VAT
  unit_cost: What the shop pays the supplier, in EUR
checks:
  - not_null: [product_id, sku, product_name]
  - accepted_values:
      column: category
      values: [accessories, apparel, beauty, electronics, footwear, home, outdoor, stationery]
  - expression: { sql: "unit_cost <= unit_price", name: cost_below_price }
---*/
-- Planted on purpose: the catalogue export has a few products twice, and this model passes them
-- through as they are (no uniqueness check here). product_performance's unique check is the gate
-- that catches them, so the first \`weir run\` shows one mart held back and everything else built.
-- The fix keeps the latest row per product: replace "from raw_products" below with
--   from (select *, row_number() over (partition by product_id order by updated_at desc) as version_rank
--         from raw_products) as latest
-- and add "and version_rank = 1" to the where clause.
select
  product_id,
  sku,
  product_name,
  lower(category) as category,
  unit_price,
  unit_cost,
  updated_at
from raw_products
where product_id is not null
`;

const STG_ORDERS = `/*---
materialization: table
description: One row per order with its day and a normalised status
owner: data-platform
tags: [staging, orders]
columns:
  order_date: The day the order was placed
  status: "placed, shipped, delivered, cancelled or returned"
  updated_at: When the order last changed; drives the incremental daily_revenue
checks:
  - not_null: [order_id, customer_id, ordered_at, order_date]
  - unique: order_id
  - accepted_values: { column: channel, values: [web, app, marketplace] }
  # Planted on purpose: the shop started using a status "on_hold" without telling anyone. A
  # warning: those orders are left out of revenue until someone decides what on_hold means.
  - accepted_values:
      column: status
      values: [placed, shipped, delivered, cancelled, returned]
      severity: warn
---*/
select
  order_id,
  customer_id,
  ordered_at,
  cast(ordered_at as date) as order_date,
  lower(trim(status)) as status,
  channel,
  updated_at
from raw_orders
where order_id is not null
`;

const STG_ORDER_ITEMS = `/*---
materialization: table
description: Order lines with the amount paid after discount
owner: data-platform
tags: [staging, orders]
columns:
  discount_rate: Fraction taken off the unit price, 0 to 0.5
  line_amount: quantity * unit_price * (1 - discount_rate), rounded to cents, in EUR
checks:
  - not_null: [order_item_id, order_id, product_id, line_amount]
  - unique: order_item_id
  - unique: [order_id, line_number]
  - expression: { sql: "discount_rate >= 0 and discount_rate <= 0.5", name: discount_in_range }
  - expression: { sql: "line_amount >= 0", name: line_amount_not_negative }
---*/
select
  order_item_id,
  order_id,
  line_number,
  product_id,
  quantity,
  unit_price,
  discount_rate,
  round(quantity * unit_price * (1 - discount_rate), 2) as line_amount
from raw_order_items
where quantity > 0
`;

const STG_PAYMENTS = `/*---
materialization: view
description: Payments per order, captured or refunded
owner: finance-data
tags: [staging, finance]
columns:
  amount: In EUR; a refund keeps the amount of the original payment
checks:
  - not_null: [payment_id, order_id, paid_at]
  - unique: payment_id
  - accepted_values: { column: method, values: [card, paypal, bank_transfer, gift_card] }
  - accepted_values: { column: payment_status, values: [captured, refunded] }
---*/
select
  payment_id,
  order_id,
  paid_at,
  method,
  status as payment_status,
  amount,
  currency
from raw_payments
`;

/** The staging models by the path they are written to, relative to the project. */
export const STAGING_MODEL_FILES: Readonly<Record<string, string>> = {
  'models/staging/stg_customers.sql': STG_CUSTOMERS,
  'models/staging/stg_products.sql': STG_PRODUCTS,
  'models/staging/stg_orders.sql': STG_ORDERS,
  'models/staging/stg_order_items.sql': STG_ORDER_ITEMS,
  'models/staging/stg_payments.sql': STG_PAYMENTS,
};
