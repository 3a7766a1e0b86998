/**
 * The Western Electric run rules, judged for the newest point of a window. Every point counts
 * toward a rule only if it also clears the floors, so tiny changes never alert however narrow the
 * limits are.
 */
import type { SpcConfig, SpcRule } from './spc-config.js';
import type { SpcSide, SpcZone } from './spc-types.js';
import type { XmrNumbers } from './xmr-limits.js';

/** A rule broken by the newest point of a window. */
export interface RuleHit {
  rule: SpcRule;
  side: 'above' | 'below';
  /** Indexes into the window of the points of the pattern, oldest first; the last is the newest point. */
  involved: number[];
}

/** The longest window any rule looks at (rule 4: eight in a row). */
export const LONGEST_RULE_WINDOW = 8;

/**
 * Deviations this small relative to the values are floating-point noise (a sum aggregated in a
 * different order), never a change in the data: without this, a constant baseline with no floors
 * would alert on the last digit.
 */
const NUMERIC_TOLERANCE = 1e-9;

/** How far from the centre a value is, as the chart shows it. */
export interface Position {
  side: SpcSide;
  zone: SpcZone;
  /** Signed distance in σ̂; null when σ̂ is zero. */
  sigmas: number | null;
}

/**
 * The side, zone and distance in σ̂ of `value` against `limits`.
 *
 * @example
 * ```ts
 * positionOf(15, { centre: 10, movingRangeMean: 2, sigma: 2 / 1.128, upperLimit: 15.32, lowerLimit: 4.68 });
 * // { side: 'above', zone: 'A', sigmas: 2.82 }
 * ```
 */
export function positionOf(value: number, limits: XmrNumbers): Position {
  const deviation = value - limits.centre;
  const noise = isNoise(value, limits.centre);
  const side: SpcSide = noise ? 'on' : deviation > 0 ? 'above' : 'below';
  const sigmas = limits.sigma > 0 ? deviation / limits.sigma : null;
  let zone: SpcZone;
  if (noise) zone = 'C';
  else if (value > limits.upperLimit || value < limits.lowerLimit) zone = 'beyond';
  else if (sigmas !== null && Math.abs(sigmas) > 2) zone = 'A';
  else if (sigmas !== null && Math.abs(sigmas) > 1) zone = 'B';
  else zone = 'C';
  return { side, zone, sigmas };
}

/**
 * The rules the newest value of `window` breaks. `window` holds the values judged before it, oldest
 * first (at most {@link LONGEST_RULE_WINDOW} matter), and ends with the newest value; all are
 * placed against the newest value's limits. A rule fires only when the newest value is part of
 * its pattern, so one pattern is reported once, by the point that completed it.
 *
 * When the baseline never varied (σ̂ = 0) the limits sit on the centre line: only rule 1 is judged,
 * and any value that clears the floors breaks it; rules 2 to 4 would only repeat it.
 *
 * @example
 * ```ts
 * const limits = computeXmrLimits([9, 11, 9, 11, 9, 11, 9, 11]);
 * findRuleHits([10, 14, 9, 14], limits, defaultSpcConfig()); // [{ rule: 2, side: 'above', involved: [1, 3] }]
 * ```
 */
export function findRuleHits(window: readonly number[], limits: XmrNumbers, config: SpcConfig): RuleHit[] {
  const newestIndex = window.length - 1;
  const newest = window[newestIndex];
  if (newest === undefined) return [];
  const side = positionOf(newest, limits).side;
  if (side === 'on') return [];
  const level = (value: number, sigmas: number): boolean => counts(value, side, sigmas, limits, config);
  const hits: RuleHit[] = [];
  if (config.rules[1] && level(newest, 3)) hits.push({ rule: 1, side, involved: [newestIndex] });
  if (limits.sigma === 0) return hits;
  const pattern = (rule: SpcRule, length: number, needed: number, sigmas: number): void => {
    if (!config.rules[rule] || !level(newest, sigmas)) return;
    const start = Math.max(0, window.length - length);
    const involved: number[] = [];
    for (let i = start; i < window.length; i++) if (level(window[i] as number, sigmas)) involved.push(i);
    if (involved.length >= needed) hits.push({ rule, side, involved });
  };
  pattern(2, 3, 2, 2);
  pattern(3, 5, 4, 1);
  if (window.length >= LONGEST_RULE_WINDOW) pattern(4, LONGEST_RULE_WINDOW, LONGEST_RULE_WINDOW, 0);
  return hits;
}

/**
 * True when `value` lies on `side` beyond `sigmas` σ̂ (3 means outside the control limits, 0 means
 * anywhere on that side), the direction setting lets that side alert, and it clears both floors.
 */
function counts(value: number, side: 'above' | 'below', sigmas: number, limits: XmrNumbers, config: SpcConfig): boolean {
  if (config.direction === 'increase' && side === 'below') return false;
  if (config.direction === 'decrease' && side === 'above') return false;
  const deviation = value - limits.centre;
  if ((side === 'above') !== deviation > 0 || isNoise(value, limits.centre)) return false;
  const distance = Math.abs(deviation);
  if (distance < config.absoluteFloor || distance < config.relativeFloor * Math.abs(limits.centre)) return false;
  if (sigmas === 3) return side === 'above' ? value > limits.upperLimit : value < limits.lowerLimit;
  return distance > sigmas * limits.sigma;
}

function isNoise(value: number, centre: number): boolean {
  return Math.abs(value - centre) <= NUMERIC_TOLERANCE * Math.max(Math.abs(value), Math.abs(centre));
}
