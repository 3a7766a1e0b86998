/**
 * A project with something to orchestrate, for the schedules and backfills API and browser tests:
 * a schedule in Europe/Berlin, a file sensor, a TypeScript sensor that always throws (line 7 of
 * its file), and a day-partitioned model over three days of orders.
 */

/** The line of `sensors/export_ready.ts` that throws. */
export const FAILING_SENSOR_LINE = 7;

/**
 * The project's files.
 *
 * @example
 * ```ts
 * const project = await createWeirProject(orchestrationFiles());
 * ```
 */
export function orchestrationFiles(): Record<string, string> {
  return {
    'weir.yaml': `name: orchestrated
schedules:
  - name: nightly
    cron: "0 2 * * *"
    timezone: Europe/Berlin
    select: [daily_revenue]
sensors:
  - name: landing
    type: file
    path: landing/*.csv
    select: [daily_revenue]
    interval_seconds: 3600
`,
    'data/orders.csv': 'id,order_date,amount\n1,2026-01-01,10\n2,2026-01-02,20\n3,2026-01-02,5\n4,2026-01-03,7\n',
    'sources/files.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n    columns: { id: BIGINT, order_date: DATE, amount: DOUBLE }\n',
    'models/daily_revenue.sql': `/*---
partitioned_by: { column: order_date, granularity: day, start: 2026-01-01, end: 2026-01-31 }
---*/
select order_date, sum(amount) as revenue, count(*) as orders from raw_orders group by order_date`,
    'sensors/export_ready.ts': `import { defineSensor } from 'weir';

export const export_ready = defineSensor({
  select: 'daily_revenue',
  interval: '1s',
  evaluate() {
    throw new Error('the export API answered 503');
  },
});
`,
  };
}
