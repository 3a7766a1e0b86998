/** The one way routes read a whole-number query parameter (`limit`, `days`): digits only, within bounds. */
import { WeirError } from '@weir/core';

/** Where the parameter must fall, what it is when absent, and an example for the error. */
export interface WholeNumberBounds {
  /** Used when the parameter is absent. */
  fallback: number;
  max: number;
  hint?: string;
}

/**
 * `text` as a whole number from 1 to `bounds.max`, or `bounds.fallback` when absent. Digits only:
 * `Number()` would take `1e1`, ` 7` or `0x1f`. Anything else is a 400 `USAGE` naming the parameter.
 *
 * @example
 * ```ts
 * const limit = wholeNumberParam(context.req.query('limit'), 'limit', { fallback: 50, max: 1000 });
 * ```
 */
export function wholeNumberParam(text: string | undefined, name: string, bounds: WholeNumberBounds): number {
  if (text === undefined) return bounds.fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > bounds.max) {
    throw new WeirError('USAGE', `${name} must be a whole number from 1 to ${bounds.max}, not "${text}"`, bounds.hint === undefined ? {} : { hint: bounds.hint });
  }
  return value;
}
