/**
 * A MariaDB/MySQL source as a user drives it: a table read through `${VAR}`, loaded whole and then
 * incrementally (new, updated and late rows) merged by key, the high-water mark shown by
 * `weir show`; and the bad cases: wrong credentials and an unreachable port, named without the
 * password, with the published version kept.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { mysqlService, testMysqlUrl } from '../../../core/src/testing/broker-services.js';
import { describeWithService } from '../../../core/src/testing/services.js';
import { createWeirProject, show, type WeirTestProject } from './weir-test-project.js';

const databaseName = `weir_test_${randomBytes(5).toString('hex')}`;
let source: mysql.Connection;
let project: WeirTestProject;

const SOURCES = `source: shop
connection:
  type: mysql
  url: \${SHOP_MYSQL_URL}
tables:
  - name: shop_orders
    table: ${databaseName}.orders
    incremental: { cursor: updated_at, lookback: 1h, primary_key: id }
    checks:
      - not_null: id
  - name: shop_customers
    query: select distinct customer from orders
`;

await describeWithService(mysqlService, 'MySQL sources', () => {
  beforeAll(async () => {
    source = await mysql.createConnection({ uri: testMysqlUrl() });
    await source.query(`CREATE DATABASE \`${databaseName}\``);
    await source.query(`USE \`${databaseName}\``);
    await source.query(`CREATE TABLE orders (id int PRIMARY KEY, customer varchar(20), amount decimal(10,2), paid tinyint(1), note text, updated_at datetime(3) NOT NULL)`);
    await source.query(`INSERT INTO orders VALUES
      (1, 'ann', 10.50, 1, 'plain', '2026-01-01 10:00:00'),
      (2, 'bo', 20.00, 0, '', '2026-01-01 11:00:00'),
      (3, 'cy', NULL, NULL, 'a "quoted", comma\\nand a new line', '2026-01-01 12:00:00')`);
    project = await createWeirProject({ 'weir.yaml': 'name: shop\n', 'sources/shop.yaml': SOURCES });
  });
  afterAll(async () => {
    await project?.cleanup();
    await source?.query(`DROP DATABASE IF EXISTS \`${databaseName}\``);
    await source?.end();
  });

  const sourceUrl = (): string => {
    const url = new URL(testMysqlUrl());
    url.pathname = `/${databaseName}`;
    return url.toString();
  };
  const env = () => ({ SHOP_MYSQL_URL: sourceUrl() });
  const orders = () =>
    project.query<{ id: number; customer: string; amount: number | null; paid: boolean | null; note: string | null }>('select id, customer, amount, paid, note from shop_orders order by id');

  test('the first run loads the whole table, values and NULLs as they are', async () => {
    const run = await project.weir(['run'], { env: env() });
    expect(run.code, show(run)).toBe(0);
    expect(await orders()).toEqual([
      { id: 1, customer: 'ann', amount: 10.5, paid: true, note: 'plain' },
      { id: 2, customer: 'bo', amount: 20, paid: false, note: '' },
      { id: 3, customer: 'cy', amount: null, paid: null, note: 'a "quoted", comma\nand a new line' },
    ]);
    expect((await project.query('select * from shop_customers order by customer')).map((row) => row.customer)).toEqual(['ann', 'bo', 'cy']);
  });

  test('the next run reads only new and changed rows and merges them by key', async () => {
    await source.query(`INSERT INTO orders VALUES (4, 'dee', 40.00, 0, 'new', '2026-01-01 13:00:00')`);
    await source.query(`UPDATE orders SET amount = 11.00, paid = 0, updated_at = '2026-01-01 13:30:00.250' WHERE id = 1`);
    // A late row: older than the mark, but within the hour of lookback.
    await source.query(`INSERT INTO orders VALUES (5, 'eve', 50.00, 1, 'late', '2026-01-01 12:45:00')`);
    const run = await project.weir(['run', '--select', 'shop_orders'], { env: env() });
    expect(run.code, show(run)).toBe(0);
    // Past the mark (12:00) minus the hour of lookback (11:00): rows 3 (re-read), 1 (updated), 4 (new)
    // and 5 (late); row 2, at 11:00 exactly, is not read again.
    expect(run.stdout + run.stderr).toContain('read 4 row(s)');
    const rows = await orders();
    expect(rows.map((row) => row.id)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]).toMatchObject({ amount: 11, paid: false });

    const shown = await project.weirJson<{ source: { from: string; cursor: string; highWaterMark: string } }>(['show', 'shop_orders', '--json']);
    expect(shown.source).toMatchObject({ from: `\`${databaseName}\`.\`orders\``, cursor: 'updated_at', highWaterMark: expect.stringMatching(/^2026-01-01 13:30:00\.25/) });
    const text = await project.weir(['show', 'shop_orders']);
    expect(text.stdout).toContain(`reads \`${databaseName}\`.\`orders\` from mysql`);
    expect(text.stdout).toMatch(/incremental by updated_at; high-water mark 2026-01-01 13:30:00\.25/);

    const again = await project.weir(['run', '--select', 'shop_orders'], { env: env() });
    expect(again.code, show(again)).toBe(0);
    expect(again.stdout).toMatch(/unchanged/);
  });

  test('bad credentials and an unreachable port fail without the password, and the published version stays', async () => {
    const url = new URL(sourceUrl());
    url.username = 'no_such_user_weir';
    url.password = 'Sup3r-Secret-Pw';
    const refused = await project.weir(['run', '--select', 'shop_orders'], { env: { SHOP_MYSQL_URL: url.toString() } });
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/cannot connect to the MySQL source mysql:\/\/no_such_user_weir:\*\*\*@[^ ]+:\d+\//);
    expect(refused.stdout + refused.stderr).not.toContain('Sup3r-Secret-Pw');

    const down = await project.weir(['run', '--select', 'shop_orders'], { env: { SHOP_MYSQL_URL: 'mysql://etl:Down-Secret-Pw@127.0.0.1:1/shop' } });
    expect(down.code).not.toBe(0);
    expect(down.stdout + down.stderr).toContain('cannot connect to the MySQL source mysql://etl:***@127.0.0.1:1/shop');
    expect(down.stdout + down.stderr).not.toContain('Down-Secret-Pw');
    expect((await orders()).length).toBe(5);
  });
});
