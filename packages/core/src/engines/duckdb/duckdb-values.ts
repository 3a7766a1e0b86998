/**
 * Converting values between JS and DuckDB at the API boundary. Out: BIGINT and HUGEINT arrive as
 * `bigint` and DECIMAL as an exact decimal; Weir hands numbers to people and to JSON, so each
 * becomes a number when that number is exact and a string otherwise (never a silently rounded
 * number; see `plain-numbers.ts`). In: parameters are given the DuckDB types the binder cannot infer.
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

/**
 * DuckDB's own JS conversion, except for DECIMAL, which it turns into a (rounded) double: here it
 * keeps its exact value. Nested values recurse through this converter, so decimals in lists too.
 */
export const exactValueConverter: DuckDBValueConverter<JS> = (value, type, converter) => {
  if (type.typeId === DuckDBTypeId.DECIMAL && value instanceof DuckDBDecimalValue) return plainDecimal(value.toString());
  return JSDuckDBValueConverter(value, type, converter);
};

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
