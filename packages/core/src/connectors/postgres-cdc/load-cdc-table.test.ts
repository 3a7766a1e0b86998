/**
 * Change data capture from the local PostgreSQL into both warehouse engines: the initial copy
 * and then inserts, updates (key changes included) and deletes applied exactly once; the history
 * with its intervals; a batch peeked again after a crash between the warehouse commit and the
 * slot's advance; rolled-back transactions; unchanged TOAST values; TRUNCATE; and the errors a
 * user can meet (a table without a key, missing permissions, a value the warehouse cannot hold).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDBAdapter } from '../../engines/duckdb/duckdb-adapter.js';
import type { EngineAdapter, RelationRef, Row } from '../../engines/engine-adapter.js';
import { openPostgresAdapter } from '../../engines/postgres/postgres-adapter.js';
import type { DatabaseSourceAsset } from '../../project/project-model.js';
import { cdcServerUrl, dropReplicationSlots, postgresCdcService, stopPrivateCdcServer } from '../../testing/postgres-cdc-service.js';
import { createTestDatabase, describeWithService, type TestDatabase } from '../../testing/services.js';
import { landingRelation } from '../streams/stream-landing.js';
import { applyChanges } from './apply-changes.js';
import { historyRelation, readCdcPosition } from './cdc-landing.js';
import { loadCdcTable } from './load-cdc-table.js';
import { UNCHANGED_TOAST } from './pgoutput-parser.js';
import { openPostgresCdcSource } from './postgres-cdc-source.js';

const OUT = 'cdc_test';
let sourceDb: TestDatabase;
let source: pg.Client;
const warehouses: TestDatabase[] = [];

/** A value each engine cannot hold in the type Weir gives the column. */
const UNFIT = {
  duckdb: { type: 'numeric(10,2)', value: "'NaN'" },
  postgres: { type: 'numeric', value: "repeat('1', 401)::numeric" },
};

const engines: Array<{ name: 'duckdb' | 'postgres'; open: () => Promise<EngineAdapter> }> = [
  { name: 'duckdb', open: () => openDuckDBAdapter({ path: ':memory:' }) },
  {
    name: 'postgres',
    open: async () => {
      const database = await createTestDatabase('weir_cdc_wh');
      warehouses.push(database);
      return await openPostgresAdapter({ url: database.url });
    },
  },
];

function cdcAsset(name: string, options: { history?: boolean; url?: string } = {}): DatabaseSourceAsset {
  return {
    kind: 'database', name, file: 'sources/app.yaml', line: 3, source: 'app', materialization: 'table', inputs: [], tags: [], columns: {}, checks: [],
    connection: { type: 'postgres', url: options.url ?? '${CDC_SOURCE_URL}' }, from: `"public"."${name}"`,
    cdc: { history: options.history ?? false, slot: `weir_${name}`, publication: `weir_${name}` },
  };
}

function unique(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

await describeWithService(postgresCdcService, 'PostgreSQL change data capture', () => {
  beforeAll(async () => {
    sourceDb = await createTestDatabase('weir_cdc_src', await cdcServerUrl());
    source = new pg.Client({ connectionString: sourceDb.url });
    await source.connect();
    await source.query("SET TimeZone = 'UTC'");
  });
  afterAll(async () => {
    await source?.end();
    if (sourceDb !== undefined) {
      await dropReplicationSlots(sourceDb.url);
      await sourceDb.drop();
    }
    for (const database of warehouses) await database.drop();
    stopPrivateCdcServer();
  });

  describe.each(engines)('into a $name warehouse', ({ name: engineName, open }) => {
    let engine: EngineAdapter;
    let version = 0;
    const env = () => ({ CDC_SOURCE_URL: sourceDb.url });
    const load = async (asset: DatabaseSourceAsset) => {
      const physical: RelationRef = { schema: OUT, name: `${asset.name}_v${++version}` };
      const progress = await loadCdcTable(asset, { engine, physical, runId: 'test', env: env() });
      return { progress, physical };
    };
    const query = async (sql: string): Promise<Row[]> => {
      const session = await engine.session();
      try {
        return await session.query(sql);
      } finally {
        await session.close();
      }
    };
    /** Drops the slot and publication a test made (a database with slots cannot be dropped). */
    const cleanUp = async (name: string) => {
      await source.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [`weir_${name}`]);
      await source.query(`DROP PUBLICATION IF EXISTS "weir_${name}"`);
    };
    const relation = (ref: RelationRef) => engine.quoteRelation(ref);

    beforeAll(async () => {
      engine = await open();
      await engine.createSchema(OUT);
    });
    afterAll(async () => {
      await engine?.close();
    });

    it('copies the table, then applies inserts, updates (the key too) and deletes until it equals the source', async () => {
      const name = unique('orders');
      try {
        await source.query(`CREATE TABLE ${name} (id integer PRIMARY KEY, customer text, amount numeric(10,2), paid boolean, placed_at timestamptz)`);
        await source.query(`INSERT INTO ${name} VALUES (1, 'ann', 10.50, true, '2026-01-02 03:04:05.123456+00'), (2, 'bob', NULL, false, NULL), (3, 'cy', 3, NULL, '2026-02-01 00:00:00+00')`);
        const asset = cdcAsset(name);
        const first = await load(asset);
        expect(first.progress).toMatchObject({ copied: 3, transactions: 0 });
        await expectSameRows(first.physical, name);

        await source.query(`INSERT INTO ${name} VALUES (4, 'dee', 7.25, true, now())`);
        await source.query(`UPDATE ${name} SET customer = 'ann b', amount = amount + 1 WHERE id = 1`);
        await source.query(`DELETE FROM ${name} WHERE id = 2`);
        // One transaction touching a key several times, re-using a deleted key, and moving a key.
        await source.query(`BEGIN; UPDATE ${name} SET amount = 1 WHERE id = 4; UPDATE ${name} SET amount = 2 WHERE id = 4; INSERT INTO ${name} VALUES (2, 'bob again', 0, false, NULL); UPDATE ${name} SET id = 30 WHERE id = 3; COMMIT`);
        const second = await load(asset);
        expect(second.progress).toMatchObject({ copied: 0, transactions: 4, changes: 7, skipped: 0 });
        await expectSameRows(second.physical, name);
        expect((await query(`SELECT id FROM ${relation(second.physical)} ORDER BY id`)).map((row) => Number(row.id))).toEqual([1, 2, 4, 30]);

        // Nothing new: the same rows again, nothing applied twice.
        const third = await load(asset);
        expect(third.progress).toMatchObject({ transactions: 0, changes: 0 });
        await expectSameRows(third.physical, name);
      } finally {
        await cleanUp(name);
      }
    });

    it('keeps a history: every version with the interval it was current, deletes as zero-length rows, one open row per key', async () => {
      const name = unique('accounts');
      try {
        await source.query(`CREATE TABLE ${name} (id integer PRIMARY KEY, owner text)`);
        await source.query(`INSERT INTO ${name} VALUES (1, 'first'), (2, 'doomed')`);
        const asset = cdcAsset(name, { history: true });
        await load(asset);
        const clock = async () => new Date(String((await source.query(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t`)).rows[0].t)).getTime();
        const before = await clock();
        await source.query(`UPDATE ${name} SET owner = 'second' WHERE id = 1`);
        await source.query(`UPDATE ${name} SET owner = 'third' WHERE id = 1`);
        await source.query(`DELETE FROM ${name} WHERE id = 2`);
        await source.query(`INSERT INTO ${name} VALUES (3, 'new')`);
        const after = await clock();
        await load(asset);

        const history = await query(`SELECT id, owner, valid_from, valid_to, _weir_operation, _weir_lsn FROM ${relation(historyRelation(name))} ORDER BY id, valid_from, valid_to NULLS LAST`);
        const byKey = (id: number) => history.filter((row) => Number(row.id) === id);
        expect(byKey(1).map((row) => [row.owner, row._weir_operation, row.valid_to === null])).toEqual([
          ['first', 'insert', false],
          ['second', 'update', false],
          ['third', 'update', true],
        ]);
        // Each version ends when the next begins, at the source's commit times.
        const times = byKey(1).map((row) => [time(row.valid_from), row.valid_to === null ? null : time(row.valid_to)] as const);
        expect(times[0]![1]).toBe(times[1]![0]);
        expect(times[1]![1]).toBe(times[2]![0]);
        for (const [from] of times.slice(1)) {
          expect(from).toBeGreaterThanOrEqual(before - 1);
          expect(from).toBeLessThanOrEqual(after + 1);
        }
        expect(byKey(2).map((row) => [row.owner, row._weir_operation])).toEqual([
          ['doomed', 'insert'],
          ['doomed', 'delete'],
        ]);
        expect(time(byKey(2)[1]!.valid_from)).toBe(time(byKey(2)[1]!.valid_to));
        expect(byKey(3).map((row) => [row.owner, row._weir_operation, row.valid_to])).toEqual([['new', 'insert', null]]);
        expect(new Set(history.map((row) => row._weir_lsn)).size).toBe(5); // the copy's, and one per transaction
        expectConsistentHistory(history, [1, 3]);
      } finally {
        await cleanUp(name);
      }
    });

    it('applies a batch once when it is peeked again after a crash between the warehouse commit and the slot advance', async () => {
      const name = unique('items');
      try {
        await source.query(`CREATE TABLE ${name} (id integer PRIMARY KEY, label text)`);
        await source.query(`INSERT INTO ${name} VALUES (1, 'one')`);
        const asset = cdcAsset(name, { history: true });
        await load(asset);
        await source.query(`INSERT INTO ${name} VALUES (2, 'two')`);
        await source.query(`UPDATE ${name} SET label = 'uno' WHERE id = 1`);

        // What a run does up to the warehouse commit, then "crashes" before advancing the slot.
        const stored = (await readCdcPosition(engine, name))!;
        const cdc = await openPostgresCdcSource({ url: sourceDb.url, table: asset.from, slot: `weir_${name}`, publication: `weir_${name}` });
        try {
          const { transactions } = await cdc.peek(1000);
          expect(transactions).toHaveLength(2);
          const applied = await applyChanges(engine, { asset: name, columns: stored.columns, key: ['id'], wholeRowKey: false, history: true }, transactions, stored.lsn);
          expect(applied).toMatchObject({ transactions: 2, skipped: 0 });
        } finally {
          await cdc.close();
        }
        await source.query(`INSERT INTO ${name} VALUES (3, 'three')`);

        const { progress, physical } = await load(asset);
        expect(progress).toMatchObject({ skipped: 2, transactions: 1, changes: 1 });
        await expectSameRows(physical, name);
        const history = await query(`SELECT id, label, _weir_operation, valid_from, valid_to FROM ${relation(historyRelation(name))} ORDER BY id, valid_from, valid_to NULLS LAST`);
        // Applied twice, key 2 would have two versions and key 1 three.
        expect(history.map((row) => [Number(row.id), row.label, row._weir_operation])).toEqual([
          [1, 'one', 'insert'],
          [1, 'uno', 'update'],
          [2, 'two', 'insert'],
          [3, 'three', 'insert'],
        ]);
        expectConsistentHistory(history, [1, 2, 3]);
        // The slot was advanced past everything: nothing is left to peek.
        const again = await load(asset);
        expect(again.progress).toMatchObject({ skipped: 0, transactions: 0 });
      } finally {
        await cleanUp(name);
      }
    });

    it('never applies a transaction the source rolled back', async () => {
      const name = unique('ledger');
      try {
        await source.query(`CREATE TABLE ${name} (id integer PRIMARY KEY, note text)`);
        await source.query(`INSERT INTO ${name} VALUES (1, 'kept')`);
        const asset = cdcAsset(name, { history: true });
        await load(asset);
        await source.query(`BEGIN; INSERT INTO ${name} VALUES (2, 'ghost'); UPDATE ${name} SET note = 'ghost' WHERE id = 1; DELETE FROM ${name} WHERE id = 1; ROLLBACK`);
        await source.query(`INSERT INTO ${name} VALUES (3, 'real')`);
        const { progress, physical } = await load(asset);
        expect(progress).toMatchObject({ transactions: 1, changes: 1 });
        expect(await query(`SELECT id, note FROM ${relation(physical)} ORDER BY id`)).toEqual([
          { id: 1, note: 'kept' },
          { id: 3, note: 'real' },
        ]);
        expect((await query(`SELECT count(*) AS n FROM ${relation(historyRelation(name))} WHERE note = 'ghost' OR id = 2`))[0]).toEqual({ n: 0 });
      } finally {
        await cleanUp(name);
      }
    });

    it('keeps the old value of a TOASTed column an update leaves unchanged (from the warehouse, or from earlier in the batch)', async () => {
      const name = unique('documents');
      try {
        // Random hex compresses poorly: the body is stored out of line, so updates log it as unchanged.
        await source.query(`CREATE TABLE ${name} (id integer PRIMARY KEY, title text, body text)`);
        const body = `(SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 400))`;
        await source.query(`INSERT INTO ${name} VALUES (1, 'copied', ${body}), (2, 'moved', ${body}), (3, 'deleted', ${body})`);
        const asset = cdcAsset(name, { history: true });
        await load(asset);
        await source.query(`UPDATE ${name} SET title = 'copied, renamed' WHERE id = 1`);
        await source.query(`INSERT INTO ${name} VALUES (4, 'new', ${body})`);
        await source.query(`UPDATE ${name} SET title = 'new, renamed' WHERE id = 4`);
        await source.query(`UPDATE ${name} SET id = 20, title = 'moved, renamed' WHERE id = 2`);
        await source.query(`UPDATE ${name} SET title = 'moved twice' WHERE id = 20`);
        await source.query(`DELETE FROM ${name} WHERE id = 3`);

        // The WAL really says "unchanged" for the body: the path under test is taken.
        const cdc = await openPostgresCdcSource({ url: sourceDb.url, table: asset.from, slot: `weir_${name}`, publication: `weir_${name}` });
        try {
          const { transactions } = await cdc.peek(1000);
          const unchanged = transactions.flatMap((transaction) => transaction.changes).filter((change) => change.kind === 'update' && change.row.body === UNCHANGED_TOAST);
          expect(unchanged.length).toBeGreaterThanOrEqual(3);
        } finally {
          await cdc.close();
        }
        const { physical } = await load(asset);
        await expectSameRows(physical, name);
        const expected = (await source.query(`SELECT id, md5(body) AS hash FROM ${name} ORDER BY id`)).rows.map((row) => [row.id, row.hash]);
        const landed = await query(`SELECT id, md5(body) AS hash FROM ${relation(physical)} ORDER BY id`);
        expect(landed.map((row) => [Number(row.id), row.hash])).toEqual(expected);
        // Every version in the history has its body, the deleted row's tombstone too.
        expect((await query(`SELECT count(*) AS n FROM ${relation(historyRelation(name))} WHERE body IS NULL OR length(body) < 12800`))[0]).toEqual({ n: 0 });
        expect((await query(`SELECT _weir_operation AS op FROM ${relation(historyRelation(name))} WHERE id = 3 ORDER BY valid_from, valid_to NULLS LAST`)).map((row) => row.op)).toEqual(['insert', 'delete']);
      } finally {
        await cleanUp(name);
      }
    });

    it('applies a TRUNCATE: the table empties, every open history row ends, later rows of the same batch stay', async () => {
      const name = unique('sessions');
      try {
        await source.query(`CREATE TABLE ${name} (id integer PRIMARY KEY, who text)`);
        await source.query(`INSERT INTO ${name} VALUES (1, 'a'), (2, 'b')`);
        const asset = cdcAsset(name, { history: true });
        await load(asset);
        await source.query(`UPDATE ${name} SET who = 'a2' WHERE id = 1`);
        await source.query(`TRUNCATE ${name}`);
        await source.query(`INSERT INTO ${name} VALUES (2, 'b again'), (5, 'e')`);
        const { physical } = await load(asset);
        await expectSameRows(physical, name);
        const history = await query(`SELECT id, who, _weir_operation, valid_from, valid_to FROM ${relation(historyRelation(name))} ORDER BY id, valid_from, valid_to NULLS LAST`);
        expect(history.filter((row) => Number(row.id) === 1).map((row) => [row.who, row._weir_operation])).toEqual([
          ['a', 'insert'],
          ['a2', 'update'],
          ['a2', 'delete'],
        ]);
        expectConsistentHistory(history, [2, 5]);
      } finally {
        await cleanUp(name);
      }
    });

    it('refuses a table without a primary key, and captures it with REPLICA IDENTITY FULL (NULLs included)', async () => {
      const name = unique('events');
      try {
        await source.query(`CREATE TABLE ${name} (kind text, detail text)`);
        await source.query(`INSERT INTO ${name} VALUES ('a', NULL), ('b', 'x')`);
        const asset = cdcAsset(name);
        await expect(load(asset)).rejects.toMatchObject({
          code: 'CONFIG_INVALID',
          message: expect.stringContaining('has no primary key'),
          hint: expect.stringContaining('REPLICA IDENTITY FULL'),
        });
        await source.query(`ALTER TABLE ${name} REPLICA IDENTITY FULL`);
        await load(asset);
        await source.query(`UPDATE ${name} SET detail = 'y' WHERE kind = 'a'`);
        await source.query(`DELETE FROM ${name} WHERE kind = 'b'`);
        await source.query(`INSERT INTO ${name} VALUES ('c', NULL)`);
        const { physical } = await load(asset);
        expect(await query(`SELECT kind, detail FROM ${relation(physical)} ORDER BY kind`)).toEqual([
          { kind: 'a', detail: 'y' },
          { kind: 'c', detail: null },
        ]);
      } finally {
        await cleanUp(name);
      }
    });

    it('stops with a clear error on a value the warehouse cannot hold, applying nothing and keeping the change', async () => {
      const name = unique('prices');
      const unfit = UNFIT[engineName];
      try {
        await source.query(`CREATE TABLE ${name} (id integer PRIMARY KEY, price ${unfit.type})`);
        await source.query(`INSERT INTO ${name} VALUES (1, 1)`);
        const asset = cdcAsset(name);
        await load(asset);
        await source.query(`INSERT INTO ${name} VALUES (2, 2)`);
        await source.query(`INSERT INTO ${name} VALUES (3, ${unfit.value})`);
        const error = await load(asset).then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        expect(error).toMatchObject({ code: 'SOURCE_READ_FAILED', message: expect.stringContaining(`cannot apply`), hint: expect.stringContaining('price') });
        // The batch was all-or-nothing: row 2 is not there either, and the source still holds both.
        expect((await query(`SELECT count(*) AS n FROM ${relation(landingRelation(name))}`))[0]).toEqual({ n: 1 });
        const held = (await source.query(`SELECT count(*)::int AS n FROM pg_logical_slot_peek_binary_changes($1, NULL, NULL, 'proto_version', '1', 'publication_names', $2)`, [`weir_${name}`, `weir_${name}`])).rows[0];
        expect(held.n).toBeGreaterThan(0);
      } finally {
        await cleanUp(name);
      }
    });

    it('adds a column the source table gains, with the values of later changes', async () => {
      const name = unique('contacts');
      try {
        await source.query(`CREATE TABLE ${name} (id integer PRIMARY KEY, email text)`);
        await source.query(`INSERT INTO ${name} VALUES (1, 'a@x')`);
        const asset = cdcAsset(name, { history: true });
        await load(asset);
        await source.query(`ALTER TABLE ${name} ADD COLUMN phone text`);
        await source.query(`INSERT INTO ${name} VALUES (2, 'b@x', '555')`);
        await source.query(`UPDATE ${name} SET phone = '111' WHERE id = 1`);
        const { physical } = await load(asset);
        await expectSameRows(physical, name);
        expect((await engine.describe(historyRelation(name)))?.map((column) => column.name)).toContain('phone');
      } finally {
        await cleanUp(name);
      }
    });

    it('starts the history from the current rows when it is turned on later, and again after it was off', async () => {
      const name = unique('members');
      try {
        await source.query(`CREATE TABLE ${name} (id integer PRIMARY KEY, level text)`);
        await source.query(`INSERT INTO ${name} VALUES (1, 'bronze'), (2, 'silver')`);
        await load(cdcAsset(name));
        await source.query(`UPDATE ${name} SET level = 'gold' WHERE id = 1`);
        await load(cdcAsset(name, { history: true }));
        const rows = async () => (await query(`SELECT id, level, _weir_operation AS op, valid_to FROM ${relation(historyRelation(name))} ORDER BY id, valid_from, valid_to NULLS LAST`)).map((row) => [Number(row.id), row.level, row.op, row.valid_to === null]);
        // The rows as the warehouse had them, then the changes since.
        expect(await rows()).toEqual([
          [1, 'bronze', 'insert', false],
          [1, 'gold', 'update', true],
          [2, 'silver', 'insert', true],
        ]);
        // Off: the history is left as it is; changes meanwhile would be missing from it, so on again it restarts.
        await load(cdcAsset(name));
        await source.query(`DELETE FROM ${name} WHERE id = 2`);
        await load(cdcAsset(name));
        await source.query(`UPDATE ${name} SET level = 'platinum' WHERE id = 1`);
        await load(cdcAsset(name, { history: true }));
        expect(await rows()).toEqual([
          [1, 'gold', 'insert', false],
          [1, 'platinum', 'update', true],
        ]);
        await source.query(`UPDATE ${name} SET level = 'diamond' WHERE id = 1`);
        await load(cdcAsset(name, { history: true }));
        expect(await rows()).toEqual([
          [1, 'gold', 'insert', false],
          [1, 'platinum', 'update', false],
          [1, 'diamond', 'update', true],
        ]);
      } finally {
        await cleanUp(name);
      }
    });

    /** The published version holds exactly the source's rows (every column, compared as text). */
    async function expectSameRows(physical: RelationRef, table: string): Promise<void> {
      const expected = (await source.query(`SELECT * FROM ${table}`)).rows.map(normalise);
      const actual = (await query(`SELECT * FROM ${relation(physical)}`)).map(normalise);
      const order = (rows: Record<string, string | null>[]) => rows.map((row) => JSON.stringify(row)).sort();
      expect(order(actual)).toEqual(order(expected));
    }
  });
});

/** A row with every value as comparable text: numbers as numbers' text, instants as ISO strings. */
function normalise(row: Row): Record<string, string | null> {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => {
      if (value === null || value === undefined) return [key, null];
      if (value instanceof Date) return [key, value.toISOString()];
      if (typeof value === 'number' || typeof value === 'bigint' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))) return [key, String(Number(value))];
      if (typeof value === 'string' && /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d/.test(value)) return [key, new Date(value.includes('Z') || value.includes('+') ? value : `${value}Z`).toISOString()];
      return [key, String(value)];
    }),
  );
}

function time(value: unknown): number {
  return value instanceof Date ? value.getTime() : new Date(`${String(value).replace(' ', 'T')}Z`).getTime();
}

/**
 * Per key: intervals do not overlap (each version ends at or before the next begins), exactly one
 * open row for each key in `live`, none for any other key.
 */
function expectConsistentHistory(history: Row[], live: number[]): void {
  const keys = new Map<number, Row[]>();
  for (const row of history) keys.set(Number(row.id), [...(keys.get(Number(row.id)) ?? []), row]);
  for (const [key, rows] of keys) {
    const open = rows.filter((row) => row.valid_to === null);
    expect(open.length, `open rows of key ${key}`).toBe(live.includes(key) ? 1 : 0);
    for (let index = 0; index < rows.length; index++) {
      const row = rows[index]!;
      if (row.valid_to !== null) expect(time(row.valid_to)).toBeGreaterThanOrEqual(time(row.valid_from));
      const next = rows[index + 1];
      if (next !== undefined) {
        expect(row.valid_to, `key ${key}: only the last version may be open`).not.toBeNull();
        expect(time(next.valid_from)).toBeGreaterThanOrEqual(time(row.valid_to));
      }
    }
  }
}
