/**
 * Suggestions next to the checks an asset already declares (in its model header, its source YAML
 * or a checks file). A suggested check that repeats a declared one is left out, and never given a
 * name the asset already uses: two checks of one asset with one name stop the project loading.
 * Names follow the loader's defaults (`not_null_<column>`, `unique_<a>_<b>`, `row_count`, ...).
 */
import { parse } from 'yaml';
import type { CheckSuggestions, SuggestedCheck } from './suggest-checks.js';

/** A check the asset already has, reduced to what decides whether a suggestion repeats it. */
export interface DeclaredCheck {
  name: string;
  type: string;
  columns: readonly string[];
}

/** The default name the loader gives a check of `type` on `columns` (see `project/check-parser.ts`). */
function defaultName(type: string, columns: readonly string[]): string {
  if (type === 'row_count') return 'row_count';
  if (type === 'freshness' && columns.length === 0) return 'freshness';
  return `${type}_${columns.join('_')}`;
}

function columnsOf(check: SuggestedCheck): string[] {
  if ('columns' in check) return check.columns;
  if ('column' in check) return [check.column];
  return [];
}

/**
 * `suggestions` without the checks `declared` already covers (same type on the same columns, or
 * the same name), with one note listing what was left out.
 *
 * @example
 * ```ts
 * const fresh = withoutDeclaredChecks(suggestions, asset.checks.map((check) => ({ name: check.name, type: check.type, columns: ['order_id'] })));
 * ```
 */
export function withoutDeclaredChecks(suggestions: CheckSuggestions, declared: readonly DeclaredCheck[]): CheckSuggestions {
  const names = new Set(declared.map((check) => check.name));
  const shapes = new Set(declared.map((check) => `${check.type}:${[...check.columns].sort().join(',')}`));
  const covered = (type: string, columns: readonly string[]): boolean => names.has(defaultName(type, columns)) || shapes.has(`${type}:${[...columns].sort().join(',')}`);
  const left: string[] = [];
  const checks: SuggestedCheck[] = [];
  for (const check of suggestions.checks) {
    if (check.type === 'not_null') {
      // One check per column once loaded: keep the columns not yet covered.
      const open = check.columns.filter((column) => !covered('not_null', [column]));
      const done = check.columns.filter((column) => !open.includes(column));
      if (done.length > 0) left.push(`not_null on ${done.join(', ')}`);
      if (open.length > 0) checks.push({ ...check, columns: open });
      continue;
    }
    const columns = columnsOf(check);
    if (covered(check.type, columns)) left.push(columns.length > 0 ? `${check.type} on ${columns.join(', ')}` : check.type);
    else checks.push(check);
  }
  const notes = left.length > 0 ? [`already declared for this asset, so not repeated: ${left.join('; ')}`, ...suggestions.notes] : suggestions.notes;
  return { checks, notes };
}

/**
 * The names of the checks in a checks file's text (explicit `name:` or the loader's default), so
 * that replacing the file does not count its own checks as declared elsewhere.
 *
 * @example
 * ```ts
 * checkNamesInFile('asset: orders\nchecks:\n  - not_null: [id, email]\n'); // Set { 'not_null_id', 'not_null_email' }
 * ```
 */
export function checkNamesInFile(text: string): Set<string> {
  const names = new Set<string>();
  const file = parse(text) as { checks?: unknown } | null;
  const items = Array.isArray(file?.checks) ? (file.checks as unknown[]) : [];
  for (const item of items) {
    if (item === null || typeof item !== 'object') continue;
    const [type, args] = Object.entries(item)[0] ?? [];
    if (type === undefined) continue;
    const form: Record<string, unknown> = args !== null && typeof args === 'object' && !Array.isArray(args) ? (args as Record<string, unknown>) : { column: args };
    if (typeof form.name === 'string') {
      names.add(form.name);
      continue;
    }
    const columns = ([] as unknown[]).concat(form.column ?? form.columns ?? []).map(String);
    if (type === 'not_null') for (const column of columns) names.add(defaultName(type, [column]));
    else names.add(defaultName(type, columns));
  }
  return names;
}
