/**
 * The `checks:` list of a model header, a source table or a TypeScript asset, turned into
 * {@link CheckSpec}s. Each item is a one-key map `{ type: args }`; args have a shorthand (a column,
 * a list of columns, an expression) and an object form that also takes `severity` and `name`.
 */
import * as z from 'zod';
import type { CheckSpec, CheckType } from '../definitions/check-spec.js';
import { didYouMean } from '../errors/closest-name.js';
import { fromZodIssues, type ConfigIssue } from './config-issues.js';
import { assetNameSchema, nonEmptyString, stringOrList, strictObject, wholeNumber } from './strict-object.js';
import { formatPath, type ValuePath } from './yaml-source.js';

const common = {
  severity: z.enum(['error', 'warn']).optional(),
  name: assetNameSchema.optional(),
};

/** `column` and `columns` both read naturally; exactly one is given. */
const columnsForm = strictObject({ column: stringOrList.optional(), columns: stringOrList.optional(), ...common });

const objectForms = {
  not_null: columnsForm,
  unique: columnsForm,
  accepted_values: strictObject({
    column: nonEmptyString,
    values: z.array(z.union([z.string(), z.number(), z.boolean()]), { error: 'expected a list of values' }).min(1, { error: 'expected at least one value' }),
    ...common,
  }),
  row_count: strictObject({ min: wholeNumber(0).optional(), max: wholeNumber(0).optional(), ...common }),
  expression: strictObject({ sql: nonEmptyString, ...common }),
} satisfies Record<CheckType, z.ZodType>;

/** Every check type, for messages and suggestions. */
export const CHECK_TYPES = Object.keys(objectForms) as CheckType[];

/** What each type's shorthand looks like, for messages. */
const SHORTHAND: Record<CheckType, string> = {
  not_null: '"- not_null: column" or "- not_null: [a, b]"',
  unique: '"- unique: column" or "- unique: [a, b]" (unique together)',
  accepted_values: '"- accepted_values: { column: status, values: [a, b] }"',
  row_count: '"- row_count: { min: 1, max: 1000 }"',
  expression: '"- expression: amount >= 0" or "- expression: { sql: ..., severity: warn }"',
};

/** A check before it has its final name, remembering where it was written. */
type Draft = CheckSpec extends infer Spec ? (Spec extends CheckSpec ? Omit<Spec, 'name'> & { name?: string; path: ValuePath } : never) : never;

/**
 * Parses a checks list found at `path` (used to place problems in the file).
 *
 * @example
 * ```ts
 * const { checks } = parseChecks([{ not_null: ['id', 'email'] }, { unique: 'id' }], ['checks']);
 * // not_null_id, not_null_email, unique_id
 * ```
 */
export function parseChecks(value: unknown, path: ValuePath): { checks: CheckSpec[]; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  if (value === undefined || value === null) return { checks: [], issues };
  if (!Array.isArray(value)) {
    issues.push({ code: 'CONFIG_INVALID', path, message: `"${formatPath(path)}": expected a list of checks, like "- not_null: order_id"` });
    return { checks: [], issues };
  }
  const drafts: Draft[] = [];
  value.forEach((item, index) => drafts.push(...parseItem(item, [...path, index], issues)));
  return { checks: nameChecks(drafts, issues), issues };
}

function parseItem(item: unknown, path: ValuePath, issues: ConfigIssue[]): Draft[] {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    issues.push({ code: 'CONFIG_INVALID', path, message: `"${formatPath(path)}": a check is a one-key mapping like "- not_null: order_id"` });
    return [];
  }
  const keys = Object.keys(item);
  const known = keys.filter((key): key is CheckType => (CHECK_TYPES as string[]).includes(key));
  if (keys.length !== 1 || known.length !== 1) {
    if (known.length === 1 && known[0] !== undefined) {
      const extra = keys.filter((key) => key !== known[0]);
      issues.push({
        code: 'CONFIG_INVALID',
        path: [...path, extra[0] ?? ''],
        atKey: true,
        message: `"${formatPath(path)}": a check is a one-key mapping; "${extra.join('", "')}" belongs inside the check's object form`,
        hint: `write "- ${known[0]}: { ..., ${extra[0]}: ... }"`,
      });
      return [];
    }
    const unknown = keys.find((key) => !(CHECK_TYPES as string[]).includes(key));
    if (keys.length === 1 && unknown !== undefined) {
      issues.push({
        code: 'CONFIG_UNKNOWN_KEY',
        path: [...path, unknown],
        atKey: true,
        message: `unknown check type "${unknown}"`,
        hint: didYouMean(unknown, CHECK_TYPES) ?? `check types: ${CHECK_TYPES.join(', ')}`,
      });
    } else {
      issues.push({ code: 'CONFIG_INVALID', path, message: `"${formatPath(path)}": a check is a one-key mapping like "- not_null: order_id", found keys ${keys.join(', ')}` });
    }
    return [];
  }
  const type = known[0] as CheckType;
  return parseArgs(type, (item as Record<string, unknown>)[type], [...path, type], issues);
}

function parseArgs(type: CheckType, args: unknown, path: ValuePath, issues: ConfigIssue[]): Draft[] {
  const isObject = args !== null && typeof args === 'object' && !Array.isArray(args);
  const shorthandAllowed = type === 'not_null' || type === 'unique' || type === 'expression';
  const form = isObject ? args : shorthandAllowed ? shorthand(type, args) : undefined;
  if (form === undefined) {
    issues.push({ code: 'CONFIG_INVALID', path, message: `"${formatPath(path)}": expected ${SHORTHAND[type]}` });
    return [];
  }
  const parsed = objectForms[type].safeParse(form);
  if (!parsed.success) {
    // Issues of a shorthand point at the shorthand itself, which has no keys to descend into.
    const zodIssues = fromZodIssues(parsed.error.issues, form, path);
    issues.push(...(isObject ? zodIssues : zodIssues.map((issue) => ({ ...issue, path, message: `"${formatPath(path)}": expected ${SHORTHAND[type]}` }))));
    return [];
  }
  const data = parsed.data as Record<string, unknown> & { severity?: 'error' | 'warn'; name?: string };
  const base = { severity: data.severity ?? 'error', path, ...(data.name === undefined ? {} : { name: data.name }) } as const;
  switch (type) {
    case 'not_null':
    case 'unique': {
      const { column, columns } = data as { column?: string[]; columns?: string[] };
      const list = column ?? columns;
      if (list === undefined || (column !== undefined && columns !== undefined)) {
        issues.push({ code: 'CONFIG_INVALID', path, message: `"${formatPath(path)}": give exactly one of "column" or "columns"` });
        return [];
      }
      if (type === 'unique') return [{ ...base, type, columns: list }];
      if (list.length > 1 && base.name !== undefined) {
        issues.push({ code: 'CONFIG_INVALID', path: [...path, 'name'], message: `"${formatPath(path)}": "name" names one check, but this expands to one check per column; list the columns as separate checks to name them` });
        return [];
      }
      return list.map((one) => ({ ...base, type, column: one }));
    }
    case 'accepted_values': {
      const { column, values } = data as { column: string; values: Array<string | number | boolean> };
      return [{ ...base, type, column, values }];
    }
    case 'row_count': {
      const { min, max } = data as { min?: number; max?: number };
      if (min === undefined && max === undefined) {
        issues.push({ code: 'CONFIG_INVALID', path, message: `"${formatPath(path)}": give "min", "max" or both` });
        return [];
      }
      if (min !== undefined && max !== undefined && min > max) {
        issues.push({ code: 'CONFIG_INVALID', path: [...path, 'min'], message: `"${formatPath(path)}": "min" (${min}) is greater than "max" (${max})` });
        return [];
      }
      return [{ ...base, type, ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) }];
    }
    case 'expression':
      return [{ ...base, type, sql: (data as { sql: string }).sql }];
  }
}

function shorthand(type: CheckType, args: unknown): Record<string, unknown> | undefined {
  if (type === 'expression') return typeof args === 'string' ? { sql: args } : undefined;
  return typeof args === 'string' || Array.isArray(args) ? { column: args } : undefined;
}

/** Gives unnamed checks their default names and rejects two checks with one name. */
function nameChecks(drafts: Draft[], issues: ConfigIssue[]): CheckSpec[] {
  const checks: CheckSpec[] = [];
  const seen = new Map<string, ValuePath>();
  let expressions = 0;
  for (const draft of drafts) {
    if (draft.type === 'expression') expressions++;
    const name = draft.name ?? defaultName(draft, expressions);
    const first = seen.get(name);
    if (first !== undefined) {
      issues.push({
        code: 'CONFIG_INVALID',
        path: draft.path,
        message: `two checks of this asset are named "${name}" (the other is ${formatPath(first)})`,
        hint: 'give one of them a distinct "name:" in its object form',
      });
      continue;
    }
    seen.set(name, draft.path);
    const spec: Record<string, unknown> = { ...draft, name };
    delete spec.path;
    checks.push(spec as unknown as CheckSpec);
  }
  return checks;
}

function defaultName(draft: Draft, expressionNumber: number): string {
  switch (draft.type) {
    case 'not_null':
      return `not_null_${draft.column}`;
    case 'unique':
      return `unique_${draft.columns.join('_')}`;
    case 'accepted_values':
      return `accepted_values_${draft.column}`;
    case 'row_count':
      return 'row_count';
    case 'expression':
      return `expression_${expressionNumber}`;
  }
}
