/**
 * Converting values between JS and DuckDB at the API boundary. Out: BIGINT and HUGEINT arrive as
 * `bigint` and DECIMAL as an exact decimal; Weir hands numbers to people and to JSON, so each
 * becomes a number when that number is exact and a string otherwise (never a silently rounded
 * number; see `plain-numbers.ts`). FLOAT (REAL) becomes the shortest number that is the same
 * float, as PostgreSQL prints it; dates, times and intervals as in `duckdb-temporal-values.ts`.
 * JSON stays its text (it is VARCHAR underneath). In: parameters are given the DuckDB types the
 * binder cannot infer.
 */
import {
  DuckDBDecimalValue,
  DuckDBTypeId,
  JSDuckDBValueConverter,
  listValue,
  timestampValue,
  type DuckDBValue,
  type DuckDBValueConverter,
  type JS,
} from '@duckdb/node-api';
import { plainDecimal, plainInteger } from '../plain-numbers.js';
import { TEMPORAL_TYPES, temporalValue } from './duckdb-temporal-values.js';

/**
 * DuckDB's own JS conversion, except for DECIMAL, which it turns into a (rounded) double: here it
 * keeps its exact value; FLOAT, which it widens to a double that prints as `0.10000000149011612`;
 * and dates, times and intervals, which it gives as numbers and objects, or refuses (infinity).
 * Nested values recurse through this converter, so the same holds in lists and structs.
 */
export const exactValueConverter: DuckDBValueConverter<JS> = (value, type, converter) => {
  if (type.typeId === DuckDBTypeId.DECIMAL && value instanceof DuckDBDecimalValue) return plainDecimal(value.toString());
  if (type.typeId === DuckDBTypeId.FLOAT && typeof value === 'number') return shortestFloat32(value);
  if (TEMPORAL_TYPES.has(type.typeId)) {
    const converted = temporalValue(value);
    if (converted !== undefined) return converted;
  }
  return JSDuckDBValueConverter(value, type, converter);
};

// Nine significant digits tell every pair of 32-bit floats apart.
const FLOAT32_DIGITS = 9;

/**
 * A 32-bit float (given as the double holding it exactly) as the number with the fewest
 * significant digits that is still the same float: `0.1` rather than `0.10000000149011612`, the
 * way PostgreSQL prints a REAL. Writing it back to a FLOAT column stores the same float.
 *
 * @example
 * ```ts
 * shortestFloat32(Math.fround(0.1)); // 0.1
 * shortestFloat32(Math.fround(16777217)); // 16777216
 * ```
 */
export function shortestFloat32(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  for (let digits = 1; digits < FLOAT32_DIGITS; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

/** Converts one value returned by {@link exactValueConverter} to a JSON-safe JS value. */
export function toPlainValue(value: unknown): unknown {
  if (typeof value === 'bigint') return plainInteger(value);
  if (Array.isArray(value)) return value.map(toPlainValue);
  if (value instanceof Date || value instanceof Uint8Array || value === null || typeof value !== 'object') return value;
  const plain: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) plain[key] = toPlainValue(inner);
  return plain;
}

/** Converts every value of every row. */
export function toPlainRows(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return rows.map((row) => {
    const plain: Record<string, unknown> = {};
    for (const key of Object.keys(row)) plain[key] = toPlainValue(row[key]);
    return plain;
  });
}

/**
 * Parameters as DuckDB values. The binder infers scalars itself but not a JS array (a list of
 * paths for a reader, an `IN` list) or a Date, which it is given here as a LIST and a UTC TIMESTAMP.
 */
export function toDuckDBParams(params: readonly unknown[]): DuckDBValue[] {
  return params.map(toDuckDBParam);
}

function toDuckDBParam(value: unknown): DuckDBValue {
  if (value === undefined) return null;
  if (value instanceof Date) return timestampValue(BigInt(value.getTime()) * 1000n);
  if (Array.isArray(value)) return listValue(value.map(toDuckDBParam));
  return value as DuckDBValue;
}
