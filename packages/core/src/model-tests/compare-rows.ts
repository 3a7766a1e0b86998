/**
 * Comparing the rows a model produced with the rows a test expects, as a diff a person can read:
 * the rows expected but not produced, and the rows produced but not expected. Both sides arrive
 * typed alike (the expected rows are cast to the model's column types first), so values compare
 * by value: numbers within a tolerance, everything else exactly.
 */
import type { Row } from '../engines/engine-adapter.js';

/** A row of a diff, with its 1-based position in the expected rows or in the model's output. */
export interface DiffRow {
  position: number;
  values: Row;
}

/** The outcome of {@link compareRows}; the rows match when `missing` and `unexpected` are empty. */
export interface RowDiff {
  /** The compared columns, in the model's order. */
  columns: string[];
  /** Whether the rows had to come in the expected order. */
  order: 'ignore' | 'keep';
  expectedCount: number;
  producedCount: number;
  /** Rows matched one to one. */
  matched: number;
  /** Expected, not produced. */
  missing: DiffRow[];
  /** Produced, not expected. */
  unexpected: DiffRow[];
}

/** How {@link compareRows} compares. */
export interface CompareOptions {
  columns: string[];
  /** `keep`: the rows must come in the expected order (the diff is the shortest edit, as `diff` prints). */
  order: 'ignore' | 'keep';
  /** Largest absolute difference of two equal numbers; default: equal up to a relative 1e-9. */
  tolerance?: number;
}

// Beyond this many row pairs an ordered diff compares position by position instead of finding
// the shortest edit, which needs a table of that size.
const MAX_ORDERED_PAIRS = 4_000_000;

/**
 * Compares expected and produced rows on `options.columns`. Every row is used once: two equal
 * expected rows need two equal produced rows.
 *
 * @example
 * ```ts
 * const diff = compareRows([{ id: 1, total: 0.3 }], [{ id: 1, total: 0.1 + 0.2 }], { columns: ['id', 'total'], order: 'ignore' });
 * diff.missing.length === 0 && diff.unexpected.length === 0; // true
 * ```
 */
export function compareRows(expected: readonly Row[], produced: readonly Row[], options: CompareOptions): RowDiff {
  const same = (left: Row, right: Row): boolean => options.columns.every((column) => valuesEqual(left[column], right[column], options.tolerance));
  const pairs = options.order === 'keep' ? orderedPairs(expected, produced, same) : unorderedPairs(expected, produced, options.columns, same);
  const pick = (row: Row): Row => Object.fromEntries(options.columns.map((column) => [column, row[column] ?? null]));
  return {
    columns: options.columns,
    order: options.order,
    expectedCount: expected.length,
    producedCount: produced.length,
    matched: pairs.size,
    missing: expected.flatMap((row, index) => (pairs.has(index) ? [] : [{ position: index + 1, values: pick(row) }])),
    unexpected: unmatched(produced.length, new Set(pairs.values())).map((index) => ({ position: index + 1, values: pick(produced[index] ?? {}) })),
  };
}

/**
 * Whether two values are equal: numbers (or numeric text, as wide decimals arrive) within the
 * tolerance, lists and mappings element by element, dates by instant, anything else exactly.
 *
 * @example
 * ```ts
 * valuesEqual(0.1 + 0.2, 0.3); // true
 * valuesEqual(10, 10.004, 0.01); // true
 * ```
 */
export function valuesEqual(left: unknown, right: unknown, tolerance?: number): boolean {
  if (left === right) return true;
  if (left === null || right === null || left === undefined || right === undefined) return false;
  const a = numeric(left);
  const b = numeric(right);
  if (a !== undefined && b !== undefined && (typeof left === 'number' || typeof right === 'number')) {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
    const allowed = tolerance ?? 1e-9 * Math.max(Math.abs(a), Math.abs(b));
    return Math.abs(a - b) <= allowed;
  }
  if (left instanceof Date && right instanceof Date) return left.getTime() === right.getTime();
  if (Array.isArray(left) && Array.isArray(right)) return left.length === right.length && left.every((item, index) => valuesEqual(item, right[index], tolerance));
  if (typeof left === 'object' && typeof right === 'object' && !Array.isArray(left) && !Array.isArray(right)) {
    const keys = Object.keys(left);
    return keys.length === Object.keys(right).length && keys.every((key) => valuesEqual((left as Row)[key], (right as Row)[key], tolerance));
  }
  return false;
}

function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value.trim())) return Number(value);
  return undefined;
}

/**
 * Expected index -> produced index, any order. Rows are bucketed by their values other than
 * numbers (which compare with a tolerance and so cannot be hashed), then matched greedily within
 * a bucket, so large fixtures do not compare every row with every other.
 */
function unorderedPairs(expected: readonly Row[], produced: readonly Row[], columns: string[], same: (left: Row, right: Row) => boolean): Map<number, number> {
  const bucketOf = (row: Row): string => JSON.stringify(columns.map((column) => bucketValue(row[column])));
  const waiting = new Map<string, number[]>();
  produced.forEach((row, index) => {
    const key = bucketOf(row);
    const list = waiting.get(key);
    if (list) list.push(index);
    else waiting.set(key, [index]);
  });
  const pairs = new Map<number, number>();
  expected.forEach((row, index) => {
    const candidates = waiting.get(bucketOf(row));
    const found = candidates?.findIndex((candidate) => same(row, produced[candidate] ?? {})) ?? -1;
    if (candidates === undefined || found === -1) return;
    pairs.set(index, candidates[found] ?? 0);
    candidates.splice(found, 1);
  });
  return pairs;
}

function bucketValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'bigint' || numeric(value) !== undefined) return '#number';
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'object') return '#nested';
  return value;
}

/** Expected index -> produced index along the longest common subsequence (in order). */
function orderedPairs(expected: readonly Row[], produced: readonly Row[], same: (left: Row, right: Row) => boolean): Map<number, number> {
  const pairs = new Map<number, number>();
  const n = expected.length;
  const m = produced.length;
  if (n * m > MAX_ORDERED_PAIRS) {
    for (let index = 0; index < Math.min(n, m); index++) if (same(expected[index] ?? {}, produced[index] ?? {})) pairs.set(index, index);
    return pairs;
  }
  // lengths[i][j]: the longest common subsequence of expected[i..] and produced[j..].
  const lengths = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  const equal = (i: number, j: number): boolean => same(expected[i] ?? {}, produced[j] ?? {});
  for (let i = n - 1; i >= 0; i--) {
    const row = lengths[i]!;
    const below = lengths[i + 1]!;
    for (let j = m - 1; j >= 0; j--) row[j] = equal(i, j) ? below[j + 1]! + 1 : Math.max(below[j]!, row[j + 1]!);
  }
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (equal(i, j)) {
      pairs.set(i++, j++);
    } else if (lengths[i + 1]![j]! >= lengths[i]![j + 1]!) {
      i++;
    } else {
      j++;
    }
  }
  return pairs;
}

function unmatched(count: number, used: Set<number>): number[] {
  const result: number[] = [];
  for (let index = 0; index < count; index++) if (!used.has(index)) result.push(index);
  return result;
}
