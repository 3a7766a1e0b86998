/**
 * Team mode end to end: the demo project with its state and warehouse in PostgreSQL, its
 * daily-partitioned mart backfilled over 90 days by three `weir worker` processes, one killed with
 * SIGKILL halfway. Every partition ends done, each day's rows are in the table exactly once, and
 * `weir backfill show` reports per-partition status while it runs and after. A worker running
 * another version of the project is refused.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../../../core/src/testing/services.js';
import { completedJobs, createTeamDemo, expectEachDayOnce } from './team-project.js';
import { createWeirProject, show, type WeirTestProject } from './weir-test-project.js';

const FROM = '2025-10-03';
const TO = '2025-12-31';
const DAYS = 90;

let project: WeirTestProject;
let warehouse: TestDatabase;
let state: TestDatabase;
/** The demo project's folder. */
let shop: string;

await describeWithService(postgresService, 'team mode: a backfill through three workers', () => {
  beforeAll(async () => {
    warehouse = await createTestDatabase('weir_team_wh');
    state = await createTestDatabase('weir_team_state');
    ({ project, shop } = await createTeamDemo({ warehouseUrl: warehouse.url, stateUrl: state.url }));
  }, 120_000);
  afterAll(async () => {
    await project?.cleanup();
    await warehouse?.drop();
    await state?.drop();
  });

  it('every one of 90 daily partitions ends done exactly once with a worker killed halfway', async () => {
    // The mart's inputs first, as a plain run publishes them.
    const upstream = await project.weir(['run', '--select', '+daily_channel_revenue'], { cwd: shop });
    expect(upstream.code, show(upstream)).toBe(0);

    const workers = ['w1', 'w2', 'w3'].map((id) => project.spawnWeir(['worker', '--id', id, '--lease', '2'], { cwd: shop }));
    // Should an assertion fail, these workers must not live on to take the next test's jobs.
    onTestFinished(() => {
      for (const worker of workers) worker.kill('SIGKILL');
    });
    await Promise.all(workers.map((worker) => worker.waitForOutput('ready (project shop')));

    const backfill = project.spawnWeir(['backfill', 'daily_channel_revenue', '--from', FROM, '--to', TO, '--workers'], { cwd: shop });
    await backfill.waitForOutput(`${DAYS} partition job(s) queued for weir worker processes (3 alive now)`);
    const backfillId = /backfill (bf-[\w-]+)/.exec(backfill.stdout())![1]!;

    // Halfway: the victim has done some partitions and is on its way through more.
    const victim = workers[1]!;
    await expect.poll(() => workers.reduce((sum, worker) => sum + completedJobs(worker), 0), { timeout: 90_000, interval: 200 }).toBeGreaterThanOrEqual(DAYS / 2);
    await expect.poll(() => completedJobs(victim), { timeout: 30_000, interval: 100 }).toBeGreaterThan(0);
    // Killed inside a job: it holds a claim when it dies.
    const stateClient = new pg.Client({ connectionString: state.url });
    // A failed assertion leaves it open until the database is dropped (which ends it): not an error.
    stateClient.on('error', () => undefined);
    await stateClient.connect();
    const victimJob = async () => (await stateClient.query<{ id: number }>("select id from weir_state.queue_jobs where state = 'running' and worker_id = 'w2'")).rows[0]?.id;
    await expect.poll(victimJob, { timeout: 30_000, interval: 20 }).toBeDefined();
    const during = await project.weirJson<{ counts: Record<string, number>; tasks: Array<{ partition: string; status: string }> }>(['backfill', 'show', backfillId, '--json'], { cwd: shop });
    expect(during.tasks).toHaveLength(DAYS);
    expect(during.counts.done).toBeGreaterThanOrEqual(DAYS / 2 - 3);
    victim.kill('SIGKILL');
    await victim.exited;
    // Read after its death: the job it held then (it may have finished one just before the kill
    // and not yet claimed the next, so this can be none).
    const held = await victimJob();

    const finished = await backfill.exited;
    expect(finished.code, show(finished)).toBe(0);
    expect(finished.stdout).toContain(`backfill ${backfillId} succeeded: ${DAYS}/${DAYS} done, 0 running, 0 failed, 0 missing`);

    // The dead worker's job was taken again by another worker after its lease ran out.
    if (held !== undefined) {
      const { rows: taken } = await stateClient.query<{ state: string; worker_id: string; claims: number }>('select state, worker_id, claims from weir_state.queue_jobs where id = $1', [held]);
      expect(taken[0]).toMatchObject({ state: 'completed', claims: 2 });
      expect(taken[0]!.worker_id).not.toBe('w2');
    }
    await stateClient.end();

    const after = await project.weirJson<{ status: string; counts: Record<string, number>; tasks: Array<{ partition: string; status: string }> }>(['backfill', 'show', backfillId, '--json'], { cwd: shop });
    expect(after.counts).toEqual({ done: DAYS, running: 0, failed: 0, missing: 0 });
    expect(new Set(after.tasks.map((task) => task.partition)).size).toBe(DAYS);

    // Exactly once: one row per day and channel, and the days' totals equal the staged orders'.
    await expectEachDayOnce(warehouse.url, FROM, TO, DAYS);

    for (const worker of [workers[0]!, workers[2]!]) worker.kill('SIGTERM');
    for (const worker of [workers[0]!, workers[2]!]) expect((await worker.exited).code).toBe(0);
  });

  it('two overlapping backfills share the jobs of the partitions they both ask for', async () => {
    const workers = ['o1', 'o2'].map((id) => project.spawnWeir(['worker', '--id', id, '--lease', '2'], { cwd: shop }));
    onTestFinished(() => {
      for (const worker of workers) worker.kill('SIGKILL');
    });
    await Promise.all(workers.map((worker) => worker.waitForOutput('ready (project shop')));
    const first = project.spawnWeir(['backfill', 'daily_channel_revenue', '--from', '2025-09-01', '--to', '2025-09-20', '--workers'], { cwd: shop });
    const second = project.spawnWeir(['backfill', 'daily_channel_revenue', '--from', '2025-09-11', '--to', '2025-09-30', '--workers'], { cwd: shop });
    for (const backfill of [first, second]) {
      const result = await backfill.exited;
      expect(result.code, `${show(result)}\n${workers.map((worker) => worker.stdout() + worker.stderr()).join('\n')}`).toBe(0);
      // A partition the other backfill published before this one was requested is not a task of it.
      const [, done, total] = /succeeded: (\d+)\/(\d+) done/.exec(result.stdout) ?? [];
      expect(Number(done)).toBe(Number(total));
      expect(Number(total)).toBeGreaterThan(10);
      expect(Number(total)).toBeLessThanOrEqual(20);
    }
    const client = new pg.Client({ connectionString: state.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ shared: string; own: string }>(
        `select count(*) filter (where dedupe_key not like '%:bf-%') as shared, count(*) filter (where dedupe_key like '%:bf-%') as own
         from weir_state.queue_jobs where dedupe_key like 'partition:%:2025-09-%'`,
      );
      // 30 days in the union, one shared job each, whatever the overlap. A partition the first
      // backfill finished between the second's preview and its request gets a job of the second's
      // own (rebuilt, idempotently): at most the odd one, never a day built by both at once.
      expect(Number(rows[0]!.shared)).toBe(30);
      expect(Number(rows[0]!.own)).toBeLessThanOrEqual(2);
    } finally {
      await client.end();
    }
    const built = workers.reduce((sum, worker) => sum + completedJobs(worker), 0);
    expect(built).toBeGreaterThanOrEqual(30);
    expect(built).toBeLessThanOrEqual(32);
    for (const worker of workers) worker.kill('SIGTERM');
    for (const worker of workers) expect((await worker.exited).code).toBe(0);
  });

  it('a worker running another version of the project is refused with a clear message', async () => {
    const other = await createWeirProject({ '.keep': '' });
    try {
      cpSync(shop, other.root, { recursive: true, filter: (path) => !path.includes('.weir') });
      writeFileSync(join(other.root, 'models', 'marts', 'extra.sql'), 'select 1 as one\n');
      const refused = await other.weir(['worker', '--id', 'stale', '--idle-exit-seconds', '1']);
      expect(refused.code, show(refused)).toBe(2);
      expect(refused.stderr).toContain('WORKER_VERSION_MISMATCH');
      expect(refused.stderr).toMatch(/runs project version [0-9a-f]{12}, but weir serve runs [0-9a-f]{12}/);
    } finally {
      await other.cleanup();
    }
  });

  it('a worker whose checkout differs only by a custom sensor is not refused: workers never run sensors', async () => {
    const other = await createWeirProject({ '.keep': '' });
    try {
      cpSync(shop, other.root, { recursive: true, filter: (path) => !path.includes('.weir') });
      mkdirSync(join(other.root, 'sensors'), { recursive: true });
      writeFileSync(join(other.root, 'sensors', 'nightly_export.ts'), "import { defineSensor } from 'weir';\nexport const nightly_export = defineSensor({ select: 'stg_orders', evaluate: () => ({ skipReason: 'nothing new' }) });\n");
      const accepted = await other.weir(['worker', '--id', 'sensor-only', '--idle-exit-seconds', '1']);
      expect(accepted.code, show(accepted)).toBe(0);
      expect(accepted.stdout).toContain('worker sensor-only: ready (project shop version');
    } finally {
      await other.cleanup();
    }
  });
});
