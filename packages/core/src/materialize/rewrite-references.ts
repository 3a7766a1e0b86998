/**
 * Pointing a model's SQL at exact upstream versions. The loader records where each reference to
 * another asset sits in the model's text; this replaces exactly those spans with the quoted
 * physical relation. Nothing else in the user's SQL changes, so it keeps its dialect and its line
 * numbers (engine errors still point at the right line of the model file).
 */
import type { TableReference } from '../project/project-model.js';

/**
 * Replaces every reference in `sql` with `relationOf(asset)`.
 *
 * @example
 * ```ts
 * rewriteReferences('select * from orders', [{ asset: 'orders', offset: 14, length: 6 }], () => '"v"."orders__ab"');
 * // 'select * from "v"."orders__ab"'
 * ```
 */
export function rewriteReferences(sql: string, references: TableReference[], relationOf: (asset: string) => string): string {
  let rewritten = sql;
  const fromLast = [...references].sort((left, right) => right.offset - left.offset);
  for (const reference of fromLast) {
    rewritten = rewritten.slice(0, reference.offset) + relationOf(reference.asset) + rewritten.slice(reference.offset + reference.length);
  }
  return rewritten;
}
