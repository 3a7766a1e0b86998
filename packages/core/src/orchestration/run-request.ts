/**
 * What a schedule or sensor asks for: a run of a selection. The run queue (not this folder)
 * turns requests into runs and refuses a second request with the same `dedupeKey`, which is what
 * makes "the same tick never starts two runs" hold across restarts and racing evaluators.
 */
import type { TriggerSelection } from '../project/trigger-specs.js';

/** One run asked for by a schedule tick or a sensor evaluation. */
export interface RunRequest {
  /** `schedule:<name>` or `sensor:<name>`. */
  trigger: string;
  /**
   * Identifies the occasion, not the attempt: `schedule:nightly:2026-03-29T00:00:00.000Z` for a
   * tick, `sensor:<name>:...` for what a sensor saw. Evaluating the same occasion again (twice in
   * a row, or after a restart) yields the same key.
   */
  dedupeKey: string;
  selection: TriggerSelection;
  /** For people: "cron 0 2 * * * (Europe/Berlin) tick 2026-03-29 02:00 CEST", "new files: a.csv". */
  reason: string;
  /** The tick's instant for schedules; the evaluation's instant for sensors (UTC ISO). */
  scheduledFor: string;
  /** Build this partition of the selected partitioned assets (custom sensors may ask for one). */
  partition?: string;
}
