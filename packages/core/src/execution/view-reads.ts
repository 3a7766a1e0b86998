/**
 * Whether an environment view reads a given physical version, from the view's SQL as the
 * warehouse reports it. Names are matched as whole identifiers, quoted or not, so `a__1f…` does
 * not match inside `ba__1f…`.
 */

/**
 * True when `definition` names the relation `name` as a whole identifier.
 *
 * @example
 * ```ts
 * viewReads('CREATE VIEW prod.a AS SELECT * FROM "weir_versions"."a__1f2e3d4c5b6a"', 'a__1f2e3d4c5b6a'); // true
 * ```
 */
export function viewReads(definition: string | undefined, name: string): boolean {
  if (definition === undefined) return false;
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_$])"?${escaped}"?($|[^A-Za-z0-9_$])`).test(definition);
}
