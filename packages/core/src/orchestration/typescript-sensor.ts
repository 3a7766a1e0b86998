/**
 * Custom sensors (`defineSensor` in `sensors/*.ts`): from what `evaluate` returned to a
 * {@link SensorDecision}. The stored cursor wraps the sensor's own cursor with the time it last
 * asked for a run (`ctx.lastRunAt`), so both survive a restart.
 *
 * Dedupe keys: a request's own `dedupeKey` names the occasion (`sensor:<name>:<dedupeKey>`, run
 * at most once ever). Without one, the occasion is the cursor the evaluation started from and the
 * request's place in the list, when the evaluation moves the cursor: evaluating again from the
 * same cursor (a crash before it was stored) asks for the same keys, which the queue refuses. A
 * request that does not move the cursor is a new occasion at every evaluation.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { WeirError, messageOf } from '../errors/weir-error.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import { selectAssets } from '../graph/select-assets.js';
import type { Project } from '../project/project-model.js';
import type { TriggerSelection, TypeScriptSensorSpec } from '../project/trigger-specs.js';
import type { RunRequest } from './run-request.js';
import type { SensorDecision } from './sensor-decision.js';
import { runSensorEvaluation, type SensorRunInput, type SensorRunOutcome } from './typescript-sensor-runner.js';

/** What a custom sensor's row in the state store holds. */
export interface TypeScriptSensorCursor {
  /** The sensor's own cursor (what `ctx.cursor` is). */
  cursor: unknown;
  /** When it last asked for a run (ISO). */
  lastRunAt?: string;
}

const list = z.union([z.string().min(1), z.array(z.string().min(1))], { error: 'expected a selector or a list of selectors' });

const requestSchema = z.strictObject({
  select: list.optional(),
  exclude: list.optional(),
  partition: z.string().min(1, { error: 'expected a partition key' }).optional(),
  dedupeKey: z.string().min(1).max(200, { error: 'expected at most 200 characters' }).optional(),
  reason: z.string().optional(),
});

const resultSchema = z.strictObject({
  runRequests: z.union([z.boolean(), z.array(requestSchema)], { error: 'expected true, false or a list of run requests' }).optional(),
  cursor: z.unknown().optional(),
  skipReason: z.string().optional(),
});

/** What the decision needs besides the sensor and its stored cursor. */
export interface TypeScriptSensorContext {
  project: Project;
  graph: AssetGraph;
  now: Date;
  log(line: string): void;
  signal?: AbortSignal;
  /** Runs the evaluation; the worker thread by default (tests may pass their own). */
  run?: (sensor: TypeScriptSensorSpec, input: SensorRunInput) => Promise<SensorRunOutcome>;
}

/**
 * Evaluates a custom sensor and decides what to queue and store. A throw, a timeout or a result
 * of the wrong shape is a decision with `failed` (the cursor stays), never an exception.
 *
 * @example
 * ```ts
 * const decision = await evaluateTypeScriptSensor(sensor, state?.cursor, { project, graph, now, log: console.log });
 * if (decision.failed) console.log(decision.failed.message);
 * ```
 */
export async function evaluateTypeScriptSensor(sensor: TypeScriptSensorSpec, stored: unknown, context: TypeScriptSensorContext): Promise<SensorDecision> {
  const previous = readCursor(stored);
  const outcome = await (context.run ?? runSensorEvaluation)(sensor, {
    projectRoot: context.project.root,
    cursor: previous.cursor,
    ...(previous.lastRunAt === undefined ? {} : { lastRunAt: previous.lastRunAt }),
    log: (line) => context.log(`sensor:${sensor.name}: ${line}`),
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  });
  if (!outcome.ok) return { failed: { message: outcome.message, ...(outcome.location === undefined ? {} : { location: outcome.location }) } };
  try {
    return decide(sensor, previous, outcome.result, context);
  } catch (error) {
    return { failed: { message: messageOf(error), location: sensor.location } };
  }
}

function decide(sensor: TypeScriptSensorSpec, previous: TypeScriptSensorCursor, returned: unknown, context: TypeScriptSensorContext): SensorDecision {
  if (returned === undefined) return {};
  const parsed = resultSchema.safeParse(returned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.length === 0 ? 'the result' : issue.path.join('.')}: ${issue.message}`);
    throw new WeirError('USER_CODE_FAILED', `sensor "${sensor.name}" returned an invalid result: ${problems.join('; ')}`);
  }
  const result = parsed.data;
  const cursor = result.cursor === undefined ? previous.cursor : result.cursor;
  const moved = JSON.stringify(cursor ?? null) !== JSON.stringify(previous.cursor ?? null);
  const asked = result.runRequests === true ? [{}] : result.runRequests === false || result.runRequests === undefined ? [] : result.runRequests;
  const at = context.now.toISOString();
  const requests = asked.map((request, index): RunRequest => {
    const selection = requestSelection(sensor, request, index);
    // Fails the evaluation now, naming the sensor, rather than the run later.
    selectAssets(context.graph, context.project, selection);
    const occasion = request.dedupeKey ?? `auto-${digest([previous.cursor ?? null, index, selection, request.partition ?? null, moved ? null : at])}`;
    return {
      trigger: `sensor:${sensor.name}`,
      dedupeKey: `sensor:${sensor.name}:${occasion}`,
      selection,
      reason: `sensor "${sensor.name}": ${request.reason ?? 'evaluate() asked for a run'}`,
      scheduledFor: at,
      ...(request.partition === undefined ? {} : { partition: request.partition }),
    };
  });
  if (!moved && requests.length === 0) return {};
  const next: TypeScriptSensorCursor = { cursor: cursor ?? null, ...(requests.length > 0 ? { lastRunAt: at } : previous.lastRunAt === undefined ? {} : { lastRunAt: previous.lastRunAt }) };
  return { cursor: next, requests, ...(requests.length === 0 && result.skipReason !== undefined ? { note: result.skipReason } : {}) };
}

function requestSelection(sensor: TypeScriptSensorSpec, request: z.output<typeof requestSchema>, index: number): TriggerSelection {
  const toList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : typeof value === 'string' ? [value] : [...value]);
  if (request.select !== undefined) return { select: toList(request.select), exclude: toList(request.exclude) };
  if (sensor.selection === undefined) {
    throw new WeirError('USER_CODE_FAILED', `sensor "${sensor.name}": run request ${index} names no "select", and the sensor has none`, {
      hint: 'set select in defineSensor({ select: ... }) or in each run request',
    });
  }
  return { select: [...sensor.selection.select], exclude: request.exclude === undefined ? [...sensor.selection.exclude] : toList(request.exclude) };
}

function readCursor(stored: unknown): TypeScriptSensorCursor {
  if (stored === null || typeof stored !== 'object' || !('cursor' in stored)) return { cursor: null };
  const { cursor, lastRunAt } = stored as Partial<TypeScriptSensorCursor>;
  return { cursor: cursor ?? null, ...(typeof lastRunAt === 'string' ? { lastRunAt } : {}) };
}

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
