/**
 * The queue's contract, run unchanged against the SQLite queue (a temp file) and the PostgreSQL
 * queue (a fresh database on the local server). Time is the queue's injectable clock, so leases
 * and timeouts expire without waiting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isWeirError } from '../errors/weir-error.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../testing/services.js';
import type { JobQueue, QueueTransaction } from './job-queue.js';
import type { JobQueueOptions } from './kysely-job-queue.js';
import { openPostgresJobQueue } from './postgres/open-postgres-job-queue.js';
import { openSqliteJobQueue } from './sqlite/open-sqlite-job-queue.js';

/** A place to open queues on, and a side door to count the rows `complete`'s effects wrote. */
interface QueueHarness {
  open(options: JobQueueOptions): Promise<JobQueue>;
  /** Rows of the `effects_done` table (created empty by the harness). */
  effectRows(): Promise<number[]>;
  cleanup(): Promise<void>;
}

const start = Date.UTC(2026, 2, 1, 12, 0, 0);

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isWeirError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a rejection');
}

function describeJobQueueConformance(name: string, makeHarness: () => Promise<QueueHarness>): void {
  describe(name, () => {
    let harness: QueueHarness;
    let queue: JobQueue;
    let now = start;
    const clock = () => new Date(now);
    let opened: JobQueue[] = [];

    beforeAll(async () => {
      harness = await makeHarness();
    });
    afterAll(async () => {
      await harness?.cleanup();
    });
    beforeEach(async () => {
      for (const open of opened) await open.close();
      now = start;
      // A fresh schema version of the tables is not needed: every test works on its own kinds.
      queue = await harness.open({ clock, leaseMs: 1000, workerTimeoutMs: 5000 });
      opened = [queue];
      await queue.setGlobalLimit(undefined);
    });
    afterAll(async () => {
      for (const open of opened) await open.close();
    });

    let kindCounter = 0;
    const newKind = () => `k${++kindCounter}`;

    it('hands out higher priorities first and, within a priority, the oldest first', async () => {
      const kind = newKind();
      const low = await queue.enqueue({ kind, payload: 'low', priority: 0 });
      const high1 = await queue.enqueue({ kind, payload: 'high1', priority: 100 });
      const mid = await queue.enqueue({ kind, payload: 'mid', priority: 10 });
      const high2 = await queue.enqueue({ kind, payload: 'high2', priority: 100 });
      const first = await queue.claim('w1', { kinds: [kind], limit: 1 });
      expect(first.map((job) => job.id)).toEqual([high1.id]);
      const rest = await queue.claim('w1', { kinds: [kind], limit: 10 });
      expect(rest.map((job) => job.payload)).toEqual(['high2', 'mid', 'low']);
      expect(rest.map((job) => job.id)).toEqual([high2.id, mid.id, low.id]);
      expect(rest.every((job) => job.attempt === 1 && job.workerId === 'w1' && job.claimToken === 1)).toBe(true);
      expect(await queue.claim('w1', { kinds: [kind], limit: 10 })).toEqual([]);
    });

    it('claims only the kinds asked for, and nothing before runAfter', async () => {
      const [a, b] = [newKind(), newKind()];
      const later = await queue.enqueue({ kind: a, payload: { n: 1 }, runAfter: new Date(now + 60_000) });
      const other = await queue.enqueue({ kind: b, payload: { n: 2 } });
      expect(await queue.claim('w1', { kinds: [a] })).toEqual([]);
      now += 60_000;
      const [job] = await queue.claim('w1', { kinds: [a, 'unrelated'] });
      expect(job?.id).toBe(later.id);
      expect(job?.payload).toEqual({ n: 1 });
      expect((await queue.get(other.id))?.state).toBe('ready');
    });

    it('never creates a second job for a dedupe key, whatever the first one\'s state', async () => {
      const kind = newKind();
      const key = `schedule:nightly:${kind}:2026-03-01T00:00`;
      const first = await queue.enqueue({ kind, payload: 1, dedupeKey: key, priority: 100 });
      const again = await queue.enqueue({ kind, payload: 2, dedupeKey: key });
      expect(first.created).toBe(true);
      expect(again).toEqual({ id: first.id, created: false });
      const [job] = await queue.claim('w1', { kinds: [kind] });
      await queue.complete(job!, { ok: true });
      expect(await queue.enqueue({ kind, payload: 3, dedupeKey: key })).toEqual({ id: first.id, created: false });
      const batch = await queue.enqueueMany([
        { kind, payload: 'a', dedupeKey: `${key}:b` },
        { kind, payload: 'plain' },
        { kind, payload: 'b', dedupeKey: `${key}:b` },
        { kind, payload: 'c', dedupeKey: key },
      ]);
      expect(batch.map((result) => result.created)).toEqual([true, true, false, false]);
      expect(batch[2]!.id).toBe(batch[0]!.id);
      expect(batch[3]!.id).toBe(first.id);
      expect(await queue.counts({ kind })).toEqual({ ready: 2, running: 0, completed: 1, failed: 0, cancelled: 0 });
      expect((await queue.get(batch[1]!.id))?.payload).toBe('plain');
    });

    it('keeps at most the pool limit running, and passes over a full pool to other work', async () => {
      const kind = newKind();
      const pool = `prod-${kind}`;
      await queue.setPoolLimit(pool, 2);
      const prod = await queue.enqueueMany(Array.from({ length: 4 }, (_, i) => ({ kind, payload: `p${i}`, pool, priority: 50 })));
      const other = await queue.enqueueMany(Array.from({ length: 3 }, (_, i) => ({ kind, payload: `o${i}`, priority: 0 })));
      const claimed = await queue.claim('w1', { kinds: [kind], limit: 10 });
      expect(claimed.map((job) => job.payload)).toEqual(['p0', 'p1', 'o0', 'o1', 'o2']);
      expect(await queue.claim('w2', { kinds: [kind], limit: 10 })).toEqual([]);
      await queue.complete(claimed[0]!);
      const next = await queue.claim('w2', { kinds: [kind], limit: 10 });
      expect(next.map((job) => job.id)).toEqual([prod[2]!.id]);
      await queue.setPoolLimit(pool, undefined);
      expect((await queue.claim('w2', { kinds: [kind], limit: 10 })).map((job) => job.id)).toEqual([prod[3]!.id]);
      expect(other).toHaveLength(3);
      expect(await rejection(queue.setPoolLimit(pool, -1))).toMatchObject({ code: 'USAGE' });
    });

    it('keeps at most the global limit running', async () => {
      const kind = newKind();
      await queue.enqueueMany(Array.from({ length: 5 }, (_, i) => ({ kind, payload: i })));
      const running = (await queue.counts()).running;
      await queue.setGlobalLimit(running + 3);
      expect(await queue.claim('w1', { kinds: [kind], limit: 2 })).toHaveLength(2);
      const more = await queue.claim('w2', { kinds: [kind], limit: 10 });
      expect(more).toHaveLength(1);
      expect(await queue.claim('w2', { kinds: [kind], limit: 10 })).toEqual([]);
      await queue.fail(more[0]!, 'boom', { retry: false });
      expect(await queue.claim('w2', { kinds: [kind], limit: 10 })).toHaveLength(1);
      await queue.setGlobalLimit(undefined);
      expect(await queue.claim('w2', { kinds: [kind], limit: 10 })).toHaveLength(1);
    });

    it('extends leases on heartbeats, and reclaims expired ones with attempt + 1 until attempts run out', async () => {
      const kind = newKind();
      const { id } = await queue.enqueue({ kind, payload: null, maxAttempts: 2 });
      await queue.registerWorker({ id: 'w1', host: 'h', pid: 1, projectVersion: 'v1' });
      const [first] = await queue.claim('w1', { kinds: [kind] });
      now += 800;
      expect(await queue.heartbeat('w1')).toMatchObject({ extended: expect.any(Number), cancelRequested: [] });
      now += 800;
      expect((await queue.reclaimExpired()).filter((job) => job.id === id)).toEqual([]);
      now += 1000;
      expect((await queue.reclaimExpired()).filter((job) => job.id === id)).toEqual([{ id, workerId: 'w1', state: 'ready' }]);
      const reclaimed = await queue.get(id);
      expect(reclaimed?.state).toBe('ready');
      expect(reclaimed?.lastError).toMatch(/lease expired .*worker w1 stopped sending heartbeats \(attempt 1 of 2\)/);
      const [second] = await queue.claim('w2', { kinds: [kind] });
      expect(second).toMatchObject({ id, attempt: 2, claimToken: first!.claimToken + 1, workerId: 'w2' });
      now += 5000;
      expect((await queue.reclaimExpired(new Date(now))).filter((job) => job.id === id)).toEqual([{ id, workerId: 'w2', state: 'failed' }]);
      expect(await queue.get(id)).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/attempt 2 of 2, none left/) });
    });

    it('refuses a stale worker\'s complete and fail (fencing), and repeats a committed completion harmlessly', async () => {
      const kind = newKind();
      const { id } = await queue.enqueue({ kind, payload: 'x', maxAttempts: 3 });
      const [stale] = await queue.claim('w1', { kinds: [kind] });
      now += 2000;
      await queue.reclaimExpired();
      // The same worker claims it again: only its newest claim counts.
      const [fresh] = await queue.claim('w1', { kinds: [kind] });
      expect(fresh!.claimToken).toBeGreaterThan(stale!.claimToken);
      const refused = await rejection(queue.complete(stale!, 'stale'));
      expect(refused.code).toBe('JOB_CLAIM_LOST');
      expect(refused.message).toMatch(new RegExp(`cannot complete job ${id} under claim ${stale!.claimToken}: it was claimed again since \\(claim ${fresh!.claimToken}, worker w1\\)`));
      expect((await rejection(queue.fail(stale!, 'late'))).code).toBe('JOB_CLAIM_LOST');
      expect((await rejection(queue.complete({ ...fresh!, workerId: 'w9' }))).code).toBe('JOB_CLAIM_LOST');
      await queue.complete(fresh!, { rows: 3 });
      await queue.complete(fresh!, { rows: 3 });
      expect(await queue.get(id)).toMatchObject({ state: 'completed', result: { rows: 3 }, workerId: 'w1' });
      expect((await rejection(queue.complete(stale!))).message).toMatch(/claimed again since/);
      expect((await rejection(queue.complete({ id: 987_654, workerId: 'w1', claimToken: 1 }))).message).toMatch(/no such job/);
    });

    it('writes complete\'s effects in the completing transaction, and never for a refused claim', async () => {
      const kind = newKind();
      const jobs = await queue.enqueueMany([{ kind, payload: 1 }, { kind, payload: 2, maxAttempts: 2 }]);
      const [a, b] = await queue.claim('w1', { kinds: [kind], limit: 2 });
      const record = (jobId: number) => ({ effects: async (tx: QueueTransaction) => {
        await sql`insert into effects_done (job_id) values (${jobId})`.execute(tx);
      } });
      await queue.complete(a!, null, record(a!.id));
      await queue.complete(a!, null, record(a!.id));
      now += 2000;
      await queue.reclaimExpired();
      expect((await rejection(queue.complete(b!, null, record(b!.id)))).code).toBe('JOB_CLAIM_LOST');
      const failing = { effects: async () => { throw new Error('effect failed'); } };
      const [again] = await queue.claim('w2', { kinds: [kind] });
      await expect(queue.complete(again!, null, failing)).rejects.toThrow('effect failed');
      expect((await queue.get(again!.id))?.state).toBe('running');
      const rows = await harness.effectRows();
      expect(rows.filter((row) => row === jobs[0]!.id || row === jobs[1]!.id)).toEqual([jobs[0]!.id]);
    });

    it('retries a failed job while attempts remain, with a backoff, then fails it for good', async () => {
      const kind = newKind();
      const { id } = await queue.enqueue({ kind, payload: null, maxAttempts: 2 });
      const [first] = await queue.claim('w1', { kinds: [kind] });
      await queue.fail(first!, 'connection reset', { runAfter: new Date(now + 10_000) });
      expect(await queue.get(id)).toMatchObject({ state: 'ready', attempts: 1, lastError: 'connection reset' });
      expect(await queue.claim('w1', { kinds: [kind] })).toEqual([]);
      now += 10_000;
      const [second] = await queue.claim('w1', { kinds: [kind] });
      expect(second?.attempt).toBe(2);
      await queue.fail(second!, 'still broken');
      expect(await queue.get(id)).toMatchObject({ state: 'failed', attempts: 2, lastError: 'still broken' });
      expect(await queue.retry(id)).toBe(true);
      expect(await queue.retry(id)).toBe(false);
      const [third] = await queue.claim('w1', { kinds: [kind] });
      expect(third).toMatchObject({ id, attempt: 1 });
      await queue.fail(third!, 'no retry wanted', { retry: false });
      expect((await queue.get(id))?.state).toBe('failed');
    });

    it('cancels ready jobs at once and asks running ones to stop', async () => {
      const kind = newKind();
      const prefix = `backfill:${kind}:`;
      const jobs = await queue.enqueueMany(['d1', 'd2', 'd3'].map((day) => ({ kind, payload: day, dedupeKey: `${prefix}${day}` })));
      const outsider = await queue.enqueue({ kind, payload: 'x', dedupeKey: `backfill:${kind}X:d1` });
      const [running] = await queue.claim('w1', { kinds: [kind] });
      expect(running?.id).toBe(jobs[0]!.id);
      expect(await queue.cancel({ dedupeKeyPrefix: prefix })).toEqual({ cancelled: 2, stopRequested: 1 });
      expect((await queue.get(outsider.id))?.state).toBe('ready');
      expect((await queue.heartbeat('w1')).cancelRequested).toEqual([running!.id]);
      await queue.fail(running!, 'aborted on request');
      expect(await queue.counts({ dedupeKeyPrefix: prefix })).toEqual({ ready: 0, running: 0, completed: 0, failed: 0, cancelled: 3 });
      expect(await queue.cancel(outsider.id)).toEqual({ cancelled: 1, stopRequested: 0 });
      expect(await queue.cancel(outsider.id)).toEqual({ cancelled: 0, stopRequested: 0 });
      expect(await queue.claim('w1', { kinds: [kind] })).toEqual([]);
      expect(await queue.retry(jobs[1]!.id)).toBe(true);
      expect((await queue.claim('w1', { kinds: [kind] }))[0]?.id).toBe(jobs[1]!.id);
    });

    it('reports running jobs past their timeout, and a lost lease of a cancelled job ends cancelled', async () => {
      const kind = newKind();
      const slow = await queue.enqueue({ kind, payload: 'slow', timeoutMs: 5000, maxAttempts: 3 });
      const untimed = await queue.enqueue({ kind, payload: 'untimed' });
      await queue.claim('w1', { kinds: [kind], limit: 2 });
      now += 4000;
      await queue.heartbeat('w1');
      expect((await queue.expiredRunning()).map((job) => job.id).filter((id) => id === slow.id)).toEqual([]);
      now += 700;
      await queue.heartbeat('w1');
      now += 700;
      const expired = (await queue.expiredRunning()).filter((job) => job.kind === kind);
      expect(expired.map((job) => job.id)).toEqual([slow.id]);
      await queue.cancel(untimed.id);
      now += 2000;
      const reclaimed = (await queue.reclaimExpired()).filter((job) => job.id === untimed.id || job.id === slow.id);
      expect(reclaimed).toEqual([
        { id: slow.id, workerId: 'w1', state: 'ready' },
        { id: untimed.id, workerId: 'w1', state: 'cancelled' },
      ]);
    });

    it('lists, gets and counts jobs for progress displays', async () => {
      const kind = newKind();
      const jobs = await queue.enqueueMany(Array.from({ length: 5 }, (_, i) => ({ kind, payload: { i }, pool: 'p', dedupeKey: `${kind}-${i}` })));
      const [one] = await queue.claim('w1', { kinds: [kind] });
      expect((await queue.list({ kind, state: 'ready', limit: 2 })).map((job) => job.id)).toEqual([jobs[1]!.id, jobs[2]!.id]);
      expect((await queue.list({ kind })).map((job) => job.state)).toEqual(['running', 'ready', 'ready', 'ready', 'ready']);
      expect((await queue.list({ ids: [jobs[4]!.id, one!.id, 123_456_789] })).map((job) => [job.id, job.state])).toEqual([
        [one!.id, 'running'],
        [jobs[4]!.id, 'ready'],
      ]);
      expect(await queue.list({ ids: [] })).toEqual([]);
      expect(await queue.get(one!.id)).toMatchObject({
        kind, payload: { i: 0 }, pool: 'p', dedupeKey: `${kind}-0`, state: 'running', attempts: 1, workerId: 'w1',
        startedAt: new Date(now), leaseExpiresAt: new Date(now + 1000), cancelRequested: false,
      });
      expect(await queue.get(123_456_789)).toBeUndefined();
      expect(await queue.counts({ kind })).toEqual({ ready: 4, running: 1, completed: 0, failed: 0, cancelled: 0 });
    });

    it('purges finished jobs older than a date, freeing their keys, and leaves the rest', async () => {
      const kind = newKind();
      const [done, failed, waiting] = await queue.enqueueMany(['done', 'failed', 'waiting'].map((name) => ({ kind, payload: name, dedupeKey: `${kind}:${name}` })));
      const [a, b] = await queue.claim('w1', { kinds: [kind], limit: 2 });
      await queue.complete(a!);
      await queue.fail(b!, 'broken', { retry: false });
      now += 1000;
      expect(await queue.purgeFinished(new Date(now - 1000))).toBe(0);
      const purged = await queue.purgeFinished(new Date(now));
      expect(purged).toBeGreaterThanOrEqual(2);
      expect(await queue.get(done!.id)).toBeUndefined();
      expect(await queue.get(failed!.id)).toBeUndefined();
      expect((await queue.get(waiting!.id))?.state).toBe('ready');
      expect((await queue.enqueue({ kind, payload: 'again', dedupeKey: `${kind}:done` })).created).toBe(true);
    });

    it('takes the expected project version from several commands at once (overlapping backfills)', async () => {
      for (let round = 0; round < 5; round++) {
        await queue.setExpectedProjectVersion(undefined);
        await Promise.all(Array.from({ length: 8 }, () => queue.setExpectedProjectVersion(`v-race-${round}`)));
        await queue.registerWorker({ id: `w-race-${round}`, host: 'box', pid: 20 + round, projectVersion: `v-race-${round}` });
        const refused = await rejection(queue.registerWorker({ id: `w-other-${round}`, host: 'box', pid: 40 + round, projectVersion: 'v-other' }));
        expect(refused.code).toBe('WORKER_VERSION_MISMATCH');
      }
      await queue.setExpectedProjectVersion(undefined);
    });

    it('registers workers, lists them alive or dead, and refuses a worker of another project version', async () => {
      await queue.setExpectedProjectVersion('v7');
      await queue.registerWorker({ id: 'wa', host: 'box-a', pid: 11, projectVersion: 'v7' });
      await queue.registerWorker({ id: 'wb', host: 'box-b', pid: 12, projectVersion: 'v7' });
      const refused = await rejection(queue.registerWorker({ id: 'wc', host: 'box-c', pid: 13, projectVersion: 'v6' }));
      expect(refused.code).toBe('WORKER_VERSION_MISMATCH');
      expect(refused.message).toBe('worker "wc" (host box-c, pid 13) runs project version v6, but weir serve runs v7; the worker is refused and claims no work');
      now += 4000;
      await queue.heartbeat('wa');
      now += 2000;
      await queue.stopWorker('wb');
      const listed = (await queue.workers()).filter((worker) => ['wa', 'wb', 'wc'].includes(worker.id));
      expect(listed.map((worker) => [worker.id, worker.alive, worker.stoppedAt !== undefined])).toEqual([
        ['wa', true, false],
        ['wb', false, true],
      ]);
      await queue.setExpectedProjectVersion(undefined);
      await queue.registerWorker({ id: 'wc', host: 'box-c', pid: 13, projectVersion: 'v6' });
      expect((await queue.workers()).find((worker) => worker.id === 'wc')).toMatchObject({ alive: true, projectVersion: 'v6' });
    });

    it('refuses bad input with a clear error and stores nothing', async () => {
      const kind = newKind();
      expect(await rejection(queue.enqueue({ kind: '', payload: 1 }))).toMatchObject({ code: 'USAGE', message: expect.stringMatching(/kind must be a non-empty string/) });
      expect(await rejection(queue.enqueue({ kind, payload: 1, priority: 1.5 }))).toMatchObject({ message: expect.stringMatching(/priority must be a whole number/) });
      expect(await rejection(queue.enqueue({ kind, payload: 1, maxAttempts: 0 }))).toMatchObject({ message: expect.stringMatching(/maxAttempts must be/) });
      expect(await rejection(queue.enqueue({ kind, payload: 1, runAfter: new Date('nope') }))).toMatchObject({ message: expect.stringMatching(/runAfter must be a valid Date/) });
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      expect(await rejection(queue.enqueue({ kind, payload: circular as never }))).toMatchObject({ code: 'USAGE', message: expect.stringMatching(/payload cannot be stored as JSON/) });
      expect(await rejection(queue.enqueueMany([{ kind, payload: 1 }, { kind, payload: undefined as never }]))).toMatchObject({
        message: expect.stringMatching(/payload \(job 2\) cannot be stored as JSON/),
      });
      expect(await rejection(queue.claim('', {}))).toMatchObject({ code: 'USAGE' });
      expect(await rejection(queue.claim('w1', { limit: 0 }))).toMatchObject({ code: 'USAGE' });
      expect(await queue.counts({ kind })).toEqual({ ready: 0, running: 0, completed: 0, failed: 0, cancelled: 0 });
    });

    it('wakes a waiting worker when another queue on the database makes a job ready', async () => {
      const kind = newKind();
      const other = await harness.open({ clock, leaseMs: 1000 });
      opened.push(other);
      await queue.waitForJobs(0);
      const woken = (wait: Promise<void>) =>
        Promise.race([wait.then(() => 'woken'), new Promise((resolve) => setTimeout(() => resolve('still waiting after 20 s'), 20_000))]);
      const waiting = woken(queue.waitForJobs(60_000));
      const { id } = await other.enqueue({ kind, payload: 'wake up' });
      expect(await waiting).toBe('woken');
      const [job] = await queue.claim('w1', { kinds: [kind] });
      const again = woken(queue.waitForJobs(60_000));
      await other.fail({ ...job!, workerId: 'w1' }, 'try again', { retry: false });
      expect(await other.retry(id)).toBe(true);
      expect(await again).toBe('woken');
      // A wait also ends at its timeout, and at close.
      await queue.waitForJobs(1);
      const closing = woken(other.waitForJobs(60_000));
      await other.close();
      expect(await closing).toBe('woken');
    });

    it('shares jobs between two queues opened on the same database', async () => {
      const kind = newKind();
      const second = await harness.open({ clock, leaseMs: 1000 });
      opened.push(second);
      await queue.enqueueMany(Array.from({ length: 6 }, (_, i) => ({ kind, payload: i })));
      const [mine, theirs] = await Promise.all([queue.claim('w1', { kinds: [kind], limit: 4 }), second.claim('w2', { kinds: [kind], limit: 4 })]);
      const ids = [...mine, ...theirs].map((job) => job.id);
      expect(new Set(ids).size).toBe(6);
      expect(ids).toHaveLength(6);
      // The same ticks enqueued by both at once: one job per key, both told the same id.
      const ticks = Array.from({ length: 20 }, (_, i) => ({ kind, payload: i, dedupeKey: `${kind}:tick:${i}` }));
      const [fromMine, fromTheirs] = await Promise.all([
        Promise.all(ticks.map((tick) => queue.enqueue(tick))),
        Promise.all(ticks.map((tick) => second.enqueue(tick))),
      ]);
      ticks.forEach((_, i) => {
        expect(fromMine[i]!.id).toBe(fromTheirs[i]!.id);
        expect([fromMine[i]!.created, fromTheirs[i]!.created].filter(Boolean)).toHaveLength(1);
      });
      expect((await queue.counts({ dedupeKeyPrefix: `${kind}:tick:` })).ready).toBe(20);
    });
  });
}

describeJobQueueConformance('SQLite job queue', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weir-queue-'));
  const file = join(dir, 'state.db');
  const side = new Database(file);
  side.exec('create table effects_done (job_id integer not null)');
  return {
    open: (options) => openSqliteJobQueue(file, options),
    effectRows: async () => (side.prepare('select job_id from effects_done order by job_id').all() as { job_id: number }[]).map((row) => row.job_id),
    cleanup: async () => {
      side.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

await describeWithService(postgresService, 'PostgreSQL job queue', () => {
  let database: TestDatabase;
  describeJobQueueConformance('conformance', async () => {
    database = await createTestDatabase('weir_queue');
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query('create table effects_done (job_id bigint not null)');
    return {
      open: (options) => openPostgresJobQueue(database.url, { ...options, maxConnections: 2 }),
      effectRows: async () => (await client.query<{ job_id: string }>('select job_id from effects_done order by job_id')).rows.map((row) => Number(row.job_id)),
      cleanup: async () => {
        await client.end();
        await database.drop();
      },
    };
  });
});

describe('opening a SQLite queue', () => {
  it('refuses a path it cannot create, and tables written by a newer Weir, with clear errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weir-queue-open-'));
    try {
      const blocker = join(dir, 'not-a-folder');
      new Database(blocker).close();
      const unwritable = await rejection(openSqliteJobQueue(join(blocker, 'state.db')));
      expect(unwritable.code).toBe('STATE_UNAVAILABLE');
      expect(unwritable.message).toContain(`cannot use the SQLite queue in ${join(blocker, 'state.db')}`);

      const file = join(dir, 'state.db');
      await (await openSqliteJobQueue(file)).close();
      const side = new Database(file);
      side.prepare('insert into queue_schema_version (version, applied_at) values (99, ?)').run(new Date().toISOString());
      side.close();
      const newer = await rejection(openSqliteJobQueue(file));
      expect(newer).toEqual({ code: 'STATE_UNAVAILABLE', message: `the SQLite queue in ${file} has queue schema version 99; this Weir knows up to 1` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
