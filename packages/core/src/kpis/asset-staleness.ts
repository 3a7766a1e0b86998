/**
 * Whether an asset's live data is stale, and why. Two reasons, the first that applies wins:
 * - its live version was built longer ago than its freshness expectation allows (a build older
 *   than `max_age` also means its newest row is older, so the freshness check would fail);
 * - an upstream asset's live version was built after it: new upstream data it has not caught up
 *   with (say, only the source was run, or the asset is pinned).
 * Build times (the version's `createdAt`), not publication times, because a rollback or a
 * promotion to another environment publishes old data.
 */
import { formatAge } from '../orchestration/freshness-sensor.js';
import type { FreshnessExpectation } from './freshness-expectation.js';

/** What staleness is judged from. */
export interface StalenessInput {
  /** When the live version was built (ISO); null when nothing is live (never built is not stale). */
  builtAt: string | null;
  expectation: FreshnessExpectation | undefined;
  /** The upstream assets with the build time of their live versions (null: none live). */
  upstream: ReadonlyArray<{ asset: string; builtAt: string | null }>;
  now: Date;
}

/**
 * Why the asset is stale, or null when it is not.
 *
 * @example
 * ```ts
 * assetStaleness({ builtAt: '2025-03-01T00:00:00Z', expectation: { maxAgeSeconds: 86400, source: 'sensor "daily"' }, upstream: [], now: new Date('2025-03-03T00:00:00Z') });
 * // 'built 2d ago, older than the 1d sensor "daily" allows'
 * ```
 */
export function assetStaleness(input: StalenessInput): string | null {
  if (input.builtAt === null) return null;
  const built = Date.parse(input.builtAt);
  const age = input.now.getTime() - built;
  if (input.expectation !== undefined && age > input.expectation.maxAgeSeconds * 1000) {
    return `built ${formatAge(age)} ago, older than the ${formatAge(input.expectation.maxAgeSeconds * 1000)} ${input.expectation.source} allows`;
  }
  const newer = input.upstream.filter((upstream) => upstream.builtAt !== null && Date.parse(upstream.builtAt) > built).map((upstream) => `"${upstream.asset}"`);
  if (newer.length > 0) return `${newer.join(', ')} ${newer.length === 1 ? 'has' : 'have'} newer data than this version (not rebuilt since)`;
  return null;
}
