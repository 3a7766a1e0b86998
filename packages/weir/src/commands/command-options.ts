/** Options every project command shares, read from the root program. */
import type { Command } from 'commander';
import { WeirError, acquireProjectLock, didYouMean, runLockPath, type AssetSpec, type LockHolder, type Project, type ProjectLock } from '@weir/core';
import { openProjectRuntime, type ProjectRuntime } from '../runtime/project-runtime.js';
import { explainServerOwnership } from '../server/serve-file.js';

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

/** The project's run lock, once a command has taken it with {@link takeRunLock}. */
export interface HeldLock {
  lock?: ProjectLock;
}

/**
 * {@link withProject} for commands that take the project's run lock (run, retry, gc, rollback).
 * The lock is released only after the project, and so the warehouse, is closed: a `weir run
 * --wait` queued behind this command opens the warehouse the moment it gets the lock, and DuckDB
 * admits one process per file.
 *
 * @example
 * ```ts
 * return withLockedProject(command, async (runtime, held) => { await takeRunLock(runtime, held, newRunId(), { wait: false }); ... });
 * ```
 */
export async function withLockedProject<T>(command: Command, work: (runtime: ProjectRuntime, held: HeldLock) => Promise<T>): Promise<T> {
  const held: HeldLock = {};
  try {
    return await withProject(command, (runtime) => work(runtime, held));
  } finally {
    held.lock?.release();
  }
}

/**
 * Takes the project's run lock into `held` (see {@link withLockedProject}). Take it before opening
 * the warehouse, so that a busy project is reported by the lock, which names the run holding it.
 */
export async function takeRunLock(
  runtime: ProjectRuntime,
  held: HeldLock,
  runId: string,
  options: { wait: boolean; signal?: AbortSignal; onWait?: (holder: LockHolder) => void },
): Promise<ProjectLock> {
  try {
    held.lock = await acquireProjectLock(runLockPath(runtime.project), runId, options);
  } catch (error) {
    throw await explainServerOwnership(runtime.project.root, error);
  }
  return held.lock;
}

/** Splits repeated and comma/space separated selector values into one list. */
export function selectorList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((value) => value.split(/[\s,]+/)).filter((value) => value !== '');
}

/** Collects a repeatable option. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * The asset called `name`, or a usage error with a "did you mean" suggestion.
 *
 * @example
 * ```ts
 * const asset = requireAsset(runtime.project, 'daily_revenue');
 * ```
 */
export function requireAsset(project: Project, name: string): AssetSpec {
  const asset = project.assets.get(name);
  if (asset) return asset;
  const hint = didYouMean(name, project.assets.keys());
  throw new WeirError('ASSET_UNKNOWN', `no asset "${name}" in this project`, hint ? { hint } : {});
}

