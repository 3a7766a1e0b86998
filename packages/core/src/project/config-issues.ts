/**
 * Turns validation issues (from zod or from Weir's own parsers) into `WeirError`s that name the
 * file, the line and what was expected. Values are never echoed: they may come from `${VAR}`
 * secrets.
 */
import type * as z from 'zod';
import { closestName, didYouMean } from '../errors/closest-name.js';
import { WeirError, type SourceLocation, type WeirErrorCode } from '../errors/weir-error.js';
import { validKeysOf } from './strict-object.js';
import { formatPath, locatePath, type ValuePath, type YamlSource } from './yaml-source.js';

/** Finds the file location of a value by its path. */
export interface Locator {
  locate(path: ValuePath, atKey?: boolean): SourceLocation;
}

/** A locator over a parsed YAML document. */
export function yamlLocator(source: YamlSource): Locator {
  return { locate: (path, atKey) => locatePath(source, path, atKey) };
}

/** A locator that names one place for every path (a TypeScript asset's export line). */
export function fixedLocator(location: SourceLocation): Locator {
  return { locate: () => location };
}

/** A problem found while validating, before it is placed in a file. */
export interface ConfigIssue {
  code: WeirErrorCode;
  path: ValuePath;
  message: string;
  hint?: string;
  /** Point at the key rather than the value (unknown keys). */
  atKey?: boolean;
}

/** Places issues in their file. */
export function issuesToErrors(issues: readonly ConfigIssue[], locator: Locator): WeirError[] {
  return issues.map((issue) => {
    const options: { location: SourceLocation; hint?: string } = { location: locator.locate(issue.path, issue.atKey) };
    if (issue.hint !== undefined) options.hint = issue.hint;
    return new WeirError(issue.code, issue.message, options);
  });
}

/**
 * Translates zod issues into {@link ConfigIssue}s, prefixing paths with `basePath`. `data` is the
 * validated input, used only to say what kind of value was found.
 */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], data: unknown, basePath: ValuePath = []): ConfigIssue[] {
  const result: ConfigIssue[] = [];
  const suggested = suggestedKeys(issues);
  for (const issue of issues) {
    const path = [...basePath, ...issue.path];
    const label = formatPath(path);
    const subject = label === '' ? 'the file' : `"${label}"`;
    switch (issue.code) {
      case 'unrecognized_keys': {
        const valid = validKeysOf(issue) ?? [];
        for (const key of issue.keys) {
          const where = label === '' ? '' : ` in "${label}"`;
          result.push({
            code: 'CONFIG_UNKNOWN_KEY',
            path: [...path, key],
            atKey: true,
            message: `unknown key "${key}"${where}`,
            hint: didYouMean(key, valid) ?? (valid.length > 0 ? `valid keys: ${valid.join(', ')}` : undefined),
          });
        }
        break;
      }
      case 'invalid_type': {
        const found = valueAt(data, issue.path);
        // `value:` written for a required `values:` is one mistake; the unknown key's suggestion says it all.
        if (found === undefined && suggested.has(formatPath(issue.path))) break;
        // zod's own wording starts with "Invalid input"; anything else was written by our schema.
        const expected = issue.message.startsWith('Invalid input') ? `expected ${describeExpected(issue.expected)}` : issue.message;
        const message =
          found === undefined
            ? `${subject} is required (${expected})`
            : label === ''
              ? `the file must be ${describeExpected(issue.expected)}, got ${describeValue(found)}`
              : `${subject}: ${expected}, got ${describeValue(found)}`;
        result.push({ code: 'CONFIG_INVALID', path, message });
        break;
      }
      case 'invalid_value': {
        const found = valueAt(data, issue.path);
        const choices = issue.values.map((value) => String(value));
        const hint = typeof found === 'string' ? didYouMean(found, choices) : undefined;
        result.push({ code: 'CONFIG_INVALID', path, message: `${subject}: expected one of ${choices.join(', ')}`, hint });
        break;
      }
      case 'invalid_union': {
        const discriminated = 'discriminator' in issue && Array.isArray((issue as { options?: unknown }).options);
        if (discriminated) {
          const choices = ((issue as unknown as { options: unknown[] }).options).map((value) => String(value));
          const found = valueAt(data, issue.path);
          const hint = typeof found === 'string' ? didYouMean(found, choices) : undefined;
          result.push({ code: 'CONFIG_INVALID', path, message: `${subject}: expected one of ${choices.join(', ')}`, hint });
        } else {
          result.push({ code: 'CONFIG_INVALID', path, message: `${subject}: ${issue.message}` });
        }
        break;
      }
      case 'too_small':
      case 'too_big':
      case 'invalid_format':
      case 'custom':
      default: {
        const params = issue.code === 'custom' ? (issue.params as { weirCode?: WeirErrorCode; hint?: string } | undefined) : undefined;
        const entry: ConfigIssue = { code: params?.weirCode ?? 'CONFIG_INVALID', path, message: `${subject}: ${issue.message}` };
        if (params?.hint !== undefined) entry.hint = params.hint;
        result.push(entry);
      }
    }
  }
  return result;
}

/** Paths (as text) of the keys that unknown-key issues suggest instead. */
function suggestedKeys(issues: readonly z.core.$ZodIssue[]): Set<string> {
  const paths = new Set<string>();
  for (const issue of issues) {
    const valid = validKeysOf(issue);
    if (issue.code !== 'unrecognized_keys' || valid === undefined) continue;
    for (const key of issue.keys) {
      const closest = closestName(key, valid);
      if (closest !== undefined) paths.add(formatPath([...issue.path, closest]));
    }
  }
  return paths;
}

function valueAt(data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

function describeExpected(expected: string): string {
  if (expected === 'object') return 'a mapping (key: value lines)';
  if (expected === 'array') return 'a list';
  if (expected === 'int') return 'a whole number';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** What kind of value was found, never the value itself. */
export function describeValue(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number';
  return `a ${typeof value}`;
}
