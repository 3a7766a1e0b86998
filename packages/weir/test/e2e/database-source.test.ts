/**
 * Database sources as a user drives them: a PostgreSQL table loaded whole and then incrementally
 * (new rows, updated rows, late rows within the lookback), merged by key, never twice; and the
 * bad cases: wrong password, unreachable host, a dropped source table, an unset variable.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../../../core/src/testing/services.js';
import { createWeirProject, show, type WeirTestProject } from './weir-test-project.js';

let database: TestDatabase;
let source: pg.Client;
let project: WeirTestProject;

const SOURCES = `source: shop
connection:
  type: postgres
  url: \${SHOP_DB_URL}
tables:
  - name: shop_orders
    table: public.orders
    incremental: { cursor: updated_at, lookback: 1h, primary_key: id }
    checks:
      - not_null: id
  - name: shop_customers
    query: select distinct customer from orders
`;

await describeWithService(postgresService, 'database sources', () => {
  beforeAll(async () => {
    database = await createTestDatabase('weir_source');
    source = new pg.Client({ connectionString: database.url });
    await source.connect();
    await source.query(`CREATE TABLE orders (id integer PRIMARY KEY, customer text, amount numeric(10,2), note text, updated_at timestamptz NOT NULL)`);
    await source.query(`INSERT INTO orders VALUES
      (1, 'ann', 10.50, 'plain', '2026-01-01 10:00:00+00'),
      (2, 'bo', 20.00, '', '2026-01-01 11:00:00+00'),
      (3, 'cy', NULL, E'a "quoted", comma\\nand a new line', '2026-01-01 12:00:00+00')`);
    project = await createWeirProject({ 'weir.yaml': 'name: shop\n', 'sources/shop.yaml': SOURCES });
  });
  afterAll(async () => {
    await project?.cleanup();
    await source?.end();
    await database?.drop();
  });

  const env = () => ({ SHOP_DB_URL: database.url });
  const orders = () => project.query<{ id: number; customer: string; amount: number | null; note: string | null }>('select id, customer, amount, note from shop_orders order by id');

  test('the first run loads the whole table, values and NULLs as they are', async () => {
    const run = await project.weir(['run'], { env: env() });
    expect(run.code, show(run)).toBe(0);
    expect(await orders()).toEqual([
      { id: 1, customer: 'ann', amount: 10.5, note: 'plain' },
      { id: 2, customer: 'bo', amount: 20, note: '' },
      { id: 3, customer: 'cy', amount: null, note: 'a "quoted", comma\nand a new line' },
    ]);
    expect((await project.query('select * from shop_customers order by customer')).map((row) => row.customer)).toEqual(['ann', 'bo', 'cy']);
  });

  test('the next run reads only new and changed rows and merges them by key', async () => {
    await source.query(`INSERT INTO orders VALUES (4, 'dee', 40.00, 'new', '2026-01-01 13:00:00+00')`);
    await source.query(`UPDATE orders SET amount = 11.00, updated_at = '2026-01-01 13:30:00+00' WHERE id = 1`);
    // A late row: older than the mark, but within the hour of lookback.
    await source.query(`INSERT INTO orders VALUES (5, 'eve', 50.00, 'late', '2026-01-01 12:45:00+00')`);
    const run = await project.weir(['run', '--select', 'shop_orders'], { env: env() });
    expect(run.code, show(run)).toBe(0);
    // Past the mark (12:00) minus the hour of lookback (11:00): rows 3 (re-read), 1 (updated), 4 (new)
    // and 5 (late); row 2, at 11:00 exactly, is not read again.
    expect(run.stdout + run.stderr).toContain('read 4 row(s)');
    const rows = await orders();
    expect(rows.map((row) => row.id)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]?.amount).toBe(11);

    const shown = await project.weirJson<{ source: { cursor: string; highWaterMark: string } }>(['show', 'shop_orders', '--json']);
    expect(shown.source).toMatchObject({ cursor: 'updated_at', highWaterMark: expect.stringMatching(/^2026-01-01 13:30:00/) });
    const text = await project.weir(['show', 'shop_orders']);
    expect(text.stdout).toMatch(/incremental by updated_at; high-water mark 2026-01-01 13:30:00/);

    const again = await project.weir(['run', '--select', 'shop_orders'], { env: env() });
    expect(again.code, show(again)).toBe(0);
    expect(again.stdout).toMatch(/unchanged/);
  });

  test('bad credentials fail without the password, and the published version stays readable', async () => {
    const url = new URL(database.url);
    url.password = 'Sup3r-Secret-Pw';
    url.username = 'no_such_user_weir';
    const run = await project.weir(['run', '--select', 'shop_orders'], { env: { SHOP_DB_URL: url.toString() } });
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('no_such_user_weir');
    expect(run.stdout + run.stderr).not.toContain('Sup3r-Secret-Pw');
    expect((await orders()).length).toBe(5);
  });

  test('an unreachable host and an unset variable are named', async () => {
    const down = await project.weir(['run', '--select', 'shop_orders'], { env: { SHOP_DB_URL: 'postgres://etl:pw@127.0.0.1:1/shop' } });
    expect(down.code).not.toBe(0);
    expect(down.stdout + down.stderr).toMatch(/cannot connect to the PostgreSQL source postgres:\/\/etl:\*\*\*@127\.0\.0\.1:1\/shop/);
    const unset = await project.weir(['run', '--select', 'shop_orders']);
    expect(unset.code).not.toBe(0);
    expect(unset.stdout + unset.stderr).toContain('environment variable "SHOP_DB_URL" (in the connection URL) is not set');
    expect((await orders()).length).toBe(5);
  });

  test('a dropped source table fails the load and keeps what was published', async () => {
    await source.query('ALTER TABLE orders RENAME TO orders_gone');
    try {
      const run = await project.weir(['run', '--select', 'shop_orders'], { env: env() });
      expect(run.code).not.toBe(0);
      expect(run.stdout + run.stderr).toMatch(/"public"\."orders".*does not exist/s);
      expect((await orders()).length).toBe(5);
    } finally {
      await source.query('ALTER TABLE orders_gone RENAME TO orders');
    }
  });
});
