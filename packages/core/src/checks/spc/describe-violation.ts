/**
 * Broken rules as people read them: the metric, the value, the limit it crossed and by how much.
 */
import type { SpcLimits, SpcViolation } from './spc-types.js';
import type { RuleHit } from './western-electric-rules.js';

/** A measured point as the rules see it. */
export interface TimedValue {
  at: string;
  value: number;
}

/**
 * The violation record of `hit`, found on `window` (oldest first, newest last) against `limits`.
 *
 * @example
 * ```ts
 * describeViolation('row_count', { rule: 1, side: 'below', involved: [7] }, window, limits).message;
 * // 'row_count = 60012 is below the lower control limit 97034 (centre 100021; 40% below it)'
 * ```
 */
export function describeViolation(metric: string, hit: RuleHit, window: readonly TimedValue[], limits: SpcLimits): SpcViolation {
  const newest = window[window.length - 1] as TimedValue;
  return {
    rule: hit.rule,
    at: newest.at,
    value: newest.value,
    side: hit.side,
    points: hit.involved.map((i) => (window[i] as TimedValue).at),
    message: messageOf(metric, hit, newest.value, Math.min(window.length, patternLength(hit.rule)), limits),
  };
}

function messageOf(metric: string, hit: RuleHit, value: number, lookedAt: number, limits: SpcLimits): string {
  const { side } = hit;
  const centre = formatNumber(limits.centre);
  const sign = side === 'above' ? 1 : -1;
  const beyond = (sigmas: number): string => formatNumber(limits.centre + sign * sigmas * limits.sigma);
  switch (hit.rule) {
    case 1:
      if (limits.sigma === 0) {
        return `${metric} = ${formatNumber(value)} is ${side} the constant baseline ${centre} (all ${limits.baseline.points} baseline points were equal${relative(value, limits.centre)})`;
      }
      return `${metric} = ${formatNumber(value)} is ${side} the ${side === 'above' ? 'upper' : 'lower'} control limit ${formatNumber(side === 'above' ? limits.upperLimit : limits.lowerLimit)} (centre ${centre}${relative(value, limits.centre)})`;
    case 2:
      return `${metric}: ${hit.involved.length} of the last ${lookedAt} values are more than 2σ ${side} the centre ${centre} (${side} ${beyond(2)}), the newest ${formatNumber(value)}`;
    case 3:
      return `${metric}: ${hit.involved.length} of the last ${lookedAt} values are more than 1σ ${side} the centre ${centre} (${side} ${beyond(1)}), the newest ${formatNumber(value)}`;
    case 4:
      return `${metric}: ${hit.involved.length} values in a row are ${side} the centre ${centre}, the newest ${formatNumber(value)}`;
  }
}

function patternLength(rule: RuleHit['rule']): number {
  return rule === 1 ? 1 : rule === 2 ? 3 : rule === 3 ? 5 : 8;
}

function relative(value: number, centre: number): string {
  if (centre === 0) return '';
  const fraction = Math.abs((value - centre) / centre);
  return `; ${formatNumber(fraction * 100, 2)}% ${value > centre ? 'above' : 'below'} it`;
}

/**
 * The limits in a few words, for a message.
 *
 * @example
 * ```ts
 * describeLimits(limits); // 'centre 100021, limits 97034 to 103008, provisional from 12 points'
 * ```
 */
export function describeLimits(limits: SpcLimits): string {
  const state = limits.baseline.frozen ? 'frozen' : 'provisional';
  return `centre ${formatNumber(limits.centre)}, limits ${formatNumber(limits.lowerLimit)} to ${formatNumber(limits.upperLimit)}, ${state} from ${limits.baseline.points} points`;
}

/**
 * Six significant digits: enough to see a change, short enough to read.
 *
 * @example
 * ```ts
 * formatNumber(100021.4567); // '100021'
 * ```
 */
export function formatNumber(value: number, digits = 6): string {
  return String(Number(value.toPrecision(digits)));
}
