/**
 * A run executed on workers (`executePlanOnWorkers`) with the real PostgreSQL queue, state store
 * and warehouse, and two in-process worker loops: every step runs once, never before its inputs
 * are done, a failing step skips its dependents with the reason recorded, the run ends with the
 * in-process run's status and summary, and the coordinator says when no worker is alive. Ctrl-C
 * and a job that fails on every claim end the run as an in-process run would.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EngineAdapter } from '../engines/engine-adapter.js';
import { openPostgresAdapter } from '../engines/postgres/postgres-adapter.js';
import type { WeirEvent } from '../events/weir-event.js';
import { loadProject } from '../project/load-project.js';
import { removeTempProject, writeTempProject } from '../project/temp-project.js';
import type { ClaimedJob, JobQueue } from '../queue/job-queue.js';
import { openPostgresJobQueue } from '../queue/postgres/open-postgres-job-queue.js';
import { openPostgresStateStore } from '../storage/postgres/open-postgres-state-store.js';
import type { StateStore } from '../storage/state-store.js';
import { runHarness } from '../testing/project-harness.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../testing/services.js';
import { executePlanOnWorkers, runStepJobKey } from './queued-run.js';
import { RUN_STEP_JOB_KIND, runStepJob, type RunStepJobPayload } from './run-step-job.js';

await describeWithService(postgresService, 'a run executed step by step on workers', () => {
  let database: TestDatabase;
  let root: string;
  const closing: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    database = await createTestDatabase('weir_queued_run');
    root = await writeTempProject({
      'weir.yaml': 'name: queued\n',
      'data/orders.csv': 'id,customer,amount\n1,10,5.5\n2,11,7\n3,10,1\n',
      'sources/files.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n',
      'models/orders.sql': 'select id, customer, amount from raw_orders',
      'models/per_customer.sql': '/*---\nmaterialization: view\n---*/\nselect customer, sum(amount) as total from orders group by customer',
      'models/top_customer.sql': 'select customer from per_customer order by total desc limit 1',
      'models/broken.sql': 'select id, no_such_column from orders',
      'models/after_broken.sql': 'select id from broken',
    });
  });

  afterAll(async () => {
    for (const item of closing.reverse()) await item.close().catch(() => undefined);
    await database?.drop();
    if (root) await removeTempProject(root);
  });

  /** A worker process in miniature: its own engine, store and queue; claims step jobs until stopped. */
  async function workerLoop(id: string, stop: AbortSignal, ran: Array<{ worker: string; asset: string }>): Promise<void> {
    const project = await loadProject(root);
    const engine: EngineAdapter = await openPostgresAdapter({ url: database.url });
    const store: StateStore = await openPostgresStateStore(database.url, { schema: 'weir_state' });
    const queue: JobQueue = await openPostgresJobQueue(database.url);
    closing.push(engine, store, queue);
    await queue.registerWorker({ id, host: 'test', pid: process.pid, projectVersion: 'v1' });
    while (!stop.aborted) {
      const [job] = await queue.claim(id, { kinds: [RUN_STEP_JOB_KIND], limit: 1 });
      if (job === undefined) {
        await queue.waitForJobs(50);
        continue;
      }
      const payload = job.payload as unknown as RunStepJobPayload;
      ran.push({ worker: id, asset: payload.step.asset });
      const outcome = await runStepJob({ project, engine, store, payload, signal: new AbortController().signal });
      await queue.complete(job, { outcome });
    }
    await queue.stopWorker(id);
  }

  it('runs every step once on two workers in dependency order; a failure skips its dependents', async () => {
    const project = await loadProject(root);
    const engine = await openPostgresAdapter({ url: database.url });
    const store = await openPostgresStateStore(database.url, { schema: 'weir_state' });
    const queue = await openPostgresJobQueue(database.url);
    closing.push(engine, store, queue);
    const seen: WeirEvent[] = [];
    const ran: Array<{ worker: string; asset: string }> = [];
    const stop = new AbortController();
    const loops: Array<Promise<void>> = [];
    let waited = 0;
    const result = await runHarness({ root, engine, store }, {
      onEvent: (event) => seen.push(event),
      execute: (options) =>
        executePlanOnWorkers({
          ...options,
          queue,
          pollMs: 20,
          // No worker yet: the coordinator says so, then the workers start.
          onWaitingForWorker: () => {
            waited += 1;
            if (loops.length === 0) loops.push(workerLoop('w1', stop.signal, ran), workerLoop('w2', stop.signal, ran));
          },
        }),
    });
    stop.abort();
    await Promise.all(loops);
    expect(waited).toBe(1);

    expect(result.status).toBe('failed');
    expect(result.summary).toEqual({ succeeded: 4, failed: 1, skipped: 1 });
    // Every step but the skipped one ran exactly once, on one worker or the other.
    expect(ran.map((entry) => entry.asset).sort()).toEqual(['broken', 'orders', 'per_customer', 'raw_orders', 'top_customer'].sort());
    const steps = await store.steps(result.runId);
    expect(Object.fromEntries(steps.map((step) => [step.asset, step.status]))).toEqual({
      raw_orders: 'succeeded',
      orders: 'succeeded',
      per_customer: 'succeeded',
      top_customer: 'succeeded',
      broken: 'failed',
      after_broken: 'skipped',
    });
    const skipped = steps.find((step) => step.asset === 'after_broken')!;
    expect(skipped).toMatchObject({ skipReason: 'upstream_failed', detail: 'input broken failed' });

    // Dependency order: no step started before each of its inputs succeeded.
    const events = await store.events({ runId: result.runId });
    const firstId = (type: string, asset: string) => events.find((event) => event.type === type && 'asset' in event && event.asset === asset)?.id ?? Infinity;
    for (const [asset, input] of [['orders', 'raw_orders'], ['per_customer', 'orders'], ['top_customer', 'per_customer'], ['broken', 'orders']] as const) {
      expect(firstId('step_started', asset)).toBeGreaterThan(firstId('step_succeeded', input));
    }
    // The coordinator handed on every recorded event, run_started first and run_finished last.
    expect(seen.map((event) => event.type)).toEqual(events.map((event) => event.type));
    expect(seen[0]?.type).toBe('run_started');
    expect(seen.at(-1)).toMatchObject({ type: 'run_finished', status: 'failed' });
    // One job per step, under the run's dedupe keys.
    const jobs = await queue.list({ kind: RUN_STEP_JOB_KIND });
    expect(jobs.map((job) => job.dedupeKey).sort()).toEqual(ran.map((entry) => runStepJobKey(result.runId, entry.asset)).sort());
    expect(jobs.every((job) => job.state === 'completed')).toBe(true);

    // A job taken again after its step's end was recorded (its worker died before completing it) only reports it.
    const again = jobs.find((job) => job.dedupeKey === runStepJobKey(result.runId, 'orders'))!.payload as unknown as RunStepJobPayload;
    const recorded = events.length;
    expect(await runStepJob({ project, engine, store, payload: again, signal: new AbortController().signal })).toBe('succeeded');
    expect(await store.events({ runId: result.runId })).toHaveLength(recorded);
    // A job naming an asset this worker's project does not have is refused, not guessed at.
    const stranger = { ...again, step: { ...again.step, asset: 'no_such_asset' } };
    await expect(runStepJob({ project, engine, store, payload: stranger, signal: new AbortController().signal })).rejects.toMatchObject({ code: 'ASSET_UNKNOWN' });

    const session = await engine.session();
    try {
      expect(await session.query('SELECT customer FROM prod.top_customer')).toEqual([{ customer: 11 }]);
    } finally {
      await session.close();
    }
  });

  /** A run of the whole project on a fresh database, its steps handled by `handle` (one worker, registered first). */
  async function runWith(handle: (job: ClaimedJob, queue: JobQueue, cancel: AbortController, run: (signal: AbortSignal) => ReturnType<typeof runStepJob>) => Promise<void>) {
    const fresh = await createTestDatabase('weir_queued_run');
    closing.push({ close: () => fresh.drop() });
    const project = await loadProject(root);
    const engine = await openPostgresAdapter({ url: fresh.url });
    const store = await openPostgresStateStore(fresh.url, { schema: 'weir_state' });
    const queue = await openPostgresJobQueue(fresh.url);
    closing.push(engine, store, queue);
    await queue.registerWorker({ id: 'w3', host: 'test', pid: process.pid, projectVersion: 'v1' });
    const cancel = new AbortController();
    const stop = new AbortController();
    const loop = (async () => {
      while (!stop.signal.aborted) {
        const [job] = await queue.claim('w3', { kinds: [RUN_STEP_JOB_KIND], limit: 1 });
        if (job === undefined) await queue.waitForJobs(50);
        else await handle(job, queue, cancel, (signal) => runStepJob({ project, engine, store, payload: job.payload as unknown as RunStepJobPayload, signal }));
      }
    })();
    const result = await runHarness({ root, engine, store }, { signal: cancel.signal, execute: (options) => executePlanOnWorkers({ ...options, queue, pollMs: 20 }) });
    stop.abort();
    await loop;
    const steps = Object.fromEntries((await store.steps(result.runId)).map((step) => [step.asset, step]));
    return { result, steps, jobs: await queue.list({ kind: RUN_STEP_JOB_KIND }), project, engine, store };
  }

  it('Ctrl-C cancels the queued jobs, stops the running step, skips the rest and records the run cancelled', async () => {
    const { result, steps, jobs } = await runWith(async (job, queue, cancel, run) => {
      // The run is cancelled while this worker holds its first step: the queue tells it through
      // its heartbeat, and the worker stops the step as weir worker does.
      cancel.abort();
      let beat = await queue.heartbeat('w3');
      while (!beat.cancelRequested.includes(job.id)) beat = await queue.heartbeat('w3');
      const stopped = new AbortController();
      stopped.abort(new Error('the run was cancelled'));
      expect(await run(stopped.signal)).toBe('cancelled');
      await queue.fail(job, 'the run was cancelled', { retry: false });
    });
    expect(result.status).toBe('cancelled');
    // Nothing downstream was ever enqueued; the step in flight ended cancelled, never retried.
    expect(jobs.map((job) => [job.dedupeKey, job.state])).toEqual([[runStepJobKey(result.runId, 'raw_orders'), 'cancelled']]);
    expect(steps.raw_orders).toMatchObject({ status: 'cancelled' });
    for (const asset of ['orders', 'per_customer', 'top_customer', 'broken', 'after_broken']) {
      expect(steps[asset], asset).toMatchObject({ status: 'skipped' });
    }
    expect(steps.orders).toMatchObject({ skipReason: 'cancelled', detail: 'the run was cancelled before this step started' });
    expect(result.summary).toEqual({ cancelled: 1, skipped: 5 });
  });

  it('a step whose job fails for good is recorded failed with the queue\'s error, its dependents skipped', async () => {
    const { result, steps } = await runWith(async (job, queue) => {
      await queue.fail(job, 'worker w3 stopped sending heartbeats (attempt 3 of 3)', { retry: false });
    });
    expect(result.status).toBe('failed');
    expect(steps.raw_orders).toMatchObject({ status: 'failed', error: { code: 'WORKER_FAILED', message: 'worker w3 stopped sending heartbeats (attempt 3 of 3)' } });
    expect(steps.orders).toMatchObject({ status: 'skipped', skipReason: 'upstream_failed', detail: 'input raw_orders failed' });
    expect(result.summary).toEqual({ failed: 1, skipped: 5 });
  });
});
