/**
 * Team mode when PostgreSQL restarts under running workers: the demo project with its state and
 * warehouse on a private server (the shared test server must never be restarted: other suites use
 * it at the same time), three `weir worker` processes and a `weir backfill --workers` follower.
 * The server is restarted twice in the middle of the backfill. The workers and the follower do not
 * exit (they reconnect), the backfill ends with every partition done, and each day's rows are in
 * the warehouse exactly once.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPrivatePostgres, privatePostgresService, type PrivatePostgres } from '../../../core/src/testing/private-postgres.js';
import { createTestDatabase, describeWithService, type TestDatabase } from '../../../core/src/testing/services.js';
import { completedJobs, createTeamDemo, expectEachDayOnce } from './team-project.js';
import { show, type WeirTestProject } from './weir-test-project.js';

const FROM = '2025-11-22';
const TO = '2025-12-31';
const DAYS = 40;

let server: PrivatePostgres;
let project: WeirTestProject;
let warehouse: TestDatabase;
let state: TestDatabase;
/** The demo project's folder. */
let shop: string;

await describeWithService(privatePostgresService, 'team mode: PostgreSQL restarting under running workers', () => {
  beforeAll(async () => {
    server = await startPrivatePostgres();
    warehouse = await createTestDatabase('weir_restart_wh', server.url);
    state = await createTestDatabase('weir_restart_state', server.url);
    ({ project, shop } = await createTeamDemo({ warehouseUrl: warehouse.url, stateUrl: state.url }));
  }, 120_000);
  afterAll(async () => {
    await project?.cleanup();
    await warehouse?.drop().catch(() => undefined);
    await state?.drop().catch(() => undefined);
    server?.stop();
  });

  it('workers and the backfill reconnect; every partition ends done, each day once', async () => {
    const upstream = await project.weir(['run', '--select', '+daily_channel_revenue'], { cwd: shop });
    expect(upstream.code, show(upstream)).toBe(0);

    const workers = ['w1', 'w2', 'w3'].map((id) => project.spawnWeir(['worker', '--id', id, '--lease', '2'], { cwd: shop }));
    const exitedEarly: string[] = [];
    workers.forEach((worker, index) => void worker.exited.then((result) => exitedEarly.push(`w${index + 1}: ${show(result)}`)));
    await Promise.all(workers.map((worker) => worker.waitForOutput('ready (project shop')));
    const backfill = project.spawnWeir(['backfill', 'daily_channel_revenue', '--from', FROM, '--to', TO, '--workers'], { cwd: shop });
    await backfill.waitForOutput(`${DAYS} partition job(s) queued for weir worker processes (3 alive now)`);
    const backfillId = /backfill (bf-[\w-]+)/.exec(backfill.stdout())![1]!;
    const outputs = () => [...workers, backfill].map((child) => `--- stdout ---\n${child.stdout()}\n--- stderr ---\n${child.stderr()}`).join('\n');
    const completed = () => workers.reduce((sum, worker) => sum + completedJobs(worker), 0);

    // Two restarts while partitions are being built: every session of every process is terminated.
    for (const threshold of [DAYS / 4, DAYS / 2]) {
      await expect.poll(completed, { timeout: 60_000, interval: 50, message: 'partition jobs finished' }).toBeGreaterThanOrEqual(threshold).catch((error: Error) => {
        throw new Error(`${error.message}\n${outputs()}`);
      });
      await server.restart();
    }
    const finished = await backfill.exited;
    expect(finished.code, show(finished)).toBe(0);
    expect(finished.stdout).toContain(`backfill ${backfillId} succeeded: ${DAYS}/${DAYS} done, 0 running, 0 failed, 0 missing`);

    const after = await project.weirJson<{ counts: Record<string, number>; tasks: Array<{ partition: string; status: string }> }>(['backfill', 'show', backfillId, '--json'], { cwd: shop });
    expect(after.counts).toEqual({ done: DAYS, running: 0, failed: 0, missing: 0 });
    expect(new Set(after.tasks.map((task) => task.partition)).size).toBe(DAYS);

    // The workers lived through both restarts.
    expect(exitedEarly).toEqual([]);
    const client = new pg.Client({ connectionString: state.url });
    await client.connect();
    try {
      // No partition job is left waiting, running or failed: each was completed (a build the
      // restart broke was built again, by its worker once the database answered).
      const { rows: jobs } = await client.query<{ state: string; n: string }>("select state, count(*) as n from weir_state.queue_jobs where kind = 'backfill-partition' group by state");
      expect(Object.fromEntries(jobs.map((row) => [row.state, Number(row.n)]))).toEqual({ completed: DAYS });
    } finally {
      await client.end();
    }

    // Exactly once: one row per day and channel, and the days' totals equal the staged orders'.
    await expectEachDayOnce(warehouse.url, FROM, TO, DAYS);

    // No run stays "running": a run whose end could not be recorded while the database was away
    // is closed by its worker (which is alive, so crash recovery would never take it).
    const runs = await project.weirJson<Array<{ runId: string; status: string; command: string }>>(['runs', '--json', '-n', '500'], { cwd: shop });
    expect(runs.filter((run) => run.status === 'running'), outputs()).toEqual([]);
    expect(runs.filter((run) => run.status !== 'succeeded' && run.status !== 'failed'), outputs()).toEqual([]);
    // A partition is built again only when its interrupted build did not publish it: never two successful builds.
    const succeededPerPartition = new Map<string, number>();
    for (const run of runs.filter((candidate) => candidate.status === 'succeeded' && candidate.command.startsWith('backfill '))) {
      const partition = run.command.split(' ').at(-1)!;
      succeededPerPartition.set(partition, (succeededPerPartition.get(partition) ?? 0) + 1);
    }
    expect([...succeededPerPartition.values()].filter((count) => count > 1)).toEqual([]);

    for (const worker of workers) worker.kill('SIGTERM');
    for (const worker of workers) expect((await worker.exited).code).toBe(0);
  });
});
