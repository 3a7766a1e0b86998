/**
 * Assertions on the errors users see, shared by the tests of bad project files: the error a
 * promise must fail with, and its code, `file:line` and wording.
 */
import { expect } from 'vitest';
import { isWeirError, type WeirError, type WeirErrorCode } from '../errors/weir-error.js';

/**
 * The `WeirError` that `work` fails with; the test fails if it succeeds or throws anything else.
 *
 * @example
 * ```ts
 * const error = await weirErrorOf(loadProject(root));
 * ```
 */
export async function weirErrorOf(work: Promise<unknown>): Promise<WeirError> {
  try {
    await work;
  } catch (error) {
    if (isWeirError(error)) return error;
    throw error;
  }
  throw new Error('expected a WeirError, but it succeeded');
}

/**
 * Asserts the code, that the described error starts with `where` (`file:line:` or
 * `file:line:column:`), and that it contains every fragment.
 *
 * @example
 * ```ts
 * expectError(error, 'CONFIG_INVALID', 'weir.yaml:4:11', 'invalid cron expression');
 * ```
 */
export function expectError(error: WeirError, code: WeirErrorCode, where: string, ...fragments: string[]): void {
  const text = error.describe();
  expect(error.code, text).toBe(code);
  expect(text.startsWith(where), `"${text}" should start with ${where}`).toBe(true);
  for (const fragment of fragments) expect(text).toContain(fragment);
}
