/**
 * OpenLineage run ids are UUIDs; Weir's run ids (`r-20260301-101500-ab12`) are not. A lineage
 * run id is a UUIDv7 (as the spec recommends) whose time is when the run or step started and
 * whose other bits come from a hash of Weir's ids: the same run always maps to the same UUID,
 * so emitting a run's events again (another transport, a replay) never invents a second run.
 */
import { createHash } from 'node:crypto';

/**
 * The UUIDv7 of `key` (a Weir run id, or run id and asset) started at `startedAt`.
 *
 * @example
 * ```ts
 * lineageRunId('2026-03-01T10:15:00.000Z', 'r-20260301-101500-ab12');
 * // '018ff0f5-6a60-7...' (the same every time)
 * ```
 */
export function lineageRunId(startedAt: string, key: string): string {
  const millis = Date.parse(startedAt);
  const time = Number.isFinite(millis) && millis >= 0 ? millis : 0;
  const bytes = createHash('sha256').update(`weir-openlineage:${key}`).digest().subarray(0, 16);
  // 48 bits of Unix milliseconds, big-endian.
  let remaining = time;
  for (let index = 5; index >= 0; index--) {
    bytes[index] = remaining % 256;
    remaining = Math.floor(remaining / 256);
  }
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
