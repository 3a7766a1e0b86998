/**
 * The demo's marts: what the shop's people read. Plain SQL in the DuckDB dialect that also runs on
 * PostgreSQL. Revenue counts orders that are placed, shipped or delivered; an order with a status
 * outside the known list (the planted `on_hold`) is left out until someone decides what it means.
 */

const DAILY_REVENUE = `/*---
materialization: incremental
incremental:
  strategy: merge
  unique_key: order_date
  # A day is taken again whenever one of its orders changed after the last build, and merged
  # over the old row for that day.
  cursor: last_updated_at
description: Orders, units and revenue per day
owner: finance-data
tags: [marts, finance]
columns:
  order_date: The day the orders were placed
  revenue: Sum of the line amounts after discount, in EUR
  last_updated_at: The latest change to any of the day's orders; the incremental cursor
checks:
  - not_null: [order_date, revenue]
  - unique: order_date
  - row_count: { min: 1, max: 1000 }
  - expression: { sql: "revenue >= 0", name: revenue_not_negative }
  - expression: { sql: "orders > 0 and units_sold >= orders", name: every_order_has_units }
---*/
with order_totals as (
  select order_id, sum(quantity) as units, sum(line_amount) as amount
  from stg_order_items
  group by order_id
)
select
  o.order_date,
  count(*) as orders,
  cast(sum(t.units) as bigint) as units_sold,
  cast(sum(t.amount) as decimal(18, 2)) as revenue,
  cast(sum(t.amount) / count(*) as decimal(12, 2)) as average_order_value,
  max(o.updated_at) as last_updated_at
from stg_orders as o
join order_totals as t on t.order_id = o.order_id
where o.status in ('placed', 'shipped', 'delivered')
group by o.order_date
`;

const DAILY_CHANNEL_REVENUE = `/*---
# Built one day at a time: \`weir run --partition 2025-12-31\` builds one day, \`weir backfill
# daily_channel_revenue --from 2025-12-01 --to 2025-12-31\` a range. A plain \`weir run\` leaves it alone.
partitioned_by: { column: order_date, granularity: day, start: 2024-01-01, end: 2026-01-01 }
description: Orders and revenue per day and sales channel, partitioned by day
owner: finance-data
tags: [marts, finance]
columns:
  order_date: The day the orders were placed (the partition)
  channel: web, app or marketplace
  revenue: Sum of the line amounts after discount, in EUR
checks:
  - not_null: [order_date, channel, revenue]
  - expression: { sql: "revenue >= 0", name: channel_revenue_not_negative }
  - expression: { sql: "orders > 0", name: channel_has_orders }
---*/
with order_totals as (
  select order_id, sum(line_amount) as amount
  from stg_order_items
  group by order_id
)
select
  o.order_date,
  o.channel,
  count(*) as orders,
  cast(sum(t.amount) as decimal(18, 2)) as revenue
from stg_orders as o
join order_totals as t on t.order_id = o.order_id
where o.status in ('placed', 'shipped', 'delivered')
group by o.order_date, o.channel
`;

const CUSTOMER_LIFETIME_VALUE = `/*---
materialization: table
description: Orders, revenue and payments per customer over their whole history; the input of customer_segments
owner: growth-analytics
tags: [marts, customers, finance]
columns:
  order_count: Orders that were placed, shipped or delivered
  lifetime_revenue: Sum of those orders' line amounts, in EUR
  days_since_last_order: Days from the customer's last order to the last order day in the data (not to today, so a rerun gives the same answer)
  total_paid: Captured payments, in EUR
checks:
  - not_null: [customer_id, customer_name, order_count, lifetime_revenue]
  - unique: customer_id
  - expression: { sql: "lifetime_revenue >= 0", name: revenue_not_negative }
  - expression:
      sql: "order_count = 0 or (first_order_date <= last_order_date and days_since_last_order >= 0)"
      name: order_dates_consistent
---*/
with order_totals as (
  select order_id, sum(line_amount) as amount
  from stg_order_items
  group by order_id
),
customer_orders as (
  select
    o.customer_id,
    count(*) as order_count,
    sum(t.amount) as lifetime_revenue,
    min(o.order_date) as first_order_date,
    max(o.order_date) as last_order_date
  from stg_orders as o
  join order_totals as t on t.order_id = o.order_id
  where o.status in ('placed', 'shipped', 'delivered')
  group by o.customer_id
),
customer_payments as (
  select
    o.customer_id,
    sum(case when p.payment_status = 'captured' then p.amount else 0 end) as total_paid,
    sum(case when p.payment_status = 'refunded' then p.amount else 0 end) as total_refunded
  from stg_payments as p
  join stg_orders as o on o.order_id = p.order_id
  group by o.customer_id
),
data_as_of as (
  select max(order_date) as as_of_date from stg_orders
)
select
  c.customer_id,
  c.customer_name,
  c.country_code,
  c.signed_up_on,
  cast(coalesce(co.order_count, 0) as integer) as order_count,
  cast(coalesce(co.lifetime_revenue, 0) as decimal(18, 2)) as lifetime_revenue,
  cast(co.lifetime_revenue / co.order_count as decimal(12, 2)) as average_order_value,
  co.first_order_date,
  co.last_order_date,
  cast(d.as_of_date - co.last_order_date as integer) as days_since_last_order,
  cast(coalesce(cp.total_paid, 0) as decimal(18, 2)) as total_paid,
  cast(coalesce(cp.total_refunded, 0) as decimal(18, 2)) as total_refunded
from stg_customers as c
left join customer_orders as co on co.customer_id = c.customer_id
left join customer_payments as cp on cp.customer_id = c.customer_id
cross join data_as_of as d
`;

const PRODUCT_PERFORMANCE = `/*---
materialization: table
description: Orders, units, revenue and gross margin per product over the whole history
owner: merchandising
tags: [marts, products, finance]
columns:
  revenue: Sum of the product's line amounts after discount, in EUR
  gross_margin: Revenue minus units sold times the current unit cost, in EUR
checks:
  - not_null: [product_id, revenue, gross_margin]
  # Planted on purpose: the catalogue export lists a few products twice (see stg_products), so
  # they appear twice here with their sales counted twice. This is the one check of the demo
  # with severity error: the first \`weir run\` builds this table, sees the check fail and does
  # not publish it, while every other asset is published. Deduplicate in stg_products and run
  # again to see the gate open.
  - unique: product_id
  - accepted_values:
      column: category
      values: [accessories, apparel, beauty, electronics, footwear, home, outdoor, stationery]
  - expression: { sql: "units_sold >= 0 and revenue >= 0", name: totals_not_negative }
---*/
with product_sales as (
  select
    i.product_id,
    count(distinct i.order_id) as orders,
    sum(i.quantity) as units_sold,
    sum(i.line_amount) as revenue
  from stg_order_items as i
  join stg_orders as o on o.order_id = i.order_id
  where o.status in ('placed', 'shipped', 'delivered')
  group by i.product_id
)
select
  p.product_id,
  p.sku,
  p.product_name,
  p.category,
  p.unit_price,
  cast(coalesce(s.orders, 0) as bigint) as orders,
  cast(coalesce(s.units_sold, 0) as bigint) as units_sold,
  cast(coalesce(s.revenue, 0) as decimal(18, 2)) as revenue,
  cast(coalesce(s.revenue, 0) - coalesce(s.units_sold, 0) * p.unit_cost as decimal(18, 2)) as gross_margin
from stg_products as p
left join product_sales as s on s.product_id = p.product_id
`;

/** The SQL marts by the path they are written to, relative to the project. */
export const MART_MODEL_FILES: Readonly<Record<string, string>> = {
  'models/marts/daily_revenue.sql': DAILY_REVENUE,
  'models/marts/daily_channel_revenue.sql': DAILY_CHANNEL_REVENUE,
  'models/marts/customer_lifetime_value.sql': CUSTOMER_LIFETIME_VALUE,
  'models/marts/product_performance.sql': PRODUCT_PERFORMANCE,
};
