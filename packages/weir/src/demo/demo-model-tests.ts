/**
 * The demo's unit tests of its models (`tests/*.yaml`, run by `weir test`): a few hand-made rows
 * in, the rows the model must produce out, in an in-memory database and never on the warehouse.
 * They test the logic worth pinning down: the status rules of revenue, the incremental merge of
 * daily_revenue (and what its cursor does not see), and margins of products without sales.
 */

const STAGING_TESTS = `# Unit tests of the staging models. \`weir test\` runs each on these rows in an in-memory database;
# the warehouse is never touched. See docs/model-tests.md in the Weir repository for the format.
tests:
  - name: normalises the status and derives the order day
    model: stg_orders
    given:
      raw_orders:
        - { order_id: 1, customer_id: 10, ordered_at: "2024-03-01 09:30:00", status: " Shipped ", channel: web, updated_at: "2024-03-02 08:00:00" }
        - { order_id: 2, customer_id: 11, ordered_at: "2024-03-01 23:59:59", status: PLACED, channel: app, updated_at: "2024-03-01 23:59:59" }
        # A row without an id is dropped.
        - { order_id: null, customer_id: 12, ordered_at: "2024-03-02 10:00:00", status: placed, channel: web, updated_at: "2024-03-02 10:00:00" }
    expect:
      rows:
        - { order_id: 1, customer_id: 10, ordered_at: "2024-03-01 09:30:00", order_date: 2024-03-01, status: shipped, channel: web, updated_at: "2024-03-02 08:00:00" }
        - { order_id: 2, customer_id: 11, ordered_at: "2024-03-01 23:59:59", order_date: 2024-03-01, status: placed, channel: app, updated_at: "2024-03-01 23:59:59" }

  - name: line amounts are after discount, rounded to cents; empty lines are dropped
    model: stg_order_items
    given:
      raw_order_items:
        - { order_item_id: 1, order_id: 1, line_number: 1, product_id: 100, quantity: 3, unit_price: 9.99, discount_rate: 0.1 }
        - { order_item_id: 2, order_id: 1, line_number: 2, product_id: 200, quantity: 1, unit_price: 20.00, discount_rate: 0.0 }
        - { order_item_id: 3, order_id: 2, line_number: 1, product_id: 100, quantity: 0, unit_price: 9.99, discount_rate: 0.0 }
    expect:
      columns: [order_item_id, line_amount]
      rows:
        - { order_item_id: 1, line_amount: 26.97 }
        - { order_item_id: 2, line_amount: 20.00 }
`;

// Orders of two days: cancelled and on_hold orders are not revenue.
const REVENUE_ORDERS = `      stg_orders:
        - { order_id: 1, order_date: 2024-03-01, status: delivered, updated_at: "2024-03-01 10:00:00" }
        - { order_id: 2, order_date: 2024-03-01, status: shipped, updated_at: "2024-03-01 12:00:00" }
        - { order_id: 3, order_date: 2024-03-01, status: cancelled, updated_at: "2024-03-01 13:00:00" }
        - { order_id: 4, order_date: 2024-03-02, status: placed, updated_at: "2024-03-02 09:00:00" }
        - { order_id: 5, order_date: 2024-03-02, status: on_hold, updated_at: "2024-03-02 09:30:00" }`;

const REVENUE_ITEMS = `      stg_order_items:
        - { order_id: 1, quantity: 2, line_amount: 20.00 }
        - { order_id: 1, quantity: 1, line_amount: 5.50 }
        - { order_id: 2, quantity: 1, line_amount: 10.00 }
        - { order_id: 3, quantity: 4, line_amount: 40.00 }
        - { order_id: 4, quantity: 3, line_amount: 30.00 }
        - { order_id: 5, quantity: 1, line_amount: 1.00 }`;

const MART_TESTS = `# Unit tests of the marts. \`weir test\` runs each on these rows in an in-memory database; the
# warehouse is never touched. See docs/model-tests.md in the Weir repository for the format.
tests:
  - name: revenue per day counts placed, shipped and delivered orders only
    model: daily_revenue
    given:
${REVENUE_ORDERS}
${REVENUE_ITEMS}
    expect:
      rows:
        - { order_date: 2024-03-01, orders: 2, units_sold: 4, revenue: 35.50, average_order_value: 17.75, last_updated_at: "2024-03-01 12:00:00" }
        - { order_date: 2024-03-02, orders: 1, units_sold: 3, revenue: 30.00, average_order_value: 30.00, last_updated_at: "2024-03-02 09:00:00" }

  - name: an incremental build merges the days whose orders changed and adds new days
    model: daily_revenue
    # The version built before: the two days above.
    existing:
      - { order_date: 2024-03-01, orders: 2, units_sold: 4, revenue: 35.50, average_order_value: 17.75, last_updated_at: "2024-03-01 12:00:00" }
      - { order_date: 2024-03-02, orders: 1, units_sold: 3, revenue: 30.00, average_order_value: 30.00, last_updated_at: "2024-03-02 09:00:00" }
    given:
${REVENUE_ORDERS}
        - { order_id: 6, order_date: 2024-03-02, status: placed, updated_at: "2024-03-02 18:00:00" }
        - { order_id: 7, order_date: 2024-03-03, status: placed, updated_at: "2024-03-03 10:00:00" }
${REVENUE_ITEMS}
        - { order_id: 6, quantity: 2, line_amount: 15.00 }
        - { order_id: 7, quantity: 1, line_amount: 8.00 }
        # A line added to order 1 without its updated_at moving: the cursor (the orders' latest
        # change) does not see it, so 2024-03-01 keeps its old row until a full rebuild.
        - { order_id: 1, quantity: 1, line_amount: 4.50 }
    expect:
      rows:
        - { order_date: 2024-03-01, orders: 2, units_sold: 4, revenue: 35.50, average_order_value: 17.75, last_updated_at: "2024-03-01 12:00:00" }
        - { order_date: 2024-03-02, orders: 2, units_sold: 5, revenue: 45.00, average_order_value: 22.50, last_updated_at: "2024-03-02 18:00:00" }
        - { order_date: 2024-03-03, orders: 1, units_sold: 1, revenue: 8.00, average_order_value: 8.00, last_updated_at: "2024-03-03 10:00:00" }

  - name: margins leave out cancelled orders and keep products without sales
    model: product_performance
    given:
      stg_products:
        rows:
          - { product_id: 100, sku: SKU-100, product_name: Mug, category: home, unit_price: 12.00, unit_cost: 4.00 }
          - { product_id: 200, sku: SKU-200, product_name: Cap, category: apparel, unit_price: 20.00, unit_cost: 8.00 }
          - { product_id: 300, sku: SKU-300, product_name: Pen, category: stationery, unit_price: 3.00, unit_cost: 1.00 }
        types: { unit_price: "DECIMAL(10,2)", unit_cost: "DECIMAL(10,2)" }
      stg_orders:
        - { order_id: 1, status: delivered }
        - { order_id: 2, status: cancelled }
        - { order_id: 3, status: shipped }
      stg_order_items:
        - { order_id: 1, product_id: 100, quantity: 2, line_amount: 24.00 }
        - { order_id: 1, product_id: 200, quantity: 1, line_amount: 18.00 }
        - { order_id: 2, product_id: 100, quantity: 5, line_amount: 60.00 }
        - { order_id: 3, product_id: 100, quantity: 1, line_amount: 10.80 }
    expect:
      columns: [product_id, orders, units_sold, revenue, gross_margin]
      rows:
        - { product_id: 100, orders: 2, units_sold: 3, revenue: 34.80, gross_margin: 22.80 }
        - { product_id: 200, orders: 1, units_sold: 1, revenue: 18.00, gross_margin: 10.00 }
        - { product_id: 300, orders: 0, units_sold: 0, revenue: 0, gross_margin: 0 }
`;

/** The test files by the path they are written to, relative to the project. */
export const MODEL_TEST_FILES: Readonly<Record<string, string>> = {
  'tests/staging.yaml': STAGING_TESTS,
  'tests/marts.yaml': MART_TESTS,
};
