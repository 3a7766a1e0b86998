/**
 * The source side's errors against the real server: a user without the rights CDC needs (with the
 * password never shown), a table that does not exist, a publication that lacks the table; and the
 * slot's LSN bookkeeping (peek does not consume, advance never moves back).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cdcServerUrl, dropReplicationSlots, postgresCdcService, stopPrivateCdcServer } from '../../testing/postgres-cdc-service.js';
import { createTestDatabase, describeWithService, type TestDatabase } from '../../testing/services.js';
import { openPostgresCdcSource } from './postgres-cdc-source.js';

let database: TestDatabase;
let admin: pg.Client;
const suffix = randomBytes(4).toString('hex');
const role = `weir_cdc_user_${suffix}`;
const password = `S3cret-${suffix}`;

await describeWithService(postgresCdcService, 'PostgreSQL CDC source', () => {
  beforeAll(async () => {
    database = await createTestDatabase('weir_cdc_source', await cdcServerUrl());
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(`CREATE TABLE orders (id integer PRIMARY KEY, note text)`);
    await admin.query(`CREATE TABLE other (id integer PRIMARY KEY)`);
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await admin.query(`GRANT SELECT ON orders TO ${role}`);
  });
  afterAll(async () => {
    await admin?.query(`DROP OWNED BY ${role}`).catch(() => undefined);
    await admin?.end();
    if (database !== undefined) {
      await dropReplicationSlots(database.url);
      await database.drop();
    }
    const server = new pg.Client({ connectionString: database.url.replace(/\/[^/]+$/, '/postgres') });
    await server.connect();
    await server.query(`DROP ROLE IF EXISTS ${role}`);
    await server.end();
    stopPrivateCdcServer();
  });

  const userUrl = () => {
    const url = new URL(database.url);
    url.username = role;
    url.password = password;
    return url.toString();
  };

  it('says a user without REPLICATION cannot create the slot (and how to fix it), never showing the password', async () => {
    const publication = `weir_orders_${suffix}`;
    const asUser = await openPostgresCdcSource({ url: userUrl(), table: '"public"."orders"', slot: `weir_denied_${suffix}`, publication });
    try {
      // Not the table's owner: the publication cannot be created by this user.
      const noPublication = await asUser.ensurePublication().then(() => undefined, (error: unknown) => error);
      expect(noPublication).toMatchObject({ code: 'SOURCE_UNAVAILABLE', hint: expect.stringContaining(`CREATE PUBLICATION "${publication}" FOR TABLE public.orders`) });
      await admin.query(`CREATE PUBLICATION "${publication}" FOR TABLE orders`);
      await asUser.ensurePublication();
      const noSlot = await asUser.createSlot().then(() => undefined, (error: unknown) => error);
      expect(noSlot).toMatchObject({ code: 'SOURCE_UNAVAILABLE', message: expect.stringContaining('cannot create the replication slot'), hint: expect.stringContaining('REPLICATION') });
      for (const error of [noPublication, noSlot]) {
        expect(String((error as Error).message)).not.toContain(password);
        expect(String((error as Error).message)).toContain(`${role}:***@`);
      }
    } finally {
      await asUser.close();
    }
  });

  it('names a table that does not exist, and a publication that does not include the table', async () => {
    await expect(openPostgresCdcSource({ url: database.url, table: '"public"."missing"', slot: 'weir_missing', publication: 'weir_missing' })).rejects.toMatchObject({
      code: 'SOURCE_READ_FAILED',
      message: expect.stringContaining('"public"."missing" does not exist'),
    });
    await admin.query(`CREATE PUBLICATION weir_other_${suffix} FOR TABLE other`);
    const cdc = await openPostgresCdcSource({ url: database.url, table: '"public"."orders"', slot: 'weir_x', publication: `weir_other_${suffix}` });
    try {
      await expect(cdc.ensurePublication()).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining(`does not include public.orders`),
        hint: expect.stringContaining(`ALTER PUBLICATION "weir_other_${suffix}" ADD TABLE public.orders`),
      });
    } finally {
      await cdc.close();
    }
  });

  it('peeks without consuming, and advances only forward', async () => {
    const slot = `weir_peek_${suffix}`;
    const cdc = await openPostgresCdcSource({ url: database.url, table: '"public"."orders"', slot, publication: `weir_peek_${suffix}` });
    try {
      await cdc.ensurePublication();
      const created = await cdc.createSlot();
      expect((await cdc.slot())?.confirmedFlushLsn).toBe(created.lsn);
      await admin.query(`INSERT INTO orders VALUES (1, 'a')`);
      await admin.query(`INSERT INTO orders VALUES (2, 'b')`);
      const first = await cdc.peek(1000);
      expect(first.transactions.map((transaction) => transaction.changes.length)).toEqual([1, 1]);
      expect((await cdc.peek(1000)).transactions).toHaveLength(2);
      // Only what commits before the given LSN.
      expect((await cdc.peek(1000, first.transactions[0]!.endLsn)).transactions).toHaveLength(1);
      await cdc.advance(first.transactions[0]!.endLsn);
      expect((await cdc.peek(1000)).transactions.map((transaction) => transaction.xid)).toEqual([first.transactions[1]!.xid]);
      // Moving back is a no-op, not an error.
      await cdc.advance(created.lsn);
      expect((await cdc.slot())?.confirmedFlushLsn).toBe(first.transactions[0]!.endLsn);
    } finally {
      await cdc.close();
    }
  });
});
