/**
 * Change data capture exactly once under crashes: `weir run --select accounts` reading a
 * PostgreSQL table through a logical replication slot is killed with SIGKILL at random (seeded)
 * moments, during the initial copy and then during later runs (peek, warehouse transaction, slot
 * advance, version build, checks, publication), while another connection keeps inserting,
 * updating (keys too) and deleting rows, sometimes several times in one transaction, sometimes
 * rolling back. After the writer stops and a last run catches up, the published table equals the
 * source row for row, and the history holds exactly one row per committed change (nothing applied
 * twice, nothing lost), with non-overlapping intervals and one open row per existing key.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { mulberry32 } from '../../../core/src/checks/spc/simulated-series.js';
import { cdcServerUrl, dropReplicationSlots, postgresCdcService, stopPrivateCdcServer } from '../../../core/src/testing/postgres-cdc-service.js';
import { createTestDatabase, describeWithService, type TestDatabase } from '../../../core/src/testing/services.js';
import { createWeirProject, show, type WeirTestProject } from './weir-test-project.js';

const KILLS = 20;
const INITIAL_ROWS = 20_000;
const SEED = 20261121;

let database: TestDatabase;
let source: pg.Client;
let project: WeirTestProject;

/** Keeps writing random committed (and some rolled-back) transactions; counts the history rows they must produce. */
function startWriter(url: string, random: () => number, firstId: number): { stop: () => Promise<number> } {
  let writing = true;
  let nextId = firstId;
  let historyRows = 0;
  const done = (async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const anyId = () => 1 + Math.floor(random() * (nextId - 1));
    const note = () => (random() < 0.3 ? null : `note ${Math.floor(random() * 1000)}`);
    try {
      while (writing) {
        const roll = random();
        const statements: Array<{ sql: string; params: unknown[]; rowsPerChange: number }> = [];
        if (roll < 0.4) {
          const count = 1 + Math.floor(random() * 5);
          for (let index = 0; index < count; index++) statements.push({ sql: 'INSERT INTO accounts VALUES ($1, $2, 0, $3)', params: [nextId++, `owner ${nextId}`, note()], rowsPerChange: 1 });
        } else if (roll < 0.65) {
          statements.push({ sql: 'UPDATE accounts SET balance = balance + 1, note = $2 WHERE id = $1', params: [anyId(), note()], rowsPerChange: 1 });
        } else if (roll < 0.8) {
          statements.push({ sql: 'DELETE FROM accounts WHERE id = $1', params: [anyId()], rowsPerChange: 1 });
        } else if (roll < 0.9) {
          // One key changed twice in one transaction, and a row added beside it.
          const id = anyId();
          statements.push({ sql: 'UPDATE accounts SET balance = balance + 10 WHERE id = $1', params: [id], rowsPerChange: 1 });
          statements.push({ sql: "UPDATE accounts SET owner = owner || '+' WHERE id = $1", params: [id], rowsPerChange: 1 });
          statements.push({ sql: 'INSERT INTO accounts VALUES ($1, $2, 5, NULL)', params: [nextId++, 'pair'], rowsPerChange: 1 });
        } else if (roll < 0.95) {
          // A new key: the old key's history ends with a delete, the new key's starts with the update.
          statements.push({ sql: 'UPDATE accounts SET id = $2 WHERE id = $1', params: [anyId(), nextId++], rowsPerChange: 2 });
        }
        const rollBack = roll >= 0.95;
        if (rollBack) statements.push({ sql: 'INSERT INTO accounts VALUES ($1, $2, 0, NULL)', params: [nextId++, 'ghost'], rowsPerChange: 1 }, { sql: 'DELETE FROM accounts WHERE id = $1', params: [anyId()], rowsPerChange: 1 });
        await client.query('BEGIN');
        let changed = 0;
        for (const statement of statements) changed += ((await client.query(statement.sql, statement.params)).rowCount ?? 0) * statement.rowsPerChange;
        await client.query(rollBack ? 'ROLLBACK' : 'COMMIT');
        if (!rollBack) historyRows += changed;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      await client.end();
    }
  })();
  return {
    stop: async () => {
      writing = false;
      await done;
      return historyRows;
    },
  };
}

await describeWithService(postgresCdcService, 'CDC crash safety', () => {
  beforeAll(async () => {
    database = await createTestDatabase('weir_cdc_crash', await cdcServerUrl());
    source = new pg.Client({ connectionString: database.url });
    await source.connect();
    await source.query(`CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, balance integer NOT NULL, note text)`);
    await source.query(`INSERT INTO accounts SELECT i, 'owner ' || i, 0, CASE WHEN i % 3 = 0 THEN NULL ELSE 'seed' END FROM generate_series(1, ${INITIAL_ROWS}) AS g(i)`);
    project = await createWeirProject({
      'weir.yaml': 'name: cdc_crash\n',
      'sources/app.yaml': `connection:
  type: postgres
  url: \${APP_DB_URL}
tables:
  - name: accounts
    table: public.accounts
    cdc: { history: true }
    checks:
      - unique: id
`,
    });
  }, 60_000);
  afterAll(async () => {
    await project?.cleanup();
    await source?.end();
    if (database !== undefined) {
      await dropReplicationSlots(database.url);
      await database.drop();
    }
    stopPrivateCdcServer();
  });

  test(`killed ${KILLS}+ times at random moments while rows change, it ends equal to the source with every change applied once`, async () => {
    const env = { APP_DB_URL: database.url };
    const run = ['run', '--select', 'accounts'];
    const random = mulberry32(SEED);
    const killedAt: number[] = [];
    const killWithin = async (delay: number): Promise<void> => {
      const running = project.spawnWeir(run, { env });
      const outcome = await Promise.race([running.exited.then(() => 'finished' as const), new Promise<'timer'>((resolve) => setTimeout(() => resolve('timer'), delay))]);
      if (outcome === 'timer') {
        running.kill('SIGKILL');
        killedAt.push(delay);
      }
      await running.exited;
    };

    // Phase 1: the initial copy, killed part-way while the table changes, then completed.
    let nextId = INITIAL_ROWS + 1;
    const first = startWriter(database.url, random, nextId);
    try {
      for (let kill = 0; kill < 3; kill++) await killWithin(300 + Math.floor(random() * 3000));
    } finally {
      await first.stop();
    }
    const copied = await project.weir(run, { env });
    expect(copied.code, show(copied)).toBe(0);
    // Baseline: with the writer quiet, one run catches up and the history is what it is.
    const settled = await project.weir(run, { env });
    expect(settled.code, show(settled)).toBe(0);
    const [baseline] = await project.query<{ n: number }>('select count(*) as n from weir_ingest.accounts__history');
    nextId = Number((await source.query<{ next: string }>('SELECT max(id) + 1 AS next FROM accounts')).rows[0]!.next);

    // Phase 2: changes keep coming; runs are killed at random moments within a run's length.
    const writer = startWriter(database.url, random, nextId);
    let committedChanges = 0;
    try {
      const started = Date.now();
      const timed = await project.weir(run, { env });
      expect(timed.code, show(timed)).toBe(0);
      const runMs = Date.now() - started;
      for (let attempt = 0; killedAt.length < KILLS + 3 && attempt < 3 * KILLS; attempt++) {
        await killWithin(Math.floor(runMs * (0.05 + 0.9 * random())));
      }
    } finally {
      committedChanges = await writer.stop();
    }
    expect(killedAt.length).toBeGreaterThanOrEqual(KILLS);

    const last = await project.weir(run, { env });
    expect(last.code, show(last)).toBe(0);

    // The published table is the source table, row for row.
    const expected = (await source.query<{ id: string; owner: string; balance: number; note: string | null }>('SELECT id, owner, balance, note FROM accounts ORDER BY id')).rows.map((row) => ({ ...row, id: Number(row.id) }));
    const published = (await project.query<{ id: number; owner: string; balance: number; note: string | null }>('select id, owner, balance, note from accounts order by id')).map((row) => ({ ...row, id: Number(row.id), balance: Number(row.balance) }));
    expect(published.length).toBe(expected.length);
    expect(published).toEqual(expected);

    // Exactly once: one history row per committed row change since the baseline (a key change is two).
    const [after] = await project.query<{ n: number }>('select count(*) as n from weir_ingest.accounts__history');
    expect(Number(after!.n) - Number(baseline!.n)).toBe(committedChanges);

    // The history is consistent: one open row per existing key (holding its current values), none
    // for deleted keys; within a key, versions never overlap and only the last is open.
    const [consistency] = await project.query<Record<string, number>>(`
      with h as (select * from weir_ingest.accounts__history),
      ordered as (
        select id, valid_from, valid_to,
               lag(valid_to) over (partition by id order by valid_from, valid_to nulls last, _weir_lsn) as previous_to,
               lag(case when valid_to is null then 1 else 0 end) over (partition by id order by valid_from, valid_to nulls last, _weir_lsn) as previous_open
        from h
      ),
      open_rows as (select * from h where valid_to is null)
      select
        (select count(*) from (select id from open_rows group by id having count(*) > 1) t) as keys_with_several_open,
        (select count(*) from accounts a left join open_rows o on o.id = a.id where o.id is null) as live_keys_without_open,
        (select count(*) from open_rows o left join accounts a on a.id = o.id where a.id is null) as deleted_keys_with_open,
        (select count(*) from accounts a join open_rows o on o.id = a.id
          where a.owner <> o.owner or a.balance <> o.balance or a.note is distinct from o.note) as open_rows_not_current,
        (select count(*) from ordered where previous_to > valid_from or previous_open = 1 or valid_to < valid_from) as overlapping,
        (select count(*) from h where _weir_operation = 'delete' and valid_to <> valid_from) as deletes_not_zero_length
    `);
    expect(Object.fromEntries(Object.entries(consistency!).map(([key, value]) => [key, Number(value)]))).toEqual({ keys_with_several_open: 0, live_keys_without_open: 0, deleted_keys_with_open: 0, open_rows_not_current: 0, overlapping: 0, deletes_not_zero_length: 0 });

    // Nothing is left in the slot: the last run consumed everything that was written.
    const pending = await source.query("SELECT 1 FROM pg_logical_slot_peek_binary_changes('weir_accounts', NULL, NULL, 'proto_version', '1', 'publication_names', 'weir_accounts')");
    expect(pending.rowCount).toBe(0);
  }, 900_000);
});
