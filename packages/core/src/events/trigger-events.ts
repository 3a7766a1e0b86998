/**
 * Events of schedules and sensors (`orchestration/`): what the scheduler decided and what people
 * did. Each changes one row of the trigger state projection (see `projectTriggerEvent`).
 */

/** Which kind of trigger an event is about. */
export type TriggerKind = 'schedule' | 'sensor';

/**
 * The scheduler began counting a schedule's ticks at `at`: ticks before it are never due. Written
 * the first time a schedule is evaluated, so a new schedule does not fire for the past.
 */
export interface ScheduleStartedEvent {
  type: 'schedule_started';
  at: string;
  schedule: string;
}

/** A tick of a schedule was turned into a run request (the queue refuses a second one with the same key). */
export interface ScheduleTickedEvent {
  type: 'schedule_ticked';
  at: string;
  schedule: string;
  /** The instant the tick was for (UTC ISO). */
  tick: string;
  dedupeKey: string;
}

/** A sensor's cursor moved (and, with `dedupeKey`, it asked for a run). */
export interface SensorEvaluatedEvent {
  type: 'sensor_evaluated';
  at: string;
  sensor: string;
  /** What the sensor has seen so far; its shape belongs to the sensor type. JSON. */
  cursor: unknown;
  /** Set when the evaluation asked for a run. */
  dedupeKey?: string;
  /** Every request's key when it asked for several runs (custom sensors); `dedupeKey` is the first. */
  dedupeKeys?: string[];
  /** Why, for people: the files, the publications, the age. */
  reason?: string;
}

/**
 * A sensor's evaluation failed: a custom sensor threw, timed out or returned something that is not
 * a result. Its cursor stays where it was and nothing was queued; the next evaluation tries again.
 * Read from the log; no projection needs it.
 */
export interface SensorFailedEvent {
  type: 'sensor_failed';
  at: string;
  sensor: string;
  /** What went wrong, for people (secrets masked as in any error). */
  message: string;
  /** Where, in the sensor's file, when known. */
  file?: string;
  line?: number;
}

/** Someone paused a schedule or sensor (`weir schedules pause <name>`): it fires no more until resumed. */
export interface TriggerPausedEvent {
  type: 'trigger_paused';
  at: string;
  trigger: TriggerKind;
  name: string;
  by: string;
}

/**
 * Someone resumed a schedule or sensor. A schedule counts ticks again from `at`: the ticks of the
 * paused time are not caught up.
 */
export interface TriggerResumedEvent {
  type: 'trigger_resumed';
  at: string;
  trigger: TriggerKind;
  name: string;
  by: string;
}

/** Every schedule and sensor event. */
export type TriggerEvent = ScheduleStartedEvent | ScheduleTickedEvent | SensorEvaluatedEvent | SensorFailedEvent | TriggerPausedEvent | TriggerResumedEvent;
