/** Finding the project a command was started in, as git finds its repository. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { WeirError } from '../errors/weir-error.js';

/** The file that marks a project's root. */
export const PROJECT_FILE = 'weir.yaml';

/**
 * The nearest folder at or above `start` that holds a `weir.yaml`.
 *
 * @throws WeirError `PROJECT_NOT_FOUND` when no folder up to the file-system root has one.
 * @example
 * ```ts
 * const root = await findProjectRoot(process.cwd());
 * ```
 */
export async function findProjectRoot(start: string): Promise<string> {
  let folder = path.resolve(start);
  for (;;) {
    if (await isFile(path.join(folder, PROJECT_FILE))) return folder;
    const parent = path.dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  throw new WeirError('PROJECT_NOT_FOUND', `no ${PROJECT_FILE} in ${path.resolve(start)} or any folder above it`, {
    hint: `run weir inside a project, or create ${PROJECT_FILE} with at least "name: <project>"`,
  });
}

async function isFile(candidate: string): Promise<boolean> {
  try {
    return (await stat(candidate)).isFile();
  } catch {
    return false;
  }
}
