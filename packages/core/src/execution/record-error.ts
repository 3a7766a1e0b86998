/** Turning anything thrown into a {@link RecordedError} fit for the event log. */
import { isWeirError, messageOf } from '../errors/weir-error.js';
import type { RecordedError } from '../events/weir-event.js';

/** The recorded form of an error: code, message and, for Weir errors, where it points. */
export function recordError(error: unknown): RecordedError {
  if (isWeirError(error)) {
    return {
      code: error.code,
      message: error.message,
      ...(error.location?.file ? { file: error.location.file } : {}),
      ...(error.location?.line !== undefined ? { line: error.location.line } : {}),
      ...(error.location?.column !== undefined ? { column: error.location.column } : {}),
      ...(error.hint ? { hint: error.hint } : {}),
    };
  }
  return { code: 'SQL_EXECUTION', message: messageOf(error) };
}
