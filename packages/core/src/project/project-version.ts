/**
 * A project's version: one hash of the files that define what it builds (weir.yaml, sources,
 * models, checks, sensors). `weir serve` and `weir worker` compare theirs so that a worker running other
 * code than the server refuses to take work (a step planned by one version and built by another
 * could publish a table the planner never saw). Data files and `.weir/` do not count.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { listProjectFiles } from './project-files.js';

/**
 * The first 12 hex digits of a sha256 over the project's definition files (path and content,
 * in path order). The same files give the same version on any machine. With `sensors: false`,
 * custom sensor files (`sensors/*.ts`) do not count: see {@link workerCodeVersion}.
 *
 * @example
 * ```ts
 * const version = await projectVersion(project.root); // '3f2a9c1e07b4'
 * ```
 */
export async function projectVersion(root: string, options: { sensors?: boolean } = {}): Promise<string> {
  const files = await listProjectFiles(root);
  const paths = ['weir.yaml', ...files.sources, ...files.sqlModels, ...files.typeScriptModels, ...files.checks, ...(options.sensors === false ? [] : files.sensors)].sort();
  const hash = createHash('sha256');
  for (const file of paths) {
    let content: Buffer;
    try {
      content = await readFile(path.join(root, file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    hash.update(file).update('\0').update(String(content.length)).update('\0').update(content);
  }
  return hash.digest('hex').slice(0, 12);
}

/**
 * The version a `weir worker` must share with whoever queues its jobs: the project's version
 * without its custom sensor files. Workers build steps and partitions, never evaluate sensors
 * (`weir serve` does), so a change to a sensor alone does not make running workers stale.
 *
 * @example
 * ```ts
 * await queue.setExpectedProjectVersion(await workerCodeVersion(project.root));
 * ```
 */
export async function workerCodeVersion(root: string): Promise<string> {
  return projectVersion(root, { sensors: false });
}
