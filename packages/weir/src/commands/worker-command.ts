/**
 * `weir worker`: a process that takes work from the project's run queue in team mode (state and
 * warehouse in PostgreSQL), on this machine or any other with the same project checked out. It
 * registers with its project version (a worker running other code than the server is refused),
 * claims one job at a time under a lease renewed by heartbeats, and completes it only with the
 * claim it was given. A job is a backfill's partition or one step of a `weir run --workers`. A worker killed mid-job loses its lease and another worker takes the job.
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import {
  BACKFILL_JOB_KIND,
  RUN_STEP_JOB_KIND,
  WeirError,
  eventTime,
  isWeirError,
  messageOf,
  workerCodeVersion,
  runBackfillJob,
  type BackfillJobPayload,
  type ClaimedJob,
  type JobQueue,
  type StateStore,
  type WeirEvent,
} from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { formatDuration } from '../output/format-table.js';
import { openProjectQueue, type ProjectRuntime } from '../runtime/project-runtime.js';
import { withProject } from './command-options.js';
import { runQueuedStep } from './worker-step-job.js';

interface WorkerOptions {
  id?: string;
  lease: string;
  idleExitSeconds?: string;
}

/** Registers `worker`. */
export function registerWorkerCommand(program: Command, exit: ExitBox): void {
  program
    .command('worker')
    .description('take work from the run queue (team mode: state and warehouse in PostgreSQL); stop with Ctrl-C')
    .option('--id <name>', 'this worker\'s name (default: <host>-<pid>)')
    .option('--lease <seconds>', 'how long a claimed job stays ours without a heartbeat; a dead worker\'s job is taken again after it', '30')
    .option('--idle-exit-seconds <n>', 'exit after this long without work (default: run until stopped)')
    .action(async (options: WorkerOptions, command: Command) => {
      exit.code = await withProject(command, (runtime) => work(runtime, options));
    });
}

function positiveSeconds(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new WeirError('USAGE', `${option} must be a number of seconds > 0, not "${text}"`);
  return value;
}

/** Team mode only: workers on several machines must share the state and the warehouse. */
function requireTeamMode(runtime: ProjectRuntime): void {
  const { state, warehouse } = runtime.project;
  if (state.store === 'postgres' && warehouse.engine === 'postgres') return;
  throw new WeirError('USAGE', 'weir worker needs team mode: the state and the warehouse in PostgreSQL, shared by every worker', {
    hint: 'set state: { store: postgres, url: ... } and warehouse: { engine: postgres, url: ... } in weir.yaml; with the embedded warehouse, weir serve runs the work itself',
  });
}

async function work(runtime: ProjectRuntime, options: WorkerOptions): Promise<number> {
  // The options first: a mistyped option is reported whatever the project.
  const leaseMs = positiveSeconds(options.lease, '--lease') * 1000;
  const idleExitMs = options.idleExitSeconds === undefined ? undefined : positiveSeconds(options.idleExitSeconds, '--idle-exit-seconds') * 1000;
  requireTeamMode(runtime);
  const id = options.id ?? `${hostname()}-${process.pid}`;
  const version = await workerCodeVersion(runtime.project.root);
  const queue = await openProjectQueue(runtime.project, { leaseMs });
  const say = (line: string) => process.stdout.write(`worker ${id}: ${line}\n`);
  const stopping = new AbortController();
  const onSignal = () => {
    if (stopping.signal.aborted) process.exit(130);
    say('stopping after the job in progress (Ctrl-C again to leave at once)');
    stopping.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await queue.registerWorker({ id, host: hostname(), pid: process.pid, projectVersion: version });
    say(`ready (project ${runtime.project.name} version ${version}, pid ${process.pid})`);
    let idleSince = Date.now();
    let away: string | undefined;
    while (!stopping.signal.aborted) {
      let job: ClaimedJob | undefined;
      try {
        await queue.reclaimExpired();
        [job] = await queue.claim(id, { kinds: [BACKFILL_JOB_KIND, RUN_STEP_JOB_KIND], limit: 1 });
      } catch (error) {
        // The queue already retried for a while; a worker outlives a longer outage and says so once.
        if (!isWeirError(error) || error.code !== 'STATE_UNAVAILABLE') throw error;
        if (away === undefined) say(`waiting for the database: ${error.message}`);
        away = error.message;
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      if (away !== undefined) say('the database answers again');
      away = undefined;
      if (job === undefined) {
        if (idleExitMs !== undefined && Date.now() - idleSince > idleExitMs) break;
        // Woken at once by a new job (LISTEN/NOTIFY), else after a second to reclaim expired leases.
        await queue.waitForJobs(1_000);
        continue;
      }
      await runJob(runtime, queue, id, job, leaseMs, say);
      idleSince = Date.now();
    }
    say('stopped');
    return EXIT.ok;
  } catch (error) {
    if (isWeirError(error) && error.code === 'WORKER_VERSION_MISMATCH') say('refused: another project version than weir serve');
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await queue.stopWorker(id).catch(() => undefined);
    await queue.close();
  }
}

/** Runs one claimed job with heartbeats; a cancel asked through the queue aborts it. */
async function runJob(runtime: ProjectRuntime, queue: JobQueue, workerId: string, job: ClaimedJob, leaseMs: number, say: (line: string) => void): Promise<void> {
  const payload = job.payload as unknown as BackfillJobPayload;
  const controller = new AbortController();
  const stepJob = job.kind === RUN_STEP_JOB_KIND;
  const heartbeat = setInterval(() => {
    void queue
      .heartbeat(workerId)
      .then((beat) => {
        if (beat.cancelRequested.includes(job.id)) controller.abort(new WeirError('CANCELLED', stepJob ? 'the run was cancelled' : 'the backfill was cancelled'));
      })
      .catch(() => undefined);
  }, Math.max(200, leaseMs / 3));
  const started = performance.now();
  try {
    // One step of a `weir run --workers`: its own handling, under the same heartbeat.
    if (stepJob) return await runQueuedStep(runtime, queue, job, controller.signal, say);
    const outcome = await buildThroughRestarts(runtime, queue, workerId, payload, controller.signal, say);
    if (outcome === undefined) return;
    const took = formatDuration(performance.now() - started);
    say(`${payload.partition} ${payload.assets.join(', ')} ${outcome.status}${outcome.detail ? ` (${outcome.detail})` : ''} in ${took}`);
    if (outcome.status === 'done') await queue.complete(job, { status: outcome.status });
    else await queue.fail(job, outcome.detail ?? outcome.status, { retry: false });
  } catch (error) {
    say(`${payload.partition} failed: ${messageOf(error)}`);
    // Worth another claim only when the failure was not the data's (an input not readable yet, the server gone).
    await queue.fail(job, messageOf(error), { retry: true }).catch(() => undefined);
  } finally {
    clearInterval(heartbeat);
  }
}

/** Codes saying the state store or the warehouse could not be used (PostgreSQL restarting, a dropped connection): not the data's fault. */
const serverGoneCodes = new Set(['STATE_UNAVAILABLE', 'ENGINE_UNAVAILABLE']);
/** Builds of one claim when the database keeps going away, before the job is handed back to the queue. */
const buildsPerClaim = 4;

/**
 * Runs the job's build, and when it failed because the database went away (its connections were
 * terminated by a restart), builds it again under the same claim once the database answers: a
 * rebuild replaces the partition's rows in one transaction, so it never duplicates them, and the
 * job's attempts are kept for failures of its own. Resolves undefined when the claim was lost
 * meanwhile (the lease ran out during a long outage and another worker took the job: it is theirs).
 */
async function buildThroughRestarts(
  runtime: ProjectRuntime,
  queue: JobQueue,
  workerId: string,
  payload: BackfillJobPayload,
  signal: AbortSignal,
  say: (line: string) => void,
): Promise<Awaited<ReturnType<typeof runBackfillJob>> | undefined> {
  for (let build = 1; ; build++) {
    let serverGone: string | undefined;
    let runId: string | undefined;
    const onEvent = (event: WeirEvent): void => {
      if (event.type === 'run_started') runId = event.runId;
      // A step that failed on a lost connection is recorded as a failed step, not thrown.
      if (event.type === 'step_failed' && serverGoneCodes.has(event.error.code)) serverGone ??= event.error.message;
    };
    try {
      const outcome = await runBackfillJob({ project: runtime.project, engine: await runtime.engine(), store: runtime.store, payload, signal, onEvent });
      if (outcome.status !== 'failed' || serverGone === undefined || build >= buildsPerClaim || signal.aborted) return outcome;
    } catch (error) {
      if (!isWeirError(error) || !serverGoneCodes.has(error.code) || build >= buildsPerClaim || signal.aborted) throw error;
      serverGone = error.message;
    }
    say(`${payload.partition} interrupted (${serverGone}); building it again once the database answers`);
    // The queue retries the heartbeat until the database answers again (or gives up and throws).
    const beat = await queue.heartbeat(workerId);
    if (runId !== undefined) await closeInterruptedRun(runtime.store, runId, serverGone).catch((error: unknown) => say(`run ${runId} stays recorded as running: ${messageOf(error)}`));
    if (beat.extended === 0) {
      say(`${payload.partition} left to the worker that took it over while the database was away`);
      return undefined;
    }
  }
}

/**
 * Records the end of a run the database lost track of: its `run_finished` (or a step's end) could
 * not be written while the database was away, and this process is alive, so nothing else would
 * ever mark it (crash recovery only takes runs whose process is gone). Nothing to do when the run
 * did finish on record.
 */
async function closeInterruptedRun(store: StateStore, runId: string, reason: string): Promise<void> {
  const run = await store.run(runId);
  if (run?.status !== 'running') return;
  const at = eventTime();
  const steps = (await store.steps(runId)).filter((step) => step.status === 'running' || step.status === 'pending');
  await store.append([
    ...steps.map((step): WeirEvent => ({
      type: 'step_failed',
      at,
      runId,
      asset: step.asset,
      attempts: step.attempts,
      error: { code: 'STATE_UNAVAILABLE', message: `interrupted: ${reason}` },
      ...(step.version ? { version: step.version } : {}),
    })),
    { type: 'run_finished', at, runId, status: 'failed', summary: { interrupted_steps: steps.length }, detail: `interrupted when the database went away (${reason}); the partition is built again by a new run` },
  ]);
}
