/**
 * Where the conformance corpora live. They are third-party test definitions kept beside the
 * repository (`<repository>/../shared/conformance/<corpus>`), never copied into it, so a checkout
 * without them must say so loudly rather than pass by testing nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root: the nearest folder above `start` whose package.json declares workspaces.
 *
 * @example
 * ```ts
 * findRepositoryRoot(fileURLToPath(import.meta.url)); // '/work/main'
 * ```
 */
export function findRepositoryRoot(start: string): string | undefined {
  let folder = resolve(start);
  for (;;) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest)) {
      try {
        const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
        if (parsed.workspaces !== undefined) return folder;
      } catch {
        // A broken package.json further down is not the root; keep climbing.
      }
    }
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

/** A corpus folder that exists, or why it could not be found. */
export type CorpusLocation = { found: true; path: string } | { found: false; path: string; message: string };

/**
 * The folder of one corpus (`great_expectations`, `dbt_utils`, ...), looked up relative to the
 * repository root that holds this file.
 *
 * @example
 * ```ts
 * const ge = locateCorpus('great_expectations');
 * if (!ge.found) console.warn(ge.message);
 * ```
 */
export function locateCorpus(corpus: string, from: string = fileURLToPath(import.meta.url)): CorpusLocation {
  const root = findRepositoryRoot(dirname(from));
  const path = resolve(root ?? '.', '..', 'shared', 'conformance', corpus);
  if (root !== undefined && existsSync(path)) return { found: true, path };
  return {
    found: false,
    path,
    message: `conformance corpus "${corpus}" not found at ${path} (expected at <repository>/../shared/conformance/${corpus}); its harness is skipped`,
  };
}

/**
 * True when a missing corpus must fail the run instead of skipping it: on CI the material is part
 * of the contract, and a silent skip would report conformance that was never measured.
 *
 * @example
 * ```ts
 * corpusRequired({ CI: 'true' }); // true
 * ```
 */
export function corpusRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true';
}
