/**
 * The CLI's one error handler: every failure becomes a message for people and an exit status.
 * 0 ok, 1 data or checks failed, 2 usage or config error, 3 internal error.
 */
import { isWeirError, type WeirErrorCode } from '@weir/core';

/** Exit statuses of the `weir` command. */
export const EXIT = { ok: 0, dataFailed: 1, usage: 2, internal: 3 } as const;

const DATA_CODES: ReadonlySet<WeirErrorCode> = new Set(['CHECK_FAILED', 'SOURCE_READ_FAILED', 'SOURCE_UNAVAILABLE', 'USER_CODE_FAILED', 'USER_CODE_TIMEOUT', 'STEP_TIMEOUT', 'CANCELLED']);
const INTERNAL_CODES: ReadonlySet<WeirErrorCode> = new Set(['INTERNAL']);

/** The exit status for an error. */
export function exitCodeFor(error: unknown): number {
  if (!isWeirError(error)) return EXIT.internal;
  if (DATA_CODES.has(error.code)) return EXIT.dataFailed;
  if (INTERNAL_CODES.has(error.code)) return EXIT.internal;
  return EXIT.usage;
}

/** Prints an error for a person and returns its exit status. */
export function reportError(error: unknown): number {
  if (isWeirError(error)) {
    process.stderr.write(`error [${error.code}]: ${error.describe()}\n`);
  } else {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`internal error (please report it): ${detail}\n`);
  }
  return exitCodeFor(error);
}
