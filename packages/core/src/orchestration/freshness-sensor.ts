/**
 * The freshness sensor: "keep X no older than max_age". Due when the asset's newest publication
 * in the project's environment is older than `max_age` (or it was never published).
 *
 * While due, it asks at most once per `max_age` period: the dedupe key names the publication it
 * is stale against and the period since it became due, so a run in flight (or one that failed)
 * is not asked for again every second, and a stale asset is retried once per period. A new
 * publication starts over.
 */
import type { FreshnessSensorSpec } from '../project/trigger-specs.js';
import type { PointerRecord } from '../storage/state-store.js';
import type { SensorDecision } from './sensor-decision.js';

/** The sensor's cursor: the dedupe key of the last run it asked for. */
export interface FreshnessSensorCursor {
  lastKey: string;
}

/**
 * Decides from the asset's publication pointer (undefined: never published in this environment).
 *
 * @example
 * ```ts
 * const pointer = (await store.pointers(project.environment)).find((p) => p.asset === sensor.asset);
 * const decision = evaluateFreshnessSensor(sensor, stored?.cursor, pointer, clock.now());
 * ```
 */
export function evaluateFreshnessSensor(
  sensor: Pick<FreshnessSensorSpec, 'name' | 'asset' | 'maxAgeSeconds' | 'selection'>,
  cursor: unknown,
  pointer: Pick<PointerRecord, 'publishedAt' | 'version'> | undefined,
  now: Date,
): SensorDecision {
  const maxAgeMs = sensor.maxAgeSeconds * 1000;
  let occasion: string;
  let why: string;
  if (pointer === undefined) {
    // Periods aligned on the epoch: every evaluator agrees on them without any stored start.
    occasion = `never:${Math.floor(now.getTime() / maxAgeMs)}`;
    why = `"${sensor.asset}" was never published`;
  } else {
    const age = now.getTime() - Date.parse(pointer.publishedAt);
    if (age <= maxAgeMs) return {};
    occasion = `${pointer.publishedAt}:${Math.floor((age - maxAgeMs) / maxAgeMs)}`;
    why = `"${sensor.asset}" was last published ${formatAge(age)} ago (${pointer.publishedAt})`;
  }
  const dedupeKey = `sensor:${sensor.name}:${occasion}`;
  const last = cursor !== null && typeof cursor === 'object' ? (cursor as Partial<FreshnessSensorCursor>).lastKey : undefined;
  if (last === dedupeKey) return {};
  return {
    cursor: { lastKey: dedupeKey } satisfies FreshnessSensorCursor,
    request: {
      trigger: `sensor:${sensor.name}`,
      dedupeKey,
      selection: { select: [...sensor.selection.select], exclude: [...sensor.selection.exclude] },
      reason: `sensor "${sensor.name}": ${why}, max_age is ${formatAge(maxAgeMs)}`,
      scheduledFor: now.toISOString(),
    },
  };
}

/** `1h 5m`, `2d 3h`, `45s`: the largest unit and the next one (when not zero), rounded down. */
export function formatAge(ms: number): string {
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  const rest = Math.max(0, Math.floor(ms));
  const first = units.findIndex(([, size]) => rest >= size);
  if (first === -1) return '0s';
  const [unit, size] = units[first]!;
  const whole = Math.floor(rest / size);
  const next = units[first + 1];
  const part = next === undefined ? 0 : Math.floor((rest - whole * size) / next[1]);
  return part > 0 && next !== undefined ? `${whole}${unit} ${part}${next[0]}` : `${whole}${unit}`;
}
