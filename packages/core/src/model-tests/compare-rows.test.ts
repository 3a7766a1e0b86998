import { describe, expect, test } from 'vitest';
import { compareRows, valuesEqual } from './compare-rows.js';

describe('valuesEqual', () => {
  test('numbers within rounding, or within a tolerance when one is given', () => {
    expect(valuesEqual(0.1 + 0.2, 0.3)).toBe(true);
    expect(valuesEqual(1_000_000.0000001, 1_000_000)).toBe(true);
    expect(valuesEqual(0.3001, 0.3)).toBe(false);
    expect(valuesEqual(10.004, 10, 0.01)).toBe(true);
    expect(valuesEqual(10.02, 10, 0.01)).toBe(false);
    expect(valuesEqual(Number.NaN, Number.NaN)).toBe(true);
  });

  test('wide decimals arriving as text compare with numbers; other text exactly', () => {
    expect(valuesEqual('12345678901234567890.5', 12345678901234567890.5)).toBe(true);
    expect(valuesEqual('1.0', '1')).toBe(false);
    expect(valuesEqual('a', 'a')).toBe(true);
  });

  test('null equals only null; lists and mappings element by element', () => {
    expect(valuesEqual(null, null)).toBe(true);
    expect(valuesEqual(null, 0)).toBe(false);
    expect(valuesEqual('', null)).toBe(false);
    expect(valuesEqual([1, { a: 0.1 + 0.2 }], [1, { a: 0.3 }])).toBe(true);
    expect(valuesEqual([1, 2], [1, 2, 3])).toBe(false);
  });
});

describe('compareRows', () => {
  const columns = ['id', 'v'];

  test('any order; each row used once, so duplicates must be produced as often as expected', () => {
    const diff = compareRows(
      [{ id: 1, v: 'a' }, { id: 1, v: 'a' }, { id: 2, v: 'b' }],
      [{ id: 2, v: 'b' }, { id: 1, v: 'a' }],
      { columns, order: 'ignore' },
    );
    expect(diff).toMatchObject({ matched: 2, missing: [{ position: 2, values: { id: 1, v: 'a' } }], unexpected: [] });
  });

  test('only the listed columns are compared and reported', () => {
    const diff = compareRows([{ id: 1, v: 'a' }], [{ id: 1, v: 'b', extra: true }], { columns: ['id'], order: 'ignore' });
    expect(diff).toMatchObject({ matched: 1, missing: [], unexpected: [] });
  });

  test('in order: the shortest edit, as diff prints it', () => {
    const diff = compareRows(
      [{ id: 1, v: 'a' }, { id: 2, v: 'b' }, { id: 3, v: 'c' }],
      [{ id: 1, v: 'a' }, { id: 9, v: 'x' }, { id: 2, v: 'b' }, { id: 3, v: 'c' }],
      { columns, order: 'keep' },
    );
    expect(diff).toMatchObject({ matched: 3, missing: [], unexpected: [{ position: 2, values: { id: 9, v: 'x' } }] });
  });
});
