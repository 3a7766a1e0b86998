/**
 * What a schedule or sensor event changes in the trigger state projection: one row per trigger
 * (kind and name) holding its pause flag, the instant its ticks count from, its last tick and
 * its sensor cursor. Pure, like `projectEvent`, which calls it.
 */
import type { TriggerEvent, TriggerKind } from './trigger-events.js';

/** Columns of a trigger state row an event writes; an absent key leaves the column as it is. */
export interface TriggerStateFields {
  /** Null in the row until someone pauses or resumes: then weir.yaml's `paused` decides. */
  paused?: boolean;
  /** Ticks at or before this instant are never due (first evaluation, or resume). */
  since?: string;
  lastTick?: string;
  /** A sensor's cursor (JSON). */
  cursor?: unknown;
}

/** Creates the trigger's row if needed, then writes `set` and `updatedAt`. */
export interface UpsertTriggerStateWrite {
  kind: 'upsert_trigger_state';
  trigger: TriggerKind;
  name: string;
  set: TriggerStateFields;
  updatedAt: string;
}

/**
 * The write of one trigger event. `at` is the event's time, already normalised.
 *
 * @example
 * ```ts
 * projectTriggerEvent({ type: 'trigger_paused', at, trigger: 'schedule', name: 'nightly', by: 'ann' }, at);
 * // [{ kind: 'upsert_trigger_state', trigger: 'schedule', name: 'nightly', set: { paused: true }, updatedAt: at }]
 * ```
 */
export function projectTriggerEvent(event: TriggerEvent, at: string): UpsertTriggerStateWrite[] {
  const write = (trigger: TriggerKind, name: string, set: TriggerStateFields): UpsertTriggerStateWrite[] => {
    if (typeof name !== 'string' || name === '') throw new TypeError(`${event.type} needs a non-empty name`);
    return [{ kind: 'upsert_trigger_state', trigger, name, set, updatedAt: at }];
  };
  switch (event.type) {
    case 'schedule_started':
      return write('schedule', event.schedule, { since: at });
    case 'schedule_ticked':
      return write('schedule', event.schedule, { lastTick: utcInstant(event.tick, event.type) });
    case 'sensor_evaluated':
      if (event.cursor === undefined) throw new TypeError('sensor_evaluated needs a "cursor"');
      return write('sensor', event.sensor, { cursor: event.cursor });
    case 'sensor_failed':
      // The cursor stays; the failure is read from the log.
      if (typeof event.sensor !== 'string' || event.sensor === '' || typeof event.message !== 'string') throw new TypeError('sensor_failed needs a sensor name and a message');
      return [];
    case 'trigger_paused':
      return write(triggerKind(event.trigger), event.name, { paused: true });
    case 'trigger_resumed':
      // Counting starts again now: the paused time's ticks are not caught up on resume.
      return write(triggerKind(event.trigger), event.name, { paused: false, since: at });
  }
}

function triggerKind(value: unknown): TriggerKind {
  if (value !== 'schedule' && value !== 'sensor') throw new TypeError(`unknown trigger kind ${JSON.stringify(value)}`);
  return value;
}

function utcInstant(value: unknown, type: string): string {
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw new TypeError(`${type} has no valid "tick" instant`);
  return new Date(time).toISOString();
}
