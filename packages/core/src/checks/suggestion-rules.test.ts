import { describe, expect, it } from 'vitest';
import { fewExceptions, freshnessMaxAge, mostlyFor, niceCeil, percent, shareBound, valueText } from './suggestion-rules.js';

describe('suggestion rules', () => {
  it('calls at most 1% of rows, or up to 10 rows within 5%, a few', () => {
    expect(fewExceptions(0, 100)).toBe(false);
    expect(fewExceptions(5, 5000)).toBe(true);
    expect(fewExceptions(50, 5000)).toBe(true);
    expect(fewExceptions(51, 5000)).toBe(false);
    expect(fewExceptions(6, 203)).toBe(true);
    expect(fewExceptions(10, 100)).toBe(false);
    expect(fewExceptions(5, 100)).toBe(true);
  });

  it('rounds mostly down, so a suggestion passes on its own data', () => {
    expect(mostlyFor(20, 4980)).toBe(0.99);
    expect(mostlyFor(6, 203)).toBe(0.97);
    expect(mostlyFor(1, 100)).toBe(0.99);
    expect(mostlyFor(1, 1_000_000)).toBe(0.99);
    for (const [failing, total] of [[1, 3], [7, 700], [13, 1300], [29, 2900]] as const) {
      expect((total - failing) / total).toBeGreaterThanOrEqual(mostlyFor(failing, total));
    }
  });

  it('rounds bounds up to 1, 2 or 5 times a power of ten, and shares to steps', () => {
    expect([niceCeil(309.98), niceCeil(0.4), niceCeil(6), niceCeil(2), niceCeil(0.003), niceCeil(1000)]).toEqual([500, 0.5, 10, 2, 0.005, 1000]);
    expect([shareBound(0.004), shareBound(0.0001), shareBound(0.1), shareBound(0.3), shareBound(0.6)]).toEqual([0.01, 0.001, 0.2, 0.6, undefined]);
  });

  it('gives freshness twice the age, at least 36 hours, and writes numbers for people', () => {
    expect([freshnessMaxAge(5), freshnessMaxAge(30), freshnessMaxAge(50), freshnessMaxAge(-3)]).toEqual(['36h', '60h', '5d', '36h']);
    expect([percent(0.004), percent(0.03), percent(0.452), percent(1)]).toEqual(['0.40%', '3.0%', '45.2%', '100.0%']);
    expect([valueText(1200000), valueText(1 / 7), valueText('on_hold'), valueText(new Date('2024-12-30T00:00:00Z'))]).toEqual(['1,200,000', '0.142857', '"on_hold"', '2024-12-30']);
  });
});
