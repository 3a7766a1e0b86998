/** `weir schedules pause|resume <name>`: records who paused or resumed a schedule or sensor. */
import { didYouMean } from '../errors/closest-name.js';
import { WeirError } from '../errors/weir-error.js';
import type { Project } from '../project/project-model.js';
import type { ScheduleSpec, SensorSpec } from '../project/trigger-specs.js';
import type { StateStore } from '../storage/state-store.js';
import { isPaused } from './trigger-evaluator.js';

/** What {@link setTriggerPaused} did. */
export interface PauseOutcome {
  trigger: ScheduleSpec | SensorSpec;
  /** False when it already was in the asked state (nothing recorded). */
  changed: boolean;
}

/**
 * Pauses or resumes the schedule or sensor called `name` (schedule and sensor names are unique
 * together). Asking for the state it is already in records nothing: a second resume must not
 * restart the count of a schedule's ticks.
 *
 * @throws WeirError `USAGE` naming the closest name when there is no such schedule or sensor.
 * @example
 * ```ts
 * await setTriggerPaused(project, store, 'nightly', true, { by: 'ann@laptop', now: new Date() });
 * ```
 */
export async function setTriggerPaused(
  project: Project,
  store: StateStore,
  name: string,
  paused: boolean,
  options: { by: string; now: Date },
): Promise<PauseOutcome> {
  const triggers: Array<ScheduleSpec | SensorSpec> = [...(project.schedules ?? []), ...(project.sensors ?? [])];
  const trigger = triggers.find((candidate) => candidate.name === name) ?? triggers.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
  if (trigger === undefined) {
    const hint = didYouMean(name, triggers.map((candidate) => candidate.name));
    throw new WeirError('USAGE', `no schedule or sensor "${name}" in weir.yaml`, {
      hint: hint ?? (triggers.length === 0 ? 'declare one under schedules: or sensors: in weir.yaml' : 'list them with: weir schedules ls'),
    });
  }
  const state = (await store.triggerStates(trigger.kind)).find((candidate) => candidate.name === trigger.name);
  if (isPaused(trigger, state) === paused) return { trigger, changed: false };
  const at = options.now.toISOString();
  await store.append([
    paused
      ? { type: 'trigger_paused', at, trigger: trigger.kind, name: trigger.name, by: options.by }
      : { type: 'trigger_resumed', at, trigger: trigger.kind, name: trigger.name, by: options.by },
  ]);
  return { trigger, changed: true };
}
