/**
 * How source files are named to people and in the manifest: relative to the project root with `/`
 * separators (so a moved or cloned project keeps its manifest), absolute when outside the project.
 */
import { isAbsolute, relative, sep } from 'node:path';

/**
 * `path` relative to `root` with `/` separators; unchanged when it lies outside `root`.
 *
 * @example
 * ```ts
 * projectRelative('/work/shop', '/work/shop/data/orders.csv'); // 'data/orders.csv'
 * projectRelative('/work/shop', '/mnt/exports/orders.csv');    // '/mnt/exports/orders.csv'
 * ```
 */
export function projectRelative(root: string, path: string): string {
  const inside = relative(root, path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside.split(sep).join('/');
}

/** True for `s3://...`, `https://...`: paths the engine reads itself, that Weir cannot list or hash. */
export function isUrlPath(path: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(path);
}
