/**
 * The MySQL connector against the real local MariaDB, loading into both warehouse engines through
 * their bulk paths: every mapped column type arrives with its exact value, NULL stays distinct from
 * the empty string, a cursor reads only rows past it (compared in the cursor's own type), a stream
 * cut part-way fails the load, and no failure shows a password.
 */
import { randomBytes } from 'node:crypto';
import { Transform } from 'node:stream';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDuckDBAdapter } from '../../engines/duckdb/duckdb-adapter.js';
import type { EngineAdapter } from '../../engines/engine-adapter.js';
import { openPostgresAdapter } from '../../engines/postgres/postgres-adapter.js';
import { WeirError } from '../../errors/weir-error.js';
import { mysqlService, testMysqlUrl } from '../../testing/broker-services.js';
import { createTestDatabase, describeWithService, type TestDatabase } from '../../testing/services.js';
import type { TableConnector } from '../connector.js';
import { openMysqlConnector } from './mysql-connector.js';

const suffix = randomBytes(5).toString('hex');
const databaseName = `weir_test_${suffix}`;
const userName = `weir_user_${suffix}`;
const userPassword = `Right-Pw-${suffix}`;
let admin: mysql.Connection;
let sourceUrl: string;
let connector: TableConnector;
let warehouseDatabase: TestDatabase;
const warehouses: Array<{ name: string; engine: EngineAdapter }> = [];

const KINDS = '`kinds`';
const KIND_COLUMNS = `id int PRIMARY KEY, flag tinyint(1), tiny tinyint, utiny tinyint unsigned, small smallint, usmall smallint unsigned,
  medium mediumint, umedium mediumint unsigned, num int, unum int unsigned, big bigint, ubig bigint unsigned, price decimal(12,2),
  wide decimal(50,10), ratio float, precise double, code char(4), label varchar(50), body text, day date, at datetime(6),
  stamp timestamp(3) NULL DEFAULT NULL, span time(1), yr year, doc json, raw blob, fixed binary(4), bits bit(10), wide_bits bit(64),
  color enum('red','green'), tags set('a','b','c')`;

function urlOf(database: string, user?: { name: string; password: string }): string {
  const url = new URL(testMysqlUrl());
  url.pathname = `/${database}`;
  if (user) {
    url.username = user.name;
    url.password = user.password;
  }
  return url.toString();
}

async function failureOf(opening: Promise<unknown>): Promise<WeirError> {
  const outcome = await opening.then(
    () => new Error('the connection was opened'),
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(WeirError);
  return outcome as WeirError;
}

await describeWithService(mysqlService, 'MySQL connector', () => {
  beforeAll(async () => {
    admin = await mysql.createConnection({ uri: testMysqlUrl() });
    await admin.query(`CREATE DATABASE \`${databaseName}\``);
    await admin.query(`USE \`${databaseName}\``);
    // Zero dates are allowed by lax modes (and old data); TIMESTAMPs are written at +02:00 to see them come out in UTC.
    await admin.query("SET SESSION sql_mode = '', time_zone = '+02:00'");
    await admin.query(`CREATE TABLE kinds (${KIND_COLUMNS})`);
    await admin.query(`INSERT INTO kinds VALUES
      (1, 1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, -9223372036854775808, 18446744073709551615, 1234567890.12,
       1234567890123456789012345678901234567890.0123456789, 1.2345678, -1e300, 'ABCD', 'a,b "c"', 'multi\\nline, "quoted"\\r\\n and é ü 😀',
       '2026-02-28', '2026-02-28 13:14:15.5', '2026-02-28 13:14:15.123', '-838:59:59', 2026, '{"k": [1, 2]}', x'00ff', x'01020304',
       b'1111111111', 18446744073709551615, 'green', 'a,c'),
      (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '', NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -0.5, 1, 0.5, 0.1, 'Z', 'x', '', '0000-00-00', '1999-12-31 23:59:59', '1999-12-31 23:00:00',
       '26:30:00.5', 1999, '[]', x'', x'ff', b'0', 0, 'red', '')`);
    await admin.query('CREATE TABLE digits (d int)');
    await admin.query('INSERT INTO digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)');
    // A million rows (about 50 MB) that the server produces as it sends them: far more than socket buffers hold.
    await admin.query(`CREATE VIEW big_rows AS SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d + 100000 * g.d AS id, REPEAT('x', 40) AS filler
      FROM digits a, digits b, digits c, digits e, digits f, digits g`);
    sourceUrl = urlOf(databaseName);
    connector = await openMysqlConnector({ url: sourceUrl });
    warehouseDatabase = await createTestDatabase('weir_mysql_wh');
    warehouses.push({ name: 'duckdb', engine: await openDuckDBAdapter({ path: ':memory:' }) });
    warehouses.push({ name: 'postgres', engine: await openPostgresAdapter({ url: warehouseDatabase.url }) });
    for (const { engine } of warehouses) await engine.createSchema('raw');
  });
  afterAll(async () => {
    await connector?.close();
    for (const { engine } of warehouses) await engine.close();
    await warehouseDatabase?.drop();
    await admin?.query(`DROP DATABASE IF EXISTS \`${databaseName}\``);
    await admin?.query(`DROP USER IF EXISTS '${userName}'@'%'`);
    await admin?.end();
  });

  it('describes the columns with warehouse types', async () => {
    const columns = await connector.describe(KINDS);
    expect(Object.fromEntries(columns.map((column) => [column.name, column.type]))).toEqual({
      id: 'INTEGER', flag: 'BOOLEAN', tiny: 'TINYINT', utiny: 'UTINYINT', small: 'SMALLINT', usmall: 'USMALLINT', medium: 'INTEGER', umedium: 'INTEGER',
      num: 'INTEGER', unum: 'UINTEGER', big: 'BIGINT', ubig: 'UBIGINT', price: 'DECIMAL(12,2)', wide: 'DOUBLE', ratio: 'FLOAT', precise: 'DOUBLE',
      code: 'VARCHAR', label: 'VARCHAR', body: 'VARCHAR', day: 'DATE', at: 'TIMESTAMP', stamp: 'TIMESTAMP', span: 'INTERVAL', yr: 'INTEGER', doc: 'JSON',
      raw: 'VARCHAR', fixed: 'VARCHAR', bits: 'BIGINT', wide_bits: 'UBIGINT', color: 'VARCHAR', tags: 'VARCHAR',
    });
    const query = await connector.describe('(SELECT id, CAST(id AS DECIMAL(5,0)) AS five, CAST(price AS DECIMAL(12,2)) + 0 AS sum FROM kinds)');
    expect(query.map((column) => column.type)).toEqual(['INTEGER', 'DECIMAL(5,0)', 'DECIMAL(13,2)']);
  });

  it('loads every value into each warehouse exactly, NULL apart from the empty string', async () => {
    const columns = await connector.describe(KINDS);
    for (const { name, engine } of warehouses) {
      const target = { schema: 'raw', name: 'kinds' };
      await engine.loadCsvStream(target, columns, await connector.readCsv({ from: KINDS }, columns));
      const session = await engine.session();
      try {
        const list = columns.map((column) => `CAST(${engine.quoteIdentifier(column.name)} AS VARCHAR) AS ${engine.quoteIdentifier(column.name)}`).join(', ');
        const rows = await session.query(`SELECT ${list}, label IS NULL AS label_null, body IS NULL AS body_null FROM ${engine.quoteRelation(target)} ORDER BY id`);
        expect(rows.map((row) => row.id), name).toEqual(['1', '2', '3']);
        expect(rows[0], name).toEqual({
          id: '1', flag: 'true', tiny: '-128', utiny: '255', small: '-32768', usmall: '65535', medium: '-8388608', umedium: '16777215',
          num: '-2147483648', unum: '4294967295', big: '-9223372036854775808', ubig: '18446744073709551615', price: '1234567890.12',
          wide: '1.2345678901234568e+39', ratio: '1.2345678', precise: '-1e+300', code: 'ABCD', label: 'a,b "c"', body: 'multi\nline, "quoted"\r\n and é ü 😀',
          day: '2026-02-28', at: '2026-02-28 13:14:15.5', stamp: '2026-02-28 11:14:15.123', span: '-838:59:59', yr: '2026', doc: '{"k": [1, 2]}',
          raw: '\\x00ff', fixed: '\\x01020304', bits: '1023', wide_bits: '18446744073709551615', color: 'green', tags: 'a,c', label_null: false, body_null: false,
        });
        const nulls = Object.fromEntries(columns.filter((column) => !['id', 'label'].includes(column.name)).map((column) => [column.name, null]));
        expect(rows[1], name).toEqual({ ...nulls, id: '2', label: '', label_null: false, body_null: true });
        expect(rows[2], name).toMatchObject({
          flag: 'false', price: '-0.50', ratio: '0.5', precise: '0.1', body: '', body_null: false, day: null, at: '1999-12-31 23:59:59',
          stamp: '1999-12-31 21:00:00', span: '26:30:00.5', yr: '1999', doc: '[]', raw: '\\x', fixed: '\\xff000000', bits: '0', wide_bits: '0', color: 'red', tags: '',
        });
      } finally {
        await session.close();
      }
    }
  });

  it('reads only the rows past a cursor, compared in the cursor column\'s own type', async () => {
    const columns = await connector.describe(KINDS);
    const duckdb = warehouses[0]!.engine;
    const idsPast = async (column: string, after: string, inclusive = false): Promise<number[]> => {
      const target = { schema: 'raw', name: 'kinds_past' };
      await duckdb.loadCsvStream(target, columns, await connector.readCsv({ from: KINDS, cursor: { column, after, inclusive } }, columns));
      const session = await duckdb.session();
      try {
        return (await session.query(`SELECT id FROM ${duckdb.quoteRelation(target)} ORDER BY id`)).map((row) => Number(row.id));
      } finally {
        await session.close();
      }
    };
    expect(await idsPast('id', '1')).toEqual([2, 3]);
    expect(await idsPast('id', '2', true)).toEqual([2, 3]);
    expect(await idsPast('at', '2000-01-01 00:00:00')).toEqual([1]);
    expect(await idsPast('at', '1999-12-31 23:59:58.999999')).toEqual([1, 3]);
    // TIMESTAMPs compare in UTC, to the fraction of a second.
    expect(await idsPast('stamp', '2026-02-28 11:14:15')).toEqual([1]);
    expect(await idsPast('stamp', '2026-02-28 11:14:15.123')).toEqual([]);
    // As doubles, 2^64 - 1 and 2^64 - 2 are the same number: the mark must compare as an integer.
    expect(await idsPast('ubig', '18446744073709551614')).toEqual([1]);
    expect(await idsPast('price', '-0.51')).toEqual([1, 3]);
    expect(await idsPast('label', 'a')).toEqual([1, 3]);

    expect(await connector.maxOf(KINDS, 'at')).toBe('2026-02-28 13:14:15.500000');
    expect(await connector.maxOf(KINDS, 'ubig')).toBe('18446744073709551615');
    expect(await connector.maxOf('(SELECT * FROM kinds WHERE id > 5)', 'id')).toBeNull();
  });

  it('reads in a UTC session whose sql_mode keeps bound values and CHAR values as they are', async () => {
    // The local server's own zone may well be UTC: ask the reading session itself.
    const from = '(SELECT @@SESSION.time_zone AS tz, @@SESSION.sql_mode AS mode, @@SESSION.net_write_timeout AS patience)';
    const columns = await connector.describe(from);
    const duckdb = warehouses[0]!.engine;
    const target = { schema: 'raw', name: 'session_settings' };
    await duckdb.loadCsvStream(target, columns, await connector.readCsv({ from }, columns));
    const session = await duckdb.session();
    try {
      const [settings] = await session.query(`SELECT tz, mode, patience FROM ${duckdb.quoteRelation(target)}`);
      expect(settings?.tz).toBe('+00:00');
      expect(String(settings?.mode)).not.toMatch(/NO_BACKSLASH_ESCAPES|PAD_CHAR_TO_FULL_LENGTH/);
      expect(Number(settings?.patience)).toBe(3600);
    } finally {
      await session.close();
    }
  });

  it('fails a load whose connection is killed part-way instead of keeping what arrived', async () => {
    const from = '`big_rows`';
    const columns = await connector.describe(from);
    const csv = await connector.readCsv({ from }, columns);
    let killed = 0;
    // Hold the first chunk until the streaming session is killed: the reader is paused, so the server cannot have sent all rows yet.
    const killOnFirstChunk = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (killed > 0) {
          done(null, chunk);
          return;
        }
        void (async () => {
          const [sessions] = await admin.query<mysql.RowDataPacket[]>(
            "SELECT id FROM information_schema.processlist WHERE db = ? AND info LIKE 'SELECT%big_rows%' AND id <> CONNECTION_ID()",
            [databaseName],
          );
          for (const session of sessions) await admin.query(`KILL ${Number(session.id)}`);
          killed = sessions.length;
          done(null, chunk);
        })().catch((error: unknown) => done(error as Error));
      },
    });
    csv.on('error', (error) => killOnFirstChunk.destroy(error));
    const duckdb = warehouses[0]!.engine;
    const failure = await duckdb.loadCsvStream({ schema: 'raw', name: 'big_rows' }, columns, csv.pipe(killOnFirstChunk)).then(
      () => new Error('the load finished'),
      (error: unknown) => error as Error,
    );
    expect(killed).toBe(1);
    expect(failure).toBeInstanceOf(WeirError);
    expect(failure.message).toMatch(new RegExp(`^reading \`big_rows\` from the MySQL source mysql://\\S+/${databaseName} failed: `));
    // The connector's own session was not the one killed: it still answers.
    expect(await connector.maxOf(KINDS, 'id')).toBe('3');
  });

  it('holds back the server while nobody reads, and ends the session of a read that is abandoned', async () => {
    const from = '`big_rows`';
    const streamingSessions = async () =>
      (await admin.query<mysql.RowDataPacket[]>("SELECT id FROM information_schema.processlist WHERE db = ? AND info LIKE 'SELECT%big_rows%' AND id <> CONNECTION_ID()", [databaseName]))[0];
    const csv = await connector.readCsv({ from }, await connector.describe(from));
    const pause = () => new Promise((resolve) => setTimeout(resolve, 250));
    // Wait until the buffer stops growing: at once with backpressure; only when all ~80 MB have arrived without it.
    let buffered = -1;
    while (csv.readableLength !== buffered || buffered === 0) {
      buffered = csv.readableLength;
      await pause();
    }
    expect(buffered).toBeLessThan(1024 * 1024);
    expect(await streamingSessions()).toHaveLength(1);
    csv.destroy();
    while ((await streamingSessions()).length > 0) await pause();
  });

  it('names host, port and user but never the password when the password is wrong', async () => {
    await admin.query(`CREATE USER '${userName}'@'%' IDENTIFIED BY '${userPassword}'`);
    await admin.query(`GRANT SELECT ON \`${databaseName}\`.* TO '${userName}'@'%'`);
    const right = await openMysqlConnector({ url: urlOf(databaseName, { name: userName, password: userPassword }) });
    try {
      expect(await right.maxOf(KINDS, 'id')).toBe('3');
    } finally {
      await right.close();
    }
    const wrongPassword = `Wr0ng-Secret-${suffix}`;
    const failure = await failureOf(openMysqlConnector({ url: urlOf(databaseName, { name: userName, password: wrongPassword }) }));
    expect(failure.code).toBe('SOURCE_UNAVAILABLE');
    const url = new URL(testMysqlUrl());
    expect(failure.message).toContain(`${userName}:***@${url.hostname}:${url.port || 3306}`);
    expect(failure.message).toMatch(/Access denied/);
    expect(failure.describe()).not.toContain(wrongPassword);
    expect(JSON.stringify(failure)).not.toContain(wrongPassword);
  });

  it('gives SOURCE_UNAVAILABLE for an unreachable port, and CONFIG_INVALID for a URL of another kind', async () => {
    const down = await failureOf(openMysqlConnector({ url: 'mysql://etl:Unreach-Pw-9@127.0.0.1:1/shop', connectTimeoutMs: 2_000 }));
    expect(down.code).toBe('SOURCE_UNAVAILABLE');
    expect(down.message).toContain('cannot connect to the MySQL source mysql://etl:***@127.0.0.1:1/shop');
    expect(down.message).toMatch(/ECONNREFUSED/);
    expect(down.describe()).not.toContain('Unreach-Pw-9');
    const wrongKind = await failureOf(openMysqlConnector({ url: 'postgres://etl:Other-Pw-9@127.0.0.1/shop' }));
    expect(wrongKind.code).toBe('CONFIG_INVALID');
    expect(wrongKind.describe()).not.toContain('Other-Pw-9');
  });

  it('says which table is missing', async () => {
    const failure = await failureOf(connector.describe('`no_such_table`'));
    expect(failure.code).toBe('SOURCE_READ_FAILED');
    expect(failure.message).toMatch(/no_such_table.*doesn't exist/);
  });
});
