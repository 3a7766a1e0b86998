/**
 * The part of `weir serve` that starts runs by itself: once a second it asks the project's
 * schedules and sensors what is due, queues one job per request under the request's dedupe key,
 * and only then records the decisions. A crash between the two makes the next pass ask for the
 * same keys, which the queue refuses: a tick or a sensor event never starts two runs and is never
 * lost. Queued jobs (runs, and the partitions of a `weir backfill` started while the server runs)
 * are taken one by one by priority (scheduled runs, then sensors, then backfills) and handed to the
 * run hub, which runs them after any run already in progress.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { hostname } from 'node:os';
import {
  BACKFILL_JOB_KIND,
  TriggerEvaluator,
  WeirError,
  isPaused,
  buildAssetGraph,
  loadProject,
  messageOf,
  projectVersion,
  systemClock,
  type BackfillJobPayload,
  type ClaimedJob,
  type Clock,
  type JobQueue,
  type Project,
  type RunRequest,
  type StateStore,
} from '@weir/core';
import type { RunHub } from './run-hub.js';

/** Queue priorities: what a person or a schedule asked for goes before sensors, and both before backfills. */
export const RUN_PRIORITY = { schedule: 100, sensor: 90, backfill: 10 } as const;

/** What a queued run job carries (a type, not an interface: it must pass as a JSON object). */
type RunJobPayload = {
  trigger: string;
  select: string[];
  exclude: string[];
  reason: string;
  /** A custom sensor's request for one partition. */
  partition?: string;
};

/** Options of {@link startTriggerLoop}. */
export interface TriggerLoopOptions {
  root: string;
  environment: string | undefined;
  store: StateStore;
  queue: JobQueue;
  hub: RunHub;
  clock?: Clock;
  /** Milliseconds between passes. Default 1,000. */
  intervalMs?: number;
  /** Where the loop says what it started or what went wrong. */
  log: (line: string) => void;
}

/** What a webhook call led to. */
export interface WebhookOutcome {
  /** False when the same delivery was already queued (the caller retried). */
  queued: boolean;
  jobId: number;
  trigger: string;
}

/** A running trigger loop. */
export interface TriggerLoop {
  /**
   * Evaluates the webhook sensor `name` for a call carrying `authorization` (`Bearer <token>`):
   * queues a run under the delivery id (`Idempotency-Key`; a new one per call without it).
   * Throws `RUN_UNKNOWN` for no such webhook sensor, `UNAUTHORIZED` for a wrong token,
   * `PROJECT_LOCKED` when the sensor is paused.
   */
  receiveWebhook(name: string, authorization: string | undefined, deliveryId: string | undefined): Promise<WebhookOutcome>;
  /** Stops evaluating and claiming after the current pass. */
  stop(): Promise<void>;
  /** Waits for the queued run in progress to end and be recorded in the queue (cancel it with the hub first). */
  drain(): Promise<void>;
}

/**
 * Starts evaluating triggers and executing queued run jobs until stopped.
 *
 * @example
 * ```ts
 * const loop = startTriggerLoop({ root, environment: undefined, store, queue, hub, log: console.log });
 * // ... later
 * await loop.stop();
 * ```
 */
export function startTriggerLoop(options: TriggerLoopOptions): TriggerLoop {
  const workerId = `serve-${hostname()}-${process.pid}`;
  const intervalMs = options.intervalMs ?? 1_000;
  let stopped = false;
  let wake: (() => void) | undefined;
  let loaded: { version: string; evaluator: TriggerEvaluator } | undefined;
  // Stops custom sensors' evaluations in progress when the server stops.
  const stopping = new AbortController();

  /** The project as its files are now: loaded again only when they changed. */
  const current = async (): Promise<TriggerEvaluator> => {
    const version = await projectVersion(options.root);
    if (loaded?.version !== version) {
      project = await loadProject(options.root, options.environment === undefined ? {} : { environment: options.environment });
      loaded = { version, evaluator: new TriggerEvaluator({ project, graph: buildAssetGraph(project), store: options.store, clock: options.clock ?? systemClock, log: options.log, signal: stopping.signal }) };
    }
    return loaded.evaluator;
  };

  let project: Project | undefined;

  const receiveWebhook = async (name: string, authorization: string | undefined, deliveryId: string | undefined): Promise<WebhookOutcome> => {
    await current();
    const sensor = project?.sensors?.find((candidate) => candidate.name === name);
    if (sensor?.type !== 'webhook') throw new WeirError('RUN_UNKNOWN', `this project has no webhook sensor "${name}"`);
    if (!sameSecret(authorization, `Bearer ${sensor.token}`)) {
      throw new WeirError('UNAUTHORIZED', `the call to webhook sensor "${name}" did not carry its token`, { hint: 'send Authorization: Bearer <the token set in weir.yaml>' });
    }
    const state = (await options.store.triggerStates('sensor')).find((candidate) => candidate.name === name);
    if (isPaused(sensor, state)) throw new WeirError('PROJECT_LOCKED', `webhook sensor "${name}" is paused`, { hint: `resume it with: weir schedules resume ${name}` });
    const delivery = deliveryId ?? randomUUID();
    const at = (options.clock ?? systemClock).now().toISOString();
    const request: RunRequest = { trigger: `sensor:${name}`, dedupeKey: `sensor:${name}:${delivery}`, selection: sensor.selection, reason: `webhook call ${delivery}`, scheduledFor: at };
    const { id, created } = await options.queue.enqueue({ kind: 'run', payload: runPayload(request), priority: RUN_PRIORITY.sensor, dedupeKey: request.dedupeKey });
    if (created) {
      options.log(`${request.trigger}: queued a run (${request.reason})`);
      await options.store.append([{ type: 'sensor_evaluated', at, sensor: name, cursor: { delivery }, dedupeKey: request.dedupeKey, reason: request.reason }]);
    }
    return { queued: created, jobId: id, trigger: request.trigger };
  };

  const queueRequests = async (): Promise<void> => {
    const { requests, events } = await (await current()).evaluate();
    for (const request of requests) {
      const { created } = await options.queue.enqueue({
        kind: 'run',
        payload: runPayload(request),
        priority: request.trigger.startsWith('schedule:') ? RUN_PRIORITY.schedule : RUN_PRIORITY.sensor,
        dedupeKey: request.dedupeKey,
      });
      if (created) options.log(`${request.trigger}: queued a run (${request.reason})`);
    }
    for (const event of events) if (event.type === 'sensor_failed') options.log(`sensor:${event.sensor}: evaluation failed: ${event.message}${event.file ? ` (${event.file}:${event.line ?? 1})` : ''}`);
    // Recorded only once queued: see the file comment.
    if (events.length > 0) await options.store.append(events);
  };

  const runQueuedJob = async (job: ClaimedJob): Promise<void> => {
    const payload = job.payload as RunJobPayload;
    const heartbeat = setInterval(() => void options.queue.heartbeat(workerId).catch(() => undefined), 5_000);
    try {
      const partition = typeof payload.partition === 'string' ? { partition: payload.partition } : {};
      const runId = await options.hub.submit({ command: 'run', trigger: payload.trigger, select: payload.select, exclude: payload.exclude, wait: true, ...partition });
      options.log(`${payload.trigger}: run ${runId} started`);
      const status = await options.hub.finished(runId);
      options.log(`${payload.trigger}: run ${runId} ${status}`);
      await options.queue.complete(job, { runId, status });
    } catch (error) {
      options.log(`${payload.trigger}: the run could not start: ${messageOf(error)}`);
      await options.queue.fail(job, messageOf(error), { retry: false }).catch(() => undefined);
    } finally {
      clearInterval(heartbeat);
    }
  };

  const runPartitionJob = async (job: ClaimedJob): Promise<void> => {
    const payload = job.payload as unknown as BackfillJobPayload;
    const controller = new AbortController();
    const heartbeat = setInterval(() => {
      void options.queue
        .heartbeat(workerId)
        .then((beat) => {
          if (beat.cancelRequested.includes(job.id)) controller.abort(new WeirError('CANCELLED', 'the backfill was cancelled'));
        })
        .catch(() => undefined);
    }, 5_000);
    try {
      const outcome = await options.hub.runBackfillJob(payload, controller.signal);
      options.log(`backfill ${payload.backfillId}: ${payload.partition} ${outcome.status}${outcome.detail ? ` (${outcome.detail})` : ''}`);
      if (outcome.status === 'done') await options.queue.complete(job, { status: outcome.status });
      else await options.queue.fail(job, outcome.detail ?? outcome.status, { retry: false });
    } catch (error) {
      options.log(`backfill ${payload.backfillId}: ${payload.partition} failed: ${messageOf(error)}`);
      await options.queue.fail(job, messageOf(error), { retry: false }).catch(() => undefined);
    } finally {
      clearInterval(heartbeat);
    }
  };

  const pass = async (): Promise<void> => {
    try {
      await queueRequests();
    } catch (error) {
      options.log(`schedules and sensors: ${messageOf(error)}`);
    }
    // One queued run at a time; the passes go on meanwhile, so ticks are queued when they fall due.
    if (running !== undefined) return;
    try {
      // A previous server that died left its claims: give them back before claiming.
      await options.queue.reclaimExpired();
      // Runs and backfill partitions in one line, by priority: schedules, then sensors, then backfills.
      const [job] = await options.queue.claim(workerId, { kinds: ['run', BACKFILL_JOB_KIND], limit: 1 });
      if (job !== undefined) running = (job.kind === 'run' ? runQueuedJob(job) : runPartitionJob(job)).finally(() => (running = undefined));
    } catch (error) {
      options.log(`run queue: ${messageOf(error)}`);
    }
  };
  let running: Promise<void> | undefined;

  const loop = (async () => {
    while (!stopped) {
      await pass();
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, intervalMs);
      });
    }
  })();

  return {
    receiveWebhook,
    stop: async () => {
      stopped = true;
      stopping.abort(new Error('weir serve is stopping'));
      wake?.();
      await loop;
    },
    drain: async () => {
      await running;
    },
  };
}

/** Compares secrets in constant time, so response times do not tell how much of a guess was right. */
function sameSecret(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function runPayload(request: RunRequest): RunJobPayload {
  return {
    trigger: request.trigger,
    select: request.selection.select,
    exclude: request.selection.exclude,
    reason: request.reason,
    ...(request.partition === undefined ? {} : { partition: request.partition }),
  };
}
