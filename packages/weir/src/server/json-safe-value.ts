/**
 * Warehouse values as JSON a browser reads without surprises. The engines already hand whole
 * numbers beyond 2^53 and exact decimals as strings (never a silently rounded number), and times,
 * intervals, infinite or far-off dates and timestamps as text, the same on every engine (see the
 * engine conformance suite); what is left is made deliberate here: dates as ISO strings, bytes as
 * `\x` hex, nested values alike.
 */

/**
 * One value as JSON-safe: a `bigint` becomes a number when exact, else its digits as a string;
 * a `Date` its ISO string (an out-of-range one its text); bytes `\x` hex; lists and structs recurse.
 *
 * @example
 * ```ts
 * jsonSafeValue(2n ** 60n); // '1152921504606846976'
 * jsonSafeValue(new Date(Date.UTC(2024, 0, 2))); // '2024-01-02T00:00:00.000Z'
 * ```
 */
export function jsonSafeValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return value.map(jsonSafeValue);
  if (typeof value === 'object') {
    const plain: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) plain[key] = jsonSafeValue(inner);
    return plain;
  }
  return value;
}
