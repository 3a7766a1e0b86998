/**
 * One pass over every schedule and sensor of a project: what `weir serve` calls in its loop.
 * It reads the stored trigger state, decides with the pure functions of this folder, and returns
 * the run requests and the events that record them. It writes nothing itself: the caller queues
 * the requests first and then appends the events, so a crash in between asks again with the same
 * dedupe keys (which the queue refuses) instead of losing a tick.
 */
import type { TriggerEvent } from '../events/trigger-events.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import type { Project } from '../project/project-model.js';
import type { ScheduleSpec, SensorSpec } from '../project/trigger-specs.js';
import type { StateStore, TriggerStateRecord } from '../storage/state-store.js';
import type { Clock } from './clock.js';
import { evaluateFileSensor, listSensorFiles, type SensedFile } from './file-sensor.js';
import { evaluateFreshnessSensor } from './freshness-sensor.js';
import { evaluatePublicationSensor } from './publication-sensor.js';
import type { RunRequest } from './run-request.js';
import { dueScheduleTicks, scheduleRunRequest } from './schedule-ticks.js';
import type { SensorDecision } from './sensor-decision.js';
import { addSensorDecision } from './sensor-decision-events.js';
import { evaluateTypeScriptSensor } from './typescript-sensor.js';

/** What one pass decided. */
export interface TriggerEvaluation {
  /** Runs to queue, schedules first (each oldest tick first), then sensors. */
  requests: RunRequest[];
  /** To append once the requests are queued. */
  events: TriggerEvent[];
}

/** What the evaluator works on. */
export interface TriggerEvaluatorOptions {
  project: Project;
  graph: AssetGraph;
  store: StateStore;
  clock: Clock;
  /** How file sensors list files; the real file system by default. */
  listFiles?: (sensor: Extract<SensorSpec, { type: 'file' }>) => SensedFile[];
  /** Where custom sensors' `ctx.log` lines go; dropped when absent. */
  log?: (line: string) => void;
  /** Stops custom sensors' evaluations in progress (the server is stopping). */
  signal?: AbortSignal;
}

/**
 * Whether a trigger is paused: what `weir schedules pause|resume` recorded last, else weir.yaml.
 *
 * @example
 * ```ts
 * isPaused(schedule, states.get('schedule\0nightly'));
 * ```
 */
export function isPaused(trigger: ScheduleSpec | SensorSpec, state: TriggerStateRecord | undefined): boolean {
  return state?.paused ?? trigger.paused;
}

/**
 * The instant after which a schedule's ticks are due: its last tick or the start of its count
 * (first evaluation, last resume), whichever is later. Undefined before the first evaluation.
 */
export function scheduleSince(state: TriggerStateRecord | undefined): Date | undefined {
  const candidates = [state?.lastTick, state?.since].filter((value): value is string => typeof value === 'string').map((value) => Date.parse(value));
  return candidates.length === 0 ? undefined : new Date(Math.max(...candidates));
}

/**
 * Evaluates a project's schedules and sensors. Keep one per server: it remembers when each sensor
 * was last evaluated (in memory), so sensors are polled every `interval_seconds` while schedules
 * are looked at on every pass.
 *
 * @example
 * ```ts
 * const evaluator = new TriggerEvaluator({ project, graph: buildAssetGraph(project), store, clock: systemClock });
 * const { requests, events } = await evaluator.evaluate();
 * for (const request of requests) await queue.submit(request); // refuses a duplicate dedupeKey
 * await store.append(events);
 * ```
 */
/** How long a sensor failing the same way again is not recorded again: once per 10 minutes, not once per interval. */
export const SENSOR_FAILURE_REPEAT_MS = 10 * 60_000;

export class TriggerEvaluator {
  private readonly options: TriggerEvaluatorOptions;
  private readonly sensorEvaluatedAt = new Map<string, number>();
  /** The failure last recorded per sensor, so a sensor failing the same way every second is not a log entry every second. */
  private readonly failureRecorded = new Map<string, { message: string; at: number }>();

  constructor(options: TriggerEvaluatorOptions) {
    this.options = options;
  }

  /** One pass at the clock's current time. */
  async evaluate(): Promise<TriggerEvaluation> {
    const { project, store, clock } = this.options;
    const now = clock.now();
    const at = now.toISOString();
    const states = new Map((await store.triggerStates()).map((state) => [`${state.trigger}\0${state.name}`, state]));
    const evaluation: TriggerEvaluation = { requests: [], events: [] };

    for (const schedule of project.schedules ?? []) {
      const state = states.get(`schedule\0${schedule.name}`);
      if (isPaused(schedule, state)) continue;
      const since = scheduleSince(state);
      if (since === undefined) {
        evaluation.events.push({ type: 'schedule_started', at, schedule: schedule.name });
        continue;
      }
      for (const tick of dueScheduleTicks(schedule, since, now)) {
        const request = scheduleRunRequest(schedule, tick);
        evaluation.requests.push(request);
        evaluation.events.push({ type: 'schedule_ticked', at, schedule: schedule.name, tick: request.scheduledFor, dedupeKey: request.dedupeKey });
      }
    }

    const due: Array<Exclude<SensorSpec, { type: 'webhook' }>> = [];
    for (const sensor of project.sensors ?? []) {
      // Webhook sensors are evaluated when a call arrives (see the server), never polled.
      if (sensor.type === 'webhook') continue;
      if (isPaused(sensor, states.get(`sensor\0${sensor.name}`))) continue;
      const last = this.sensorEvaluatedAt.get(sensor.name);
      if (last !== undefined && now.getTime() - last < sensor.intervalSeconds * 1000 && now.getTime() >= last) continue;
      this.sensorEvaluatedAt.set(sensor.name, now.getTime());
      due.push(sensor);
    }
    // Together: a slow custom sensor (bounded by its timeout) does not hold back the others.
    const decisions = await Promise.all(due.map((sensor) => this.evaluateSensor(sensor, states.get(`sensor\0${sensor.name}`)?.cursor ?? undefined, now)));
    due.forEach((sensor, index) => {
      const decision = decisions[index] as SensorDecision;
      const state = states.get(`sensor\0${sensor.name}`);
      // Failing is judged against the sensor's state: a clean evaluation after a recorded failure
      // must move the state even when the cursor stays (a skip), or the sensor would look failing.
      const recovered = decision.failed === undefined && decision.cursor === undefined && this.failureRecorded.has(sensor.name);
      if (this.repeatsRecordedFailure(sensor.name, decision, now.getTime(), state === undefined ? undefined : Date.parse(state.updatedAt))) return;
      addSensorDecision(evaluation, sensor.name, decision, at);
      if (recovered) evaluation.events.push({ type: 'sensor_evaluated', at, sensor: sensor.name, cursor: state?.cursor ?? null, reason: 'evaluated without failing again' });
    });
    return evaluation;
  }

  /**
   * True for a failure already recorded with the same message less than
   * {@link SENSOR_FAILURE_REPEAT_MS} ago: it is left out of the log (the schedules page and
   * `weir schedules ls` still show the sensor failing, from the recorded one). A new message, the
   * same one after that time, any failure after a successful evaluation, and any failure after the
   * sensor's state changed (a resume: "failing" is judged against it) is recorded.
   */
  private repeatsRecordedFailure(sensor: string, decision: SensorDecision, now: number, stateChangedAt: number | undefined): boolean {
    if (decision.failed === undefined) {
      this.failureRecorded.delete(sensor);
      return false;
    }
    const last = this.failureRecorded.get(sensor);
    const stateMoved = stateChangedAt !== undefined && stateChangedAt >= (last?.at ?? 0);
    if (last !== undefined && !stateMoved && last.message === decision.failed.message && now - last.at < SENSOR_FAILURE_REPEAT_MS && now >= last.at) return true;
    this.failureRecorded.set(sensor, { message: decision.failed.message, at: now });
    return false;
  }

  private async evaluateSensor(sensor: Exclude<SensorSpec, { type: 'webhook' }>, cursor: unknown, now: Date): Promise<SensorDecision> {
    const { project, graph, store } = this.options;
    switch (sensor.type) {
      case 'file': {
        const files = (this.options.listFiles ?? listSensorFiles)(sensor);
        return evaluateFileSensor(sensor, cursor, files, project.root, now);
      }
      case 'asset_published':
        return evaluatePublicationSensor(sensor, cursor, { store, project, graph, now });
      case 'freshness': {
        const pointer = (await store.pointers(project.environment)).find((candidate) => candidate.asset === sensor.asset);
        return evaluateFreshnessSensor(sensor, cursor, pointer, now);
      }
      case 'typescript':
        return evaluateTypeScriptSensor(sensor, cursor, { project, graph, now, log: this.options.log ?? (() => undefined), ...(this.options.signal ? { signal: this.options.signal } : {}) });
    }
  }
}
