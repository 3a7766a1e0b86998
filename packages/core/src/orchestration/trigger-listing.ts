/**
 * What `weir schedules ls` shows: each schedule with its next fire times (in its zone and in
 * UTC), its pause state and where that comes from, and its last tick; each sensor with its pause
 * state and when its cursor last moved.
 */
import type { Project } from '../project/project-model.js';
import type { SensorSpec } from '../project/trigger-specs.js';
import type { TriggerStateRecord } from '../storage/state-store.js';
import { formatInZone, nextFireTimes } from './schedule-ticks.js';
import { isPaused } from './trigger-evaluator.js';

/** One fire time, as an instant and as the schedule's wall clock. */
export interface FireTime {
  utc: string;
  /** `2026-03-29 03:00 +02:00`. */
  local: string;
}

/** One schedule as listed. */
export interface ScheduleListing {
  name: string;
  cron: string;
  timezone: string;
  missed: 'skip' | 'catch_up';
  paused: boolean;
  /** Where the pause state comes from: weir.yaml, or `weir schedules pause|resume`. */
  pausedBy: 'weir.yaml' | 'command';
  /** The next fire times after now; none while paused is still shown, as a preview. */
  next: FireTime[];
  lastTick: FireTime | null;
  selection: { select: string[]; exclude: string[] };
}

/** One sensor as listed. */
export interface SensorListing {
  name: string;
  type: SensorSpec['type'];
  intervalSeconds: number;
  paused: boolean;
  pausedBy: 'weir.yaml' | 'command';
  /** A custom sensor's file (`sensors/export_ready.ts`). */
  file?: string;
  /** When its cursor (or pause) last changed. */
  updatedAt: string | null;
}

/**
 * Lists the project's schedules and sensors with their stored state.
 *
 * @example
 * ```ts
 * const { schedules } = listTriggers(project, await store.triggerStates(), new Date(), 3);
 * schedules[0]?.next.map((time) => time.local); // ['2026-03-29 03:00 +02:00', ...]
 * ```
 */
export function listTriggers(project: Project, states: readonly TriggerStateRecord[], now: Date, count = 3): { schedules: ScheduleListing[]; sensors: SensorListing[] } {
  const byKey = new Map(states.map((state) => [`${state.trigger}\0${state.name}`, state]));
  const schedules = (project.schedules ?? []).map((schedule): ScheduleListing => {
    const state = byKey.get(`schedule\0${schedule.name}`);
    const fire = (instant: Date): FireTime => ({ utc: instant.toISOString(), local: formatInZone(instant, schedule.timezone) });
    return {
      name: schedule.name,
      cron: schedule.cron,
      timezone: schedule.timezone,
      missed: schedule.missed,
      paused: isPaused(schedule, state),
      pausedBy: state?.paused === null || state?.paused === undefined ? 'weir.yaml' : 'command',
      next: nextFireTimes(schedule, now, count).map(fire),
      lastTick: state?.lastTick ? fire(new Date(state.lastTick)) : null,
      selection: { select: [...schedule.selection.select], exclude: [...schedule.selection.exclude] },
    };
  });
  const sensors = (project.sensors ?? []).map((sensor): SensorListing => {
    const state = byKey.get(`sensor\0${sensor.name}`);
    return {
      name: sensor.name,
      type: sensor.type,
      intervalSeconds: sensor.intervalSeconds,
      paused: isPaused(sensor, state),
      pausedBy: state?.paused === null || state?.paused === undefined ? 'weir.yaml' : 'command',
      ...(sensor.type === 'typescript' ? { file: sensor.file } : {}),
      updatedAt: state?.updatedAt ?? null,
    };
  });
  return { schedules, sensors };
}
