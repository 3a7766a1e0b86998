/**
 * How fresh an asset is expected to be: the strictest of its `freshness` checks (`max_age` or
 * `expected_every`) and the freshness sensors of weir.yaml that watch it (`max_age`).
 */
import type { AssetSpec } from '../project/project-model.js';
import type { SensorSpec } from '../project/trigger-specs.js';

/** The age an asset's live data may reach, and what says so. */
export interface FreshnessExpectation {
  maxAgeSeconds: number;
  /** For people: `freshness check "orders_fresh"`, `sensor "keep_orders_fresh"`. */
  source: string;
}

/**
 * The strictest freshness expectation on `asset`, or undefined when nothing expects one.
 *
 * @example
 * ```ts
 * const expectation = freshnessExpectation(project.assets.get('orders')!, project.sensors);
 * // { maxAgeSeconds: 86400, source: 'freshness check "orders_daily"' }
 * ```
 */
export function freshnessExpectation(asset: Pick<AssetSpec, 'name' | 'checks'>, sensors: readonly SensorSpec[] | undefined): FreshnessExpectation | undefined {
  const candidates: FreshnessExpectation[] = [];
  for (const check of asset.checks) {
    if (check.type !== 'freshness') continue;
    // Both bound the same thing here: the age of the newest data.
    for (const seconds of [check.maxAgeSeconds, check.expectedEverySeconds]) {
      if (seconds !== undefined) candidates.push({ maxAgeSeconds: seconds, source: `freshness check "${check.name}"` });
    }
  }
  for (const sensor of sensors ?? []) {
    if (sensor.type === 'freshness' && sensor.asset === asset.name) candidates.push({ maxAgeSeconds: sensor.maxAgeSeconds, source: `sensor "${sensor.name}"` });
  }
  return candidates.reduce<FreshnessExpectation | undefined>((strictest, candidate) => (strictest === undefined || candidate.maxAgeSeconds < strictest.maxAgeSeconds ? candidate : strictest), undefined);
}
