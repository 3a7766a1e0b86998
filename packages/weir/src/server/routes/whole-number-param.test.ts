import { describe, expect, it } from 'vitest';
import { wholeNumberParam } from './whole-number-param.js';

describe('wholeNumberParam', () => {
  const bounds = { fallback: 50, max: 500 };

  it('takes digits within bounds, and the fallback when absent', () => {
    expect(wholeNumberParam('1', 'limit', bounds)).toBe(1);
    expect(wholeNumberParam('500', 'limit', bounds)).toBe(500);
    expect(wholeNumberParam(undefined, 'limit', bounds)).toBe(50);
  });

  it.each(['0', '501', '-1', '1e1', ' 7', '7 ', '0x1f', '2.5', 'ten', '', '99999999999999999999'])('refuses %j with a USAGE error naming the parameter', (text) => {
    expect(() => wholeNumberParam(text, 'limit', bounds)).toThrow(expect.objectContaining({ code: 'USAGE', message: `limit must be a whole number from 1 to 500, not "${text}"` }));
  });

  it('carries the hint it is given', () => {
    expect(() => wholeNumberParam('0', 'days', { fallback: 30, max: 365, hint: 'e.g. /api/kpis?days=30' })).toThrow(expect.objectContaining({ hint: 'e.g. /api/kpis?days=30' }));
  });
});
