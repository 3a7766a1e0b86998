/**
 * Suggested checks as a project checks file (`checks/<asset>.yaml`: `asset:` and `checks:`), in
 * the same item syntax a model header uses, each item under a comment with its reason, written
 * with the `yaml` Document API so that comments sit where a person reading the file expects them.
 */
import { Document, isMap, isScalar, isSeq, Scalar, type Node } from 'yaml';
import type { CheckSuggestions, SuggestedCheck } from './suggest-checks.js';

/**
 * One suggested check as a checks-list item: `{ not_null: 'id' }`, `{ between: { column, min, max } }`.
 *
 * @example
 * ```ts
 * suggestedCheckItem({ type: 'unique', columns: ['id'], reason: '...', exceptions: 0 }); // { unique: 'id' }
 * ```
 */
export function suggestedCheckItem(check: SuggestedCheck): Record<string, unknown> {
  const extra = { ...(check.mostly !== undefined ? { mostly: check.mostly } : {}), ...(check.severity ? { severity: check.severity } : {}) };
  const tolerant = Object.keys(extra).length > 0;
  switch (check.type) {
    case 'row_count':
      return { row_count: { min: check.min } };
    case 'not_null':
    case 'unique': {
      const columns = check.columns.length === 1 ? check.columns[0] : check.columns;
      return { [check.type]: tolerant ? { [check.columns.length === 1 ? 'column' : 'columns']: columns, ...extra } : columns };
    }
    case 'accepted_values':
      return { accepted_values: { column: check.column, values: check.values, ...extra } };
    case 'between':
      return { between: { column: check.column, min: check.min, ...(check.max !== undefined ? { max: check.max } : {}), ...extra } };
    case 'regex':
      return { regex: { column: check.column, pattern: check.pattern, ...extra } };
    case 'length':
      return { length: { column: check.column, min: check.min, max: check.max, ...extra } };
    case 'parseable':
      return { parseable: { column: check.column, as: check.as, ...(check.format ? { format: check.format } : {}), ...extra } };
    case 'null_proportion':
      return { null_proportion: { column: check.column, max: check.max, ...extra } };
    case 'freshness':
      return { freshness: { column: check.column, max_age: check.maxAge, ...extra } };
  }
}

/** Where the suggestions came from, for the file's first line. */
export interface SuggestionProvenance {
  asset: string;
  /** The version profiled, or null when unknown. */
  version: string | null;
  /** When; written as a day (YYYY-MM-DD). */
  date: Date;
}

/**
 * The text of `checks/<asset>.yaml` for `suggestions`.
 *
 * @example
 * ```ts
 * renderChecksFile(suggestions, { asset: 'orders', version: 'ab12cd34ef56', date: new Date() });
 * // # Suggested by `weir checks suggest orders` on 2026-11-21 from version ab12cd34ef56: review, edit, commit.
 * // asset: orders
 * // checks:
 * //   # 0 nulls in 1,200 rows, so not_null
 * //   - not_null: order_id
 * ```
 */
export function renderChecksFile(suggestions: CheckSuggestions, provenance: SuggestionProvenance): string {
  const doc = new Document({ asset: provenance.asset, checks: [] });
  const from = provenance.version ? ` from version ${provenance.version}` : '';
  doc.commentBefore = ` Suggested by \`weir checks suggest ${provenance.asset}\` on ${provenance.date.toISOString().slice(0, 10)}${from}: review, edit, commit.`;
  const list = doc.get('checks', true);
  if (!isSeq(list)) throw new Error('checks is a sequence');
  for (const check of suggestions.checks) {
    const node = doc.createNode(suggestedCheckItem(check)) as Node;
    if (isMap(node)) {
      for (const pair of node.items) {
        // Arguments on one line: `- between: { column: amount, min: 0, max: 500 }`.
        if (isMap(pair.value) || isSeq(pair.value)) pair.value.flow = true;
        if (isMap(pair.value)) {
          const pattern = pair.value.get('pattern', true);
          // Single quotes keep a regex's backslashes as they are.
          if (isScalar(pattern)) pattern.type = Scalar.QUOTE_SINGLE;
        }
      }
    }
    node.commentBefore = ` ${check.reason}`;
    list.items.push(node);
  }
  if (suggestions.notes.length > 0) doc.comment = ` Not suggested:\n${suggestions.notes.map((note) => ` - ${note}`).join('\n')}`;
  return doc.toString({ lineWidth: 0 });
}
