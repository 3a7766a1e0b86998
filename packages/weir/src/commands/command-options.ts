/** Options every project command shares, read from the root program. */
import type { Command } from 'commander';
import { openProjectRuntime, type ProjectRuntime } from '../runtime/project-runtime.js';

/** The global options as a command sees them. */
export interface GlobalOptions {
  project?: string;
  env?: string;
}

/** Global options of the program a command belongs to. */
export function globalOptions(command: Command): GlobalOptions {
  let root = command;
  while (root.parent) root = root.parent;
  return root.opts<GlobalOptions>();
}

/**
 * Opens the project a command works on, runs `work`, and always closes it.
 *
 * @example
 * ```ts
 * return withProject(command, async (runtime) => { ... return 0; });
 * ```
 */
export async function withProject<T>(command: Command, work: (runtime: ProjectRuntime) => Promise<T>): Promise<T> {
  const options = globalOptions(command);
  const runtime = await openProjectRuntime({ cwd: options.project ?? process.cwd(), ...(options.env ? { environment: options.env } : {}) });
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

/** Splits repeated and comma/space separated selector values into one list. */
export function selectorList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((value) => value.split(/[\s,]+/)).filter((value) => value !== '');
}

/** Collects a repeatable option. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
