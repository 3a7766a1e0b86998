/**
 * The engines profiling and check-suggestion tests run on (DuckDB in memory, and a throwaway
 * PostgreSQL database), and a table of orders with planted problems both engines build from the
 * same SQL. Used only by tests.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { openDuckDBAdapter } from '../engines/duckdb/duckdb-adapter.js';
import type { EngineAdapter, EngineSession } from '../engines/engine-adapter.js';
import { openPostgresAdapter } from '../engines/postgres/postgres-adapter.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from './services.js';

/** An open engine and one session on it, for the body of a suite. */
export interface ProfilingEngine {
  readonly kind: 'duckdb' | 'postgres';
  readonly engine: EngineAdapter;
  readonly session: EngineSession;
}

/**
 * Registers `body` once per engine (PostgreSQL skipped with a message when it is down, failing
 * under CI). Call with top-level `await`. `body` receives a getter: the engine opens in `beforeAll`.
 *
 * @example
 * ```ts
 * await describeOnEachEngine('profileRelation', (current) => {
 *   it('counts rows', async () => { const { session } = current(); ... });
 * });
 * ```
 */
export async function describeOnEachEngine(name: string, body: (current: () => ProfilingEngine) => void): Promise<void> {
  suite('duckdb', name, async () => ({ engine: await openDuckDBAdapter({ path: ':memory:' }) }), body);
  await describeWithService(postgresService, `${name} (postgres)`, () => {
    suite(
      'postgres',
      name,
      async () => {
        const database = await createTestDatabase('weir_profile');
        return { engine: await openPostgresAdapter({ url: database.url }), database };
      },
      body,
    );
  });
}

function suite(
  kind: 'duckdb' | 'postgres',
  name: string,
  open: () => Promise<{ engine: EngineAdapter; database?: TestDatabase }>,
  body: (current: () => ProfilingEngine) => void,
): void {
  describe(`${name} on ${kind}`, () => {
    let opened: { engine: EngineAdapter; database?: TestDatabase; session: EngineSession } | undefined;
    beforeAll(async () => {
      const { engine, database } = await open();
      opened = { engine, session: await engine.session(), ...(database ? { database } : {}) };
    });
    afterAll(async () => {
      await opened?.session.close();
      await opened?.engine.close();
      await opened?.database?.drop();
    });
    body(() => {
      if (!opened) throw new Error(`the ${kind} engine is not open (did beforeAll fail?)`);
      return { kind, engine: opened.engine, session: opened.session };
    });
  });
}

/** Rows in {@link PLANTED_ORDERS_SQL}. */
export const PLANTED_ORDERS_ROWS = 5000;

/**
 * `CREATE TABLE <name> AS` this SQL, on either engine: 5,000 orders with problems planted at
 * fixed positions: 20 null emails (i % 250 = 0), 20 emails without "@" (i % 250 = 125), 5
 * orders `on_hold` among placed/shipped/delivered (i % 1000 = 7), 5 negative amounts
 * (i % 1000 = 500), and invoice numbers 1, 2 and 3 given twice (the last three rows). Text
 * columns hold a UUID, an ISO date, a day-first date, a fixed-width code and a nullable note.
 */
export const PLANTED_ORDERS_SQL = `SELECT
  i AS order_id,
  CASE WHEN i > ${PLANTED_ORDERS_ROWS - 3} THEN i - ${PLANTED_ORDERS_ROWS - 3} ELSE i END AS invoice_no,
  CASE WHEN i % 250 = 0 THEN NULL
       WHEN i % 250 = 125 THEN 'user' || CAST(i AS VARCHAR) || '.example.com'
       ELSE 'user' || CAST(i AS VARCHAR) || '@example.com' END AS email,
  CASE WHEN i % 1000 = 7 THEN 'on_hold'
       WHEN i % 3 = 0 THEN 'placed' WHEN i % 3 = 1 THEN 'shipped' ELSE 'delivered' END AS status,
  CAST(CASE WHEN i % 1000 = 500 THEN -1 ELSE 1 END * (1 + i % 400) / 4.0 AS DECIMAL(10,2)) AS amount,
  CAST(i % 4 AS INTEGER) + 1 AS quantity,
  i % 3 = 0 AS gift,
  CAST(i AS DOUBLE PRECISION) / 7 AS score,
  'C' || lpad(CAST(i % 100 AS VARCHAR), 3, '0') AS code,
  substr(md5(CAST(i AS VARCHAR)), 1, 8) || '-' || substr(md5(CAST(i AS VARCHAR)), 9, 4) || '-4' || substr(md5(CAST(i AS VARCHAR)), 14, 3)
    || '-a' || substr(md5(CAST(i AS VARCHAR)), 18, 3) || '-' || substr(md5(CAST(i AS VARCHAR)), 21, 12) AS tracking_id,
  CAST(DATE '2024-01-01' + CAST(i % 365 AS INTEGER) AS VARCHAR) AS ship_date_text,
  lpad(CAST(1 + i % 28 AS VARCHAR), 2, '0') || '/' || lpad(CAST(1 + i % 12 AS VARCHAR), 2, '0') || '/2024' AS invoice_date_text,
  DATE '2024-01-01' + CAST(i % 365 AS INTEGER) AS ordered_on,
  CASE WHEN i % 10 = 0 THEN NULL ELSE 'note ' || CAST(i % 37 AS VARCHAR) END AS note
FROM generate_series(1, ${PLANTED_ORDERS_ROWS}) AS g(i)`;
