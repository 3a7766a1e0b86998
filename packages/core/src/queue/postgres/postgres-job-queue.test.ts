/**
 * What only a shared PostgreSQL queue must survive: worker processes killed mid-claim, claimers in
 * parallel against pool limits, and connections terminated by the server in the middle of a claim
 * loop. Each job's effect is written by `complete` in its completing transaction, so "done exactly
 * once" is counted in a table, not inferred.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../../testing/services.js';
import type { ClaimedJob, JobQueue, QueueTransaction } from '../job-queue.js';
import { openPostgresJobQueue } from './open-postgres-job-queue.js';

const builtModule = new URL('../../../dist/queue/postgres/open-postgres-job-queue.js', import.meta.url).href;

// A worker process: registers, claims batches of 10, "works" 1 ms per job, completes each with
// its effect (a row in `completions`) in the completing transaction (dropping a job whose claim it
// lost, as a real worker must), beats every 250 ms and reclaims expired leases whenever it finds
// nothing to claim. Exits once nothing is ready or running.
const workerSource = `
const { openPostgresJobQueue } = await import(process.env.WEIR_QUEUE_MODULE);
const { sql } = await import('kysely');
const id = process.env.WEIR_WORKER_ID;
const queue = await openPostgresJobQueue(process.env.WEIR_QUEUE_URL, { leaseMs: 1500, maxConnections: 2 });
await queue.registerWorker({ id, host: 'test', pid: process.pid, projectVersion: 'v1' });
const beat = setInterval(() => queue.heartbeat(id).catch(() => undefined), 250);
for (;;) {
  const jobs = await queue.claim(id, { limit: 10 });
  if (jobs.length > 0) process.stdout.write('claimed ' + jobs.length + '\\n');
  for (const job of jobs) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    await queue
      .complete(job, null, { effects: (tx) => sql\`insert into completions (job_id, worker) values (\${job.id}, \${id})\`.execute(tx) })
      .catch((error) => { if (error.code !== 'JOB_CLAIM_LOST') throw error; });
  }
  if (jobs.length === 0) {
    await queue.reclaimExpired();
    const counts = await queue.counts();
    if (counts.ready === 0 && counts.running === 0) break;
    await queue.waitForJobs(50);
  }
}
clearInterval(beat);
await queue.stopWorker(id);
await queue.close();
`;

function startWorker(url: string, id: string): { child: ChildProcess; claimed: () => number; exited: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, ['--input-type=module', '-e', workerSource], {
    cwd: fileURLToPath(new URL('../../../', import.meta.url)),
    env: { ...process.env, WEIR_QUEUE_MODULE: builtModule, WEIR_QUEUE_URL: url, WEIR_WORKER_ID: id },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let claimed = 0;
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    for (const match of chunk.toString().matchAll(/claimed (\d+)/g)) claimed += Number(match[1]);
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, claimed: () => claimed, exited, stderr: () => stderr };
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const recordCompletion = (job: ClaimedJob, worker: string) => ({
  effects: (tx: QueueTransaction) => sql`insert into completions (job_id, worker) values (${job.id}, ${worker})`.execute(tx).then(() => undefined),
});

await describeWithService(postgresService, 'PostgreSQL job queue under failures', () => {
  let database: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase('weir_queue_pg');
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  async function freshSchema(schema: string): Promise<JobQueue> {
    await client.query('drop table if exists completions');
    await client.query('create table completions (job_id bigint not null, worker text not null)');
    return openPostgresJobQueue(database.url, { schema, leaseMs: 1500 });
  }

  it('completes 2,000 jobs exactly once with three worker processes, one killed halfway', async () => {
    expect(existsSync(fileURLToPath(builtModule)), 'build core first (tsc -b packages/core)').toBe(true);
    const queue = await freshSchema('weir_state');
    try {
      await queue.enqueueMany(Array.from({ length: 2000 }, (_, i) => ({ kind: 'step', payload: { i }, maxAttempts: 3 })));
      const workers = ['w1', 'w2', 'w3'].map((id) => startWorker(database.url, id));
      const completed = async () => Number((await client.query('select count(*) as n from completions')).rows[0].n);
      await until(async () => (await completed()) >= 1000, 'half of the jobs');
      // Kill w1 right after it reports a fresh claim, so it dies holding jobs.
      const before = workers[0]!.claimed();
      await until(async () => workers[0]!.claimed() > before, 'w1 to claim again', 10_000);
      workers[0]!.child.kill('SIGKILL');
      const held = await queue.list({ state: 'running', limit: 1000 });
      const orphaned = held.filter((job) => job.workerId === 'w1').map((job) => job.id);
      const codes = await Promise.all(workers.slice(1).map((worker) => worker.exited));
      expect(codes, workers.map((worker) => worker.stderr()).join('\n')).toEqual([0, 0]);

      const rows = (await client.query('select count(*) as n, count(distinct job_id) as jobs from completions')).rows[0];
      expect([Number(rows.n), Number(rows.jobs)]).toEqual([2000, 2000]);
      expect(await queue.counts()).toEqual({ ready: 0, running: 0, completed: 2000, failed: 0, cancelled: 0 });
      expect(orphaned.length).toBeGreaterThan(0);
      for (const id of orphaned) {
        const job = await queue.get(id);
        expect(job?.lastError).toMatch(/worker w1 stopped sending heartbeats/);
        expect(job?.attempts).toBe(2);
        const by = (await client.query('select worker from completions where job_id = $1', [id])).rows.map((row) => row.worker);
        expect(by).toHaveLength(1);
        expect(by[0]).not.toBe('w1');
      }
      const listed = await queue.workers();
      expect(listed.map((worker) => [worker.id, worker.stoppedAt !== undefined])).toEqual([['w1', false], ['w2', true], ['w3', true]]);
    } finally {
      await queue.close();
    }
  });

  it('never runs more than a pool\'s limit while four claimers hammer it', async () => {
    const queue = await freshSchema('hammer');
    const limits: Record<string, number> = { prod: 2, staging: 3 };
    const claimers = await Promise.all([1, 2, 3, 4].map(() => openPostgresJobQueue(database.url, { schema: 'hammer', leaseMs: 30_000, maxConnections: 1 })));
    const observer = await openPostgresJobQueue(database.url, { schema: 'hammer', maxConnections: 1 });
    try {
      for (const [pool, limit] of Object.entries(limits)) await queue.setPoolLimit(pool, limit);
      await queue.enqueueMany(
        Array.from({ length: 600 }, (_, i) => ({ kind: 'step', payload: i, pool: i % 3 === 2 ? undefined : i % 3 === 0 ? 'prod' : 'staging', priority: i % 5 })),
      );
      const inHand: Record<string, number> = { prod: 0, staging: 0 };
      const maxInHand: Record<string, number> = { prod: 0, staging: 0 };
      const maxInDatabase: Record<string, number> = { prod: 0, staging: 0 };
      let observing = true;
      const observe = (async () => {
        // Snapshots of the database itself, beside the claimers' own counts.
        while (observing) {
          const running = await client.query<{ pool: string; n: string }>(
            "select pool, count(*) as n from hammer.queue_jobs where state = 'running' and pool is not null group by pool",
          );
          for (const row of running.rows) maxInDatabase[row.pool] = Math.max(maxInDatabase[row.pool] ?? 0, Number(row.n));
        }
      })();
      await Promise.all(
        claimers.map(async (claimer, index) => {
          const worker = `c${index}`;
          for (;;) {
            const jobs = await claimer.claim(worker, { limit: 3 });
            if (jobs.length === 0) {
              const counts = await observer.counts();
              if (counts.ready === 0 && counts.running === 0) return;
              await new Promise((resolve) => setTimeout(resolve, 1));
              continue;
            }
            for (const job of jobs) {
              if (job.pool === undefined) continue;
              inHand[job.pool]! += 1;
              maxInHand[job.pool] = Math.max(maxInHand[job.pool]!, inHand[job.pool]!);
            }
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
            for (const job of jobs) {
              // Counted out before the completion commits: in hand never exceeds what the database holds.
              if (job.pool !== undefined) inHand[job.pool]! -= 1;
              await claimer.complete(job, null, recordCompletion(job, worker));
            }
          }
        }),
      );
      observing = false;
      await observe;
      expect(maxInHand).toEqual(limits);
      expect(maxInDatabase.prod).toBeLessThanOrEqual(2);
      expect(maxInDatabase.staging).toBeLessThanOrEqual(3);
      const rows = (await client.query('select count(*) as n, count(distinct job_id) as jobs from completions')).rows[0];
      expect([Number(rows.n), Number(rows.jobs)]).toEqual([600, 600]);
    } finally {
      for (const open of [queue, observer, ...claimers]) await open.close();
    }
  });

  it('loses and repeats no job while the server terminates the queue\'s connections mid-loop', async () => {
    const applicationName = `weir-queue-terminated-${process.pid}`;
    const setup = await freshSchema('terminated');
    const queue = await openPostgresJobQueue(database.url, { schema: 'terminated', leaseMs: 1000, maxConnections: 3, applicationName });
    try {
      await setup.enqueueMany(Array.from({ length: 400 }, (_, i) => ({ kind: 'step', payload: i, maxAttempts: 10 })));
      let terminating = true;
      let terminated = 0;
      const killer = (async () => {
        while (terminating) {
          const result = await client.query(
            'select pg_terminate_backend(pid) as killed from pg_stat_activity where application_name = $1 and datname = current_database()',
            [applicationName],
          );
          terminated += result.rows.filter((row) => row.killed).length;
          await new Promise((resolve) => setTimeout(resolve, 15));
        }
      })();
      await Promise.all(
        ['t1', 't2'].map(async (worker) => {
          for (;;) {
            const jobs = await queue.claim(worker, { limit: 5 });
            for (const job of jobs) {
              // Retries under a terminated connection can outlast a lease: the job then went
              // back to the queue and this worker's completion is refused, as it must be.
              await queue.complete(job, null, recordCompletion(job, worker)).catch((error: unknown) => {
                if ((error as { code?: string }).code !== 'JOB_CLAIM_LOST') throw error;
              });
            }
            if (jobs.length > 0) continue;
            // A claim whose answer was lost leaves jobs running under this worker: they come
            // back when their lease ends.
            await queue.reclaimExpired();
            const counts = await queue.counts();
            if (counts.ready === 0 && counts.running === 0) return;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }),
      );
      terminating = false;
      await killer;
      expect(terminated).toBeGreaterThan(5);
      const rows = (await client.query('select count(*) as n, count(distinct job_id) as jobs from completions')).rows[0];
      expect([Number(rows.n), Number(rows.jobs)]).toEqual([400, 400]);
      expect(await setup.counts()).toEqual({ ready: 0, running: 0, completed: 400, failed: 0, cancelled: 0 });
    } finally {
      await queue.close();
      await setup.close();
    }
  });

  it('refuses an unreachable server with a clear error, the password masked', async () => {
    const url = 'postgres://weir:s3cret-pw@127.0.0.1:1/nowhere';
    const error = await openPostgresJobQueue(url, { connectTimeoutMs: 500 }).then(
      () => new Error('opened a queue on an unreachable server') as Error & { code?: string },
      (caught: unknown) => caught as Error & { code?: string },
    );
    expect(error).toMatchObject({ code: 'STATE_UNAVAILABLE' });
    expect(error.message).toMatch(/cannot use the PostgreSQL queue in schema "weir_state" at .*127\.0\.0\.1:1/);
    expect(error.message).not.toContain('s3cret-pw');
  });
});
