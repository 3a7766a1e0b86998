/**
 * Pointing a model's SQL at exact upstream versions. The loader records where each reference to
 * another asset sits in the model's text; this replaces exactly those spans with the quoted
 * physical relation. Nothing else in the user's SQL changes, so it keeps its dialect and its line
 * numbers (engine errors still point at the right line of the model file).
 */
import type { TableReference } from '../project/project-model.js';

/**
 * Replaces every reference in `sql` with `relationOf(asset)`, keeping the written name as the
 * alias when the query gave none.
 *
 * @example
 * ```ts
 * rewriteReferences('select orders.id from orders', [{ asset: 'orders', offset: 22, length: 6, aliased: false }], () => '"v"."orders__ab"');
 * // 'select orders.id from "v"."orders__ab" AS orders'
 * ```
 */
export function rewriteReferences(sql: string, references: TableReference[], relationOf: (asset: string) => string): string {
  let rewritten = sql;
  const fromLast = [...references].sort((left, right) => right.offset - left.offset);
  for (const reference of fromLast) {
    const written = rewritten.slice(reference.offset, reference.offset + reference.length);
    const replacement = reference.aliased ? relationOf(reference.asset) : `${relationOf(reference.asset)} AS ${written}`;
    rewritten = rewritten.slice(0, reference.offset) + replacement + rewritten.slice(reference.offset + reference.length);
  }
  return rewritten;
}
