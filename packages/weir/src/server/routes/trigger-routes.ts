/**
 * `/api/triggers`: the project's schedules and sensors as `weir schedules ls` lists them (core's
 * `listTriggers`), with each sensor's newest failed evaluation (`sensor_failed`, read from the log)
 * and the runs each started; pausing and resuming append the events `weir schedules pause|resume` do.
 */
import { Hono } from 'hono';
import { WeirError, didYouMean, listTriggers, newestSensorFailures, setTriggerPaused, stillFailing, type Project, type RunRecord } from '@weir/core';
import type { TriggerBody, TriggerPauseBody, TriggerRunBody, TriggersBody } from '@weir/core';
import type { ProjectView } from '../project-view.js';

/** How many recent runs are searched for the triggers' runs, and how many each shows. */
const RUNS_SEARCHED = 500;
const RUNS_SHOWN = 5;
const CURSOR_CHARS = 200;

/**
 * The trigger routes.
 *
 * @example
 * ```ts
 * app.route('/api/triggers', triggerRoutes(view));
 * ```
 */
export function triggerRoutes(view: ProjectView): Hono {
  const routes = new Hono();

  routes.get('/', async (context) => {
    const project = await view.project();
    const now = new Date();
    const states = await view.store.triggerStates();
    const listing = listTriggers(project, states, now, 3);
    const stateOf = new Map(states.map((state) => [`${state.trigger}\0${state.name}`, state]));
    const failures = await newestSensorFailures(view.store);
    const runs = runsByCommand(await view.store.runs({ limit: RUNS_SEARCHED }));
    const triggers: TriggerBody[] = [
      ...listing.schedules.map((schedule): TriggerBody => ({
        name: schedule.name,
        kind: 'schedule',
        type: 'cron',
        paused: schedule.paused,
        pausedBy: schedule.pausedBy,
        cron: schedule.cron,
        timezone: schedule.timezone,
        next: schedule.next,
        lastTick: schedule.lastTick,
        intervalSeconds: null,
        file: null,
        updatedAt: stateOf.get(`schedule\0${schedule.name}`)?.updatedAt ?? null,
        cursor: null,
        lastFailure: null,
        failing: false,
        recentRuns: runs.get(`schedule:${schedule.name}`) ?? [],
      })),
      ...listing.sensors.map((sensor): TriggerBody => {
        const state = stateOf.get(`sensor\0${sensor.name}`);
        const lastFailure = failures.get(sensor.name) ?? null;
        const failing = stillFailing(lastFailure ?? undefined, state?.updatedAt);
        return {
          name: sensor.name,
          kind: 'sensor',
          type: sensor.type,
          paused: sensor.paused,
          pausedBy: sensor.pausedBy,
          cron: null,
          timezone: null,
          next: [],
          lastTick: null,
          intervalSeconds: sensor.intervalSeconds,
          file: sensor.file ?? null,
          updatedAt: sensor.updatedAt,
          cursor: cursorSummary(state?.cursor),
          lastFailure,
          failing,
          recentRuns: runs.get(`sensor:${sensor.name}`) ?? [],
        };
      }),
    ];
    const body: TriggersBody = { now: now.toISOString(), triggers };
    return context.json(body);
  });

  for (const paused of [true, false]) {
    routes.post(`/:name/${paused ? 'pause' : 'resume'}`, async (context) => {
      const project = await view.project();
      const trigger = requireTrigger(project, context.req.param('name'));
      const caller = context.get('caller');
      // Who, for the record: the token's name, or the web app of a local-mode server.
      const by = caller?.token ? `token ${caller.token}` : 'weir serve API (local mode)';
      const outcome = await setTriggerPaused(project, view.store, trigger.name, paused, { by, now: new Date() });
      const body: TriggerPauseBody = { name: trigger.name, kind: trigger.kind, paused, changed: outcome.changed };
      return context.json(body);
    });
  }

  return routes;
}

/** The schedule or sensor called `name` (exactly: a URL is not typed by hand), or 404 with a did-you-mean. */
function requireTrigger(project: Project, name: string): { name: string; kind: 'schedule' | 'sensor' } {
  const triggers = [...(project.schedules ?? []), ...(project.sensors ?? [])];
  const trigger = triggers.find((candidate) => candidate.name === name);
  if (trigger !== undefined) return trigger;
  const hint = didYouMean(name, triggers.map((candidate) => candidate.name));
  throw new WeirError('TRIGGER_UNKNOWN', `no schedule or sensor "${name}"`, {
    hint: hint ?? (triggers.length === 0 ? 'declare one under schedules: or sensors: in weir.yaml, or in sensors/<name>.ts' : 'list them at /api/triggers'),
  });
}

/** Recent runs of `schedule:<name>` and `sensor:<name>` commands, newest first, a few per command. */
function runsByCommand(runs: readonly RunRecord[]): Map<string, TriggerRunBody[]> {
  const byCommand = new Map<string, TriggerRunBody[]>();
  for (const run of runs) {
    if (!run.command.startsWith('schedule:') && !run.command.startsWith('sensor:')) continue;
    const list = byCommand.get(run.command) ?? [];
    if (list.length < RUNS_SHOWN) list.push({ runId: run.runId, status: run.status, startedAt: run.startedAt, endedAt: run.endedAt });
    byCommand.set(run.command, list);
  }
  return byCommand;
}

function cursorSummary(cursor: unknown): string | null {
  if (cursor === null || cursor === undefined) return null;
  const text = JSON.stringify(cursor);
  return text.length > CURSOR_CHARS ? `${text.slice(0, CURSOR_CHARS - 1)}…` : text;
}
