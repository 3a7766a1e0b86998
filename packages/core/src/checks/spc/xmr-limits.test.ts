import { describe, expect, it } from 'vitest';
import { computeXmrLimits } from './xmr-limits.js';

describe('computeXmrLimits', () => {
  it('gives the numbers worked out by hand for a small series', () => {
    // values 10 12 11 14 13 12 15 13: sum 100, mean 12.5
    // moving ranges 2 1 3 1 1 3 2: sum 13, mean 13/7 = 1.857142...
    // limits 12.5 ± 2.66 × 13/7 = 12.5 ± 4.94; σ̂ = (13/7) / 1.128 = 1.646403...
    const limits = computeXmrLimits([10, 12, 11, 14, 13, 12, 15, 13]);
    expect(limits.centre).toBe(12.5);
    expect(limits.movingRangeMean).toBeCloseTo(13 / 7, 12);
    expect(limits.upperLimit).toBeCloseTo(17.44, 12);
    expect(limits.lowerLimit).toBeCloseTo(7.56, 12);
    expect(limits.sigma).toBeCloseTo(1.6464032421, 9);
  });

  it('takes moving ranges between consecutive values in the order given', () => {
    // Same values, different order: same centre, different moving ranges (5 3 5 -> 13/3).
    const limits = computeXmrLimits([10, 15, 12, 17]);
    expect(limits.centre).toBe(13.5);
    expect(limits.movingRangeMean).toBeCloseTo(13 / 3, 12);
  });

  it('gives zero spread for a constant baseline', () => {
    const limits = computeXmrLimits([7, 7, 7, 7]);
    expect(limits).toEqual({ centre: 7, movingRangeMean: 0, sigma: 0, upperLimit: 7, lowerLimit: 7 });
  });

  it('refuses fewer than two values', () => {
    expect(() => computeXmrLimits([1])).toThrow(/at least 2 values/);
  });
});
