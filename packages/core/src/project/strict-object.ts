/**
 * zod building blocks shared by every file format of a project. Objects are strict: a key the
 * format does not know is an error naming the closest valid key, because a typo in a config key
 * silently ignored is a production incident waiting to happen.
 */
import * as z from 'zod';

const UNKNOWN_KEYS_MARKER = 'weir:unknown-keys:';

/**
 * A strict zod object whose unknown-key issues carry the valid keys, so the message can suggest
 * the closest one. (zod drops the schema from finished issues; the message is the one field that
 * survives, and {@link validKeysOf} reads it back. Nobody sees the raw message.)
 */
export function strictObject<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  const keys = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `${UNKNOWN_KEYS_MARKER}${JSON.stringify(keys)}` : undefined),
  });
}

/** The valid keys recorded by {@link strictObject} on an unknown-key issue, if any. */
export function validKeysOf(issue: z.core.$ZodIssue): string[] | undefined {
  if (issue.code !== 'unrecognized_keys' || !issue.message.startsWith(UNKNOWN_KEYS_MARKER)) return undefined;
  return JSON.parse(issue.message.slice(UNKNOWN_KEYS_MARKER.length)) as string[];
}

/** Names of assets, checks and environments: safe in SQL identifiers and file names. */
export const assetNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_-]*$/, { error: 'expected a name of letters, digits, "_" and "-"' });

/** A non-empty string. */
export const nonEmptyString = z.string().min(1, { error: 'expected a non-empty string' });

/** One string or a list of strings, normalised to a list. */
export const stringOrList = z
  .union([nonEmptyString, z.array(nonEmptyString)], { error: 'expected a string or a list of strings' })
  .transform((value) => (typeof value === 'string' ? [value] : value));

/** A whole number of at least `min`. */
export function wholeNumber(min: number) {
  return z.int({ error: 'expected a whole number' }).min(min, { error: `expected a whole number >= ${min}` });
}

/** A number of seconds greater than zero. */
export const positiveSeconds = z.number({ error: 'expected a number of seconds' }).positive({ error: 'expected a number of seconds > 0' });
