import { describe, expect, it } from 'vitest';
import { defaultSpcConfig, type SpcConfigInput, type SpcRule } from './spc-config.js';
import { findRuleHits, positionOf } from './western-electric-rules.js';
import { computeXmrLimits } from './xmr-limits.js';

// Centre 10, mean moving range 2: σ̂ = 1.7730, 1σ at 11.773, 2σ at 13.546, limits 4.68 and 15.32.
const limits = computeXmrLimits([9, 11, 9, 11, 9, 11, 9, 11]);
const noFloors = (input: SpcConfigInput = {}) => defaultSpcConfig({ relativeFloor: 0, ...input });
const rulesOf = (window: number[], input?: SpcConfigInput) => findRuleHits(window, limits, noFloors(input)).map((h) => h.rule);
const only = (rule: SpcRule): SpcConfigInput => ({ rules: { 1: rule === 1, 2: rule === 2, 3: rule === 3, 4: rule === 4 } });

/** One crafted window per rule: each breaks its rule and no other. */
const crafted: Record<SpcRule, number[]> = {
  1: [10, 16],
  2: [10, 14, 9, 14],
  3: [12.5, 12.5, 9, 12.5, 12.5],
  4: [10.5, 10.5, 10.5, 10.5, 10.5, 10.5, 10.5, 10.5],
};

describe('Western Electric rules', () => {
  it('rule 1 fires on a point outside the control limits, on either side', () => {
    expect(findRuleHits([16], limits, noFloors())).toEqual([{ rule: 1, side: 'above', involved: [0] }]);
    expect(findRuleHits([4], limits, noFloors())).toEqual([{ rule: 1, side: 'below', involved: [0] }]);
    expect(rulesOf([15])).toEqual([]);
  });

  it('rule 2 fires on two of three beyond 2σ on one side, naming both points', () => {
    expect(findRuleHits(crafted[2], limits, noFloors())).toEqual([{ rule: 2, side: 'above', involved: [1, 3] }]);
    // Two beyond 2σ but on opposite sides, or too far apart: no signal.
    expect(rulesOf([14, 10, 6])).toEqual([]);
    expect(rulesOf([14, 10, 10, 14])).toEqual([]);
  });

  it('rule 3 fires on four of five beyond 1σ on one side', () => {
    expect(findRuleHits(crafted[3], limits, noFloors())).toEqual([{ rule: 3, side: 'above', involved: [0, 1, 3, 4] }]);
    expect(rulesOf([12.5, 9, 12.5, 9, 12.5])).toEqual([]);
  });

  it('rule 4 fires on eight in a row on one side, not on seven', () => {
    expect(findRuleHits(crafted[4], limits, noFloors())).toEqual([{ rule: 4, side: 'above', involved: [0, 1, 2, 3, 4, 5, 6, 7] }]);
    expect(rulesOf(crafted[4].slice(1))).toEqual([]);
    expect(rulesOf([10.5, 10.5, 10.5, 9.5, 10.5, 10.5, 10.5, 10.5])).toEqual([]);
  });

  it('reports a pattern only through the point that completes it', () => {
    // Points 2 and 3 are beyond 2σ; the newest is back near the centre, so it breaks nothing.
    expect(rulesOf([10, 14, 14, 10])).toEqual([]);
  });

  it.each([1, 2, 3, 4] as const)('rule %i does not fire when switched off', (rule) => {
    expect(rulesOf(crafted[rule], only(rule))).toEqual([rule]);
    expect(rulesOf(crafted[rule], { rules: { [rule]: false } })).toEqual([]);
  });

  it.each([
    [1, 6], // the point is 6 above the centre
    [2, 4],
    [3, 2.5],
    [4, 0.5],
  ] as const)('rule %i does not fire below the floors (deviation %d)', (rule, deviation) => {
    expect(rulesOf(crafted[rule], { absoluteFloor: deviation })).toEqual([rule]); // equal to the floor still counts
    expect(rulesOf(crafted[rule], { absoluteFloor: deviation + 0.01 })).toEqual([]);
    expect(rulesOf(crafted[rule], { relativeFloor: (deviation + 0.01) / 10 })).toEqual([]);
  });

  it('applies the floors per point: a point under the floor does not count toward a pattern', () => {
    // Rule 3 with one point at 12 (2 above) and three at 12.5: a floor of 2.2 leaves only three.
    expect(rulesOf([12.5, 12, 12.5, 12.5], only(3))).toEqual([3]);
    expect(rulesOf([12.5, 12, 12.5, 12.5], { ...only(3), absoluteFloor: 2.2 })).toEqual([]);
  });

  it('ignores the side the direction setting does not watch', () => {
    expect(rulesOf([4], { direction: 'increase' })).toEqual([]);
    expect(rulesOf([16], { direction: 'increase' })).toEqual([1]);
    expect(rulesOf([16], { direction: 'decrease' })).toEqual([]);
  });

  describe('a baseline that never varied (σ̂ = 0)', () => {
    const constant = computeXmrLimits([10, 10, 10, 10, 10, 10, 10, 10]);
    const hits = (window: number[], input: SpcConfigInput) => findRuleHits(window, constant, defaultSpcConfig(input)).map((h) => h.rule);

    it('is judged by the floors, with rule 1 only', () => {
      expect(hits([10.4], { relativeFloor: 0.05 })).toEqual([]);
      expect(hits([11, 11, 11, 11, 11, 11, 11, 11], { relativeFloor: 0.05 })).toEqual([1]);
      expect(hits([9.4], { relativeFloor: 0, absoluteFloor: 0.5 })).toEqual([1]);
    });

    it('without floors still ignores floating-point noise but not a real change', () => {
      expect(hits([10 + 1e-12], { relativeFloor: 0 })).toEqual([]);
      expect(hits([10.001], { relativeFloor: 0 })).toEqual([1]);
    });
  });

  it('places points in zones', () => {
    expect(positionOf(10, limits)).toEqual({ side: 'on', zone: 'C', sigmas: 0 });
    expect(positionOf(11, limits)).toMatchObject({ side: 'above', zone: 'C' });
    expect(positionOf(12.5, limits)).toMatchObject({ side: 'above', zone: 'B' });
    expect(positionOf(6, limits)).toMatchObject({ side: 'below', zone: 'A' });
    expect(positionOf(16, limits)).toMatchObject({ side: 'above', zone: 'beyond' });
    expect(positionOf(15, limits).sigmas).toBeCloseTo(5 / (2 / 1.128), 12);
  });
});
