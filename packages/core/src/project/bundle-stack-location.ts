/**
 * Mapping a stack trace from a bundled TypeScript asset back to the user's own file, line and
 * column, through the bundle's source map. Used when an asset's file throws while loading and
 * when its `run` throws inside the worker.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import type { SourceLocation } from '../errors/weir-error.js';

/**
 * The first frame of `stack` inside the bundle at `modulePath` that maps to a file of the project
 * at `root` (frames in Weir's own bundled code are passed over). `sourceMap` is the map's JSON
 * text; when omitted it is read from `<modulePath>.map`.
 *
 * @example
 * ```ts
 * locateUserFrame('/shop', '/shop/.weir/cache/assets/ab12.mjs', error.stack);
 * // { file: 'models/segments.ts', line: 14, column: 11 }
 * ```
 */
export function locateUserFrame(root: string, modulePath: string, stack: string | undefined, sourceMap?: string): SourceLocation | undefined {
  if (stack === undefined) return undefined;
  let map: SourceMap;
  try {
    map = new SourceMap(JSON.parse(sourceMap ?? readFileSync(`${modulePath}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
  } catch {
    return undefined;
  }
  const bundleName = path.basename(modulePath);
  for (const frame of stack.split('\n').filter((line) => line.includes(bundleName))) {
    const match = /:(\d+):(\d+)\)?\s*$/.exec(frame);
    if (match === null) continue;
    const entry = map.findEntry(Number(match[1]) - 1, Number(match[2]) - 1);
    if (!('originalSource' in entry) || entry.originalSource === undefined) continue;
    const absolute = path.resolve(path.dirname(modulePath), entry.originalSource.replace(/^file:\/\//, ''));
    const relative = path.relative(root, absolute);
    if (relative.startsWith('..') || path.isAbsolute(relative)) continue;
    return { file: relative.split(path.sep).join('/'), line: entry.originalLine + 1, column: entry.originalColumn + 1 };
  }
  return undefined;
}
