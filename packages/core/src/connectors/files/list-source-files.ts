/**
 * Which files a file source reads right now, with their size and modification time. Their
 * identities go into the source's fingerprint, so a new or changed file makes a new version and
 * an untouched folder is not loaded again.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { SourceFileIdentity } from '../../plan/fingerprint.js';

const GLOB_CHARS = /[*?[{]/;

/** Converts a glob (`*`, `**`, `?`, `{a,b}`, `[abc]`) to an anchored regular expression over `/` paths. */
export function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!;
    if (char === '*' && glob[index + 1] === '*') {
      // `**/` matches zero or more whole folders.
      pattern += glob[index + 2] === '/' ? '(?:.*/)?' : '.*';
      index += glob[index + 2] === '/' ? 2 : 1;
    } else if (char === '*') pattern += '[^/]*';
    else if (char === '?') pattern += '[^/]';
    else if (char === '{') {
      const end = glob.indexOf('}', index);
      if (end === -1) {
        pattern += '\\{';
        continue;
      }
      pattern += `(?:${glob.slice(index + 1, end).split(',').map(escapeRegExp).join('|')})`;
      index = end;
    } else if (char === '[') {
      const end = glob.indexOf(']', index);
      pattern += end === -1 ? '\\[' : glob.slice(index, end + 1);
      if (end !== -1) index = end;
    } else pattern += escapeRegExp(char);
  }
  return new RegExp(`^${pattern}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function walk(folder: string, found: string[]): void {
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) walk(path, found);
    else if (entry.isFile()) found.push(path);
  }
}

/**
 * The files matching absolute paths or globs, sorted, with size and modification time.
 *
 * @example
 * ```ts
 * listSourceFiles(['/data/shop/orders/*.parquet']);
 * // [{ path: '/data/shop/orders/2026-01.parquet', size: 48213, modifiedMs: 1763731200000 }]
 * ```
 */
export function listSourceFiles(patterns: string[]): SourceFileIdentity[] {
  const paths = new Set<string>();
  for (const pattern of patterns) {
    if (!GLOB_CHARS.test(pattern)) {
      paths.add(pattern);
      continue;
    }
    const parts = pattern.split('/');
    const firstGlob = parts.findIndex((part) => GLOB_CHARS.test(part));
    const root = parts.slice(0, firstGlob).join('/') || '/';
    const matcher = globToRegExp(parts.slice(firstGlob).join('/'));
    const found: string[] = [];
    walk(root, found);
    for (const path of found) if (matcher.test(relative(root, path).split(sep).join('/'))) paths.add(path);
  }
  return [...paths].sort().flatMap((path) => {
    try {
      const stats = statSync(path);
      return [{ path, size: stats.size, modifiedMs: Math.trunc(stats.mtimeMs) }];
    } catch {
      return [];
    }
  });
}
