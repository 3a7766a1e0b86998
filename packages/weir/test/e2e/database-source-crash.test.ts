/**
 * Exactly once under crashes: `weir run` loading a PostgreSQL table incrementally is killed with
 * SIGKILL at random moments (during start-up, the COPY, the merge, the checks, the publication)
 * while rows keep arriving and old rows keep changing. After the last, normal run the warehouse
 * holds every source row once, with its latest value: nothing lost, nothing doubled.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { mulberry32 } from '../../../core/src/checks/spc/simulated-series.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../../../core/src/testing/services.js';
import { createWeirProject, show, type WeirTestProject } from './weir-test-project.js';

const KILLS = 20;
const INITIAL_ROWS = 200_000;

let database: TestDatabase;
let source: pg.Client;
let project: WeirTestProject;

await describeWithService(postgresService, 'database source crash safety', () => {
  beforeAll(async () => {
    database = await createTestDatabase('weir_crash');
    source = new pg.Client({ connectionString: database.url });
    await source.connect();
    await source.query(`CREATE TABLE events (id bigint PRIMARY KEY, payload text NOT NULL, version integer NOT NULL DEFAULT 1, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    await source.query(`INSERT INTO events (id, payload) SELECT i, 'event ' || i FROM generate_series(1, ${INITIAL_ROWS}) AS g(i)`);
    project = await createWeirProject({
      'weir.yaml': 'name: crash\n',
      'sources/app.yaml': `connection:
  type: postgres
  url: \${APP_DB_URL}
tables:
  - name: events
    table: public.events
    # Rows committed late (a transaction that began before the mark) are caught by the lookback.
    incremental: { cursor: updated_at, lookback: 5m, primary_key: id }
    checks:
      - unique: id
`,
    });
  }, 60_000);
  afterAll(async () => {
    await project?.cleanup();
    await source?.end();
    await database?.drop();
  });

  test(`killed ${KILLS} times at random moments while rows arrive, it ends with every row exactly once`, async () => {
    const env = { APP_DB_URL: database.url };
    // Seeded, so a failure can be replayed.
    const random = mulberry32(20261121);
    let nextId = INITIAL_ROWS + 1;
    let writing = true;
    // New rows and updates of old ones keep arriving for the whole test.
    const writer = (async () => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        while (writing) {
          const first = nextId;
          nextId += 50;
          await client.query(`INSERT INTO events (id, payload) SELECT i, 'event ' || i FROM generate_series(${first}, ${first + 49}) AS g(i)`);
          await client.query(`UPDATE events SET version = version + 1, payload = 'changed ' || id, updated_at = clock_timestamp() WHERE id = ${1 + Math.floor(random() * (first - 1))}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } finally {
        await client.end();
      }
    })();

    const killedAt: number[] = [];
    try {
      // A whole run's length on this machine now (the first, full load included): kills land inside it.
      const started = Date.now();
      const first = await project.weir(['run'], { env });
      expect(first.code, show(first)).toBe(0);
      const runMs = Date.now() - started;
      for (let kill = 0; kill < KILLS; kill++) {
        const running = project.spawnWeir(['run'], { env });
        const delay = Math.floor(runMs * (0.05 + 0.9 * random()));
        const outcome = await Promise.race([running.exited.then(() => 'finished' as const), new Promise<'timer'>((resolve) => setTimeout(() => resolve('timer'), delay))]);
        if (outcome === 'timer') {
          running.kill('SIGKILL');
          killedAt.push(delay);
        }
        await running.exited;
      }
    } finally {
      writing = false;
      await writer;
    }
    // Most runs were killed part-way (a run that finished before its timer is fine too).
    expect(killedAt.length).toBeGreaterThanOrEqual(KILLS * 0.75);

    const last = await project.weir(['run'], { env });
    expect(last.code, show(last)).toBe(0);
    const [warehouse] = await project.query<{ rows: number; ids: number; versions: number; newest: number }>(
      'select count(*) as rows, count(distinct id) as ids, sum(version) as versions, max(id) as newest from events',
    );
    const expected = (await source.query<{ rows: string; versions: string; newest: string }>('select count(*) as rows, sum(version) as versions, max(id) as newest from events')).rows[0];
    expect(warehouse).toEqual({ rows: Number(expected?.rows), ids: Number(expected?.rows), versions: Number(expected?.versions), newest: Number(expected?.newest) });
  }, 300_000);
});
