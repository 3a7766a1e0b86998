/**
 * The `checks:` list of a model header, a source table or a TypeScript asset, turned into
 * {@link CheckSpec}s. Each item is a one-key map `{ type: args }`; args have a shorthand (a column,
 * a list of columns, an expression) and an object form that also takes `severity` and `name`.
 */
import type { CheckSpec, CheckType } from '../definitions/check-spec.js';
import { didYouMean } from '../errors/closest-name.js';
import { CHECK_TYPES, CHECK_USAGE, OBJECT_FORMS, draftsFromForm, expandShorthand, type CheckDraft } from './check-forms.js';
import { fromZodIssues, type ConfigIssue, type Locator } from './config-issues.js';
import { formatPath, type ValuePath } from './yaml-source.js';

export { CHECK_TYPES } from './check-forms.js';

/** A check before it has its final name, remembering where it was written. */
type Draft = CheckDraft & { path: ValuePath };

/**
 * Parses a checks list found at `path` (used to place problems in the file).
 *
 * @example
 * ```ts
 * const { checks } = parseChecks([{ not_null: ['id', 'email'] }, { unique: 'id' }], ['checks']);
 * // not_null_id, not_null_email, unique_id
 * ```
 */
export function parseChecks(value: unknown, path: ValuePath, locator?: Locator): { checks: CheckSpec[]; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  if (value === undefined || value === null) return { checks: [], issues };
  if (!Array.isArray(value)) {
    issues.push({ code: 'CONFIG_INVALID', path, message: `"${formatPath(path)}": expected a list of checks, like "- not_null: order_id"` });
    return { checks: [], issues };
  }
  const drafts: Draft[] = [];
  value.forEach((item, index) => drafts.push(...parseItem(item, [...path, index], issues)));
  return { checks: nameChecks(drafts, issues, locator), issues };
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
  const form = isObject ? (args as Record<string, unknown>) : expandShorthand(type, args);
  if (form === undefined) {
    issues.push({ code: 'CONFIG_INVALID', path, message: `"${formatPath(path)}": expected ${CHECK_USAGE[type]}` });
    return [];
  }
  const parsed = OBJECT_FORMS[type].safeParse(form);
  if (!parsed.success) {
    // Issues of a shorthand point at the shorthand itself, which has no keys to descend into.
    const zodIssues = fromZodIssues(parsed.error.issues, form, path);
    issues.push(...(isObject ? zodIssues : zodIssues.map((issue) => ({ ...issue, path, message: `"${formatPath(path)}": expected ${CHECK_USAGE[type]}` }))));
    return [];
  }
  const { drafts, problems } = draftsFromForm(type, parsed.data as Record<string, unknown>);
  for (const problem of problems) {
    issues.push({ code: 'CONFIG_INVALID', path: problem.key === undefined || !isObject ? path : [...path, problem.key], message: `"${formatPath(path)}": ${problem.message}` });
  }
  return drafts.map((draft) => ({ ...draft, path }) as Draft);
}

/** Gives unnamed checks their default names and rejects two checks with one name. */
function nameChecks(drafts: Draft[], issues: ConfigIssue[], locator: Locator | undefined): CheckSpec[] {
  const checks: CheckSpec[] = [];
  const seen = new Map<string, ValuePath>();
  // Expressions and custom SQL have no column to name them by: they are numbered per type.
  const numbered = new Map<string, number>();
  for (const draft of drafts) {
    const number = (numbered.get(draft.type) ?? 0) + 1;
    numbered.set(draft.type, number);
    const name = draft.name ?? defaultName(draft, number);
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
    if (locator !== undefined) spec.declaredAt = locator.locate(draft.path);
    delete spec.path;
    checks.push(spec as unknown as CheckSpec);
  }
  return checks;
}

function defaultName(draft: Draft, expressionNumber: number): string {
  switch (draft.type) {
    case 'unique':
      return `unique_${draft.columns.join('_')}`;
    case 'row_count':
      return draft.equalTo !== undefined ? `row_count_equal_to_${draft.equalTo}` : draft.fewerThan !== undefined ? `row_count_fewer_than_${draft.fewerThan}` : 'row_count';
    case 'expression':
    case 'custom_sql':
      return `${draft.type}_${expressionNumber}`;
    case 'schema':
      return 'schema';
    case 'freshness':
      return draft.column === undefined ? 'freshness' : `freshness_${draft.column}`;
    case 'spc':
      return draft.column === undefined ? `spc_${draft.metric}` : `spc_${draft.metric}_${draft.column}`;
    case 'relationships':
      return `relationships_${draft.column}_to_${draft.to}`;
    default:
      return `${draft.type}_${draft.column}`;
  }
}
