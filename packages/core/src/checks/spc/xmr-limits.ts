/**
 * Individuals and moving-range (XmR) control limits, the chart of choice for one measurement per
 * build: no subgroups, no assumption of normality, limits from the average moving range.
 */
import { WeirError } from '../../errors/weir-error.js';

/** The constants of the XmR chart for moving ranges of two points. */
export const XMR_CONSTANTS = {
  /** d2 for n = 2: σ̂ = mean moving range / d2. */
  d2: 1.128,
  /** 3 / d2, rounded as the literature quotes it: limits = centre ± 2.66 × mean moving range. */
  limitFactor: 2.66,
} as const;

/** The numbers of an XmR chart. */
export interface XmrNumbers {
  centre: number;
  movingRangeMean: number;
  sigma: number;
  upperLimit: number;
  lowerLimit: number;
}

/**
 * XmR limits of a baseline, in the order the values were measured. The moving ranges are taken
 * between consecutive baseline values; a point left out of the baseline (an anomaly) is simply not
 * in `values`, so its neighbours become consecutive.
 *
 * @example
 * ```ts
 * const limits = computeXmrLimits([10, 12, 11, 14, 13, 12, 15, 13]);
 * limits.centre;          // 12.5
 * limits.movingRangeMean; // 13 / 7
 * limits.upperLimit;      // 12.5 + 2.66 * 13 / 7 = 17.44
 * ```
 */
export function computeXmrLimits(values: readonly number[]): XmrNumbers {
  if (values.length < 2) {
    throw new WeirError('INTERNAL', `XmR limits need at least 2 values, got ${values.length}`);
  }
  let sum = 0;
  let rangeSum = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    sum += value;
    if (i > 0) rangeSum += Math.abs(value - (values[i - 1] as number));
  }
  const centre = sum / values.length;
  const movingRangeMean = rangeSum / (values.length - 1);
  const spread = XMR_CONSTANTS.limitFactor * movingRangeMean;
  return {
    centre,
    movingRangeMean,
    sigma: movingRangeMean / XMR_CONSTANTS.d2,
    upperLimit: centre + spread,
    lowerLimit: centre - spread,
  };
}
