/**
 * How commands find a running `weir serve`: the server writes `.weir/serve.json` (its pid and
 * address) once it listens, and removes it when it stops. A file left by a server that died is
 * recognised (its pid is gone) and removed, so a crash never makes commands wait for nothing.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { WeirError, isWeirError, processAlive, processStartTicks } from '@weir/core';

/** What `.weir/serve.json` holds. */
export interface ServeRecord {
  pid: number;
  host: string;
  /** Base URL of the API, e.g. `http://127.0.0.1:4180`. */
  url: string;
  /** The project root the server serves. */
  root: string;
  startedAt: string;
  /** The server process's start time (see `processStartTicks`): a reused pid is not the server. */
  started?: number;
}

/** Where a project's serve record lives. */
export function serveFilePath(root: string): string {
  return join(root, '.weir', 'serve.json');
}

/**
 * Writes the serve record atomically (a reader never sees half a file).
 *
 * @example
 * ```ts
 * writeServeRecord(project.root, { pid: process.pid, host: hostname(), url, root: project.root, startedAt: new Date().toISOString() });
 * ```
 */
export function writeServeRecord(root: string, record: ServeRecord): void {
  const path = serveFilePath(root);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(temporary, path);
}

/** Removes the serve record if it is this process's own. */
export function removeServeRecord(root: string): void {
  const record = readServeRecord(root);
  if (record?.pid === process.pid) rmSync(serveFilePath(root), { force: true });
}

function readServeRecord(root: string): ServeRecord | undefined {
  try {
    const value = JSON.parse(readFileSync(serveFilePath(root), 'utf8')) as Partial<ServeRecord> | null;
    if (typeof value?.pid !== 'number' || typeof value.url !== 'string' || typeof value.host !== 'string') return undefined;
    return value as ServeRecord;
  } catch {
    return undefined;
  }
}

/**
 * The `weir serve` running for the project at `root`, or undefined when none runs. A record left
 * by a dead server is removed. A live server that does not answer within `timeoutMs` is an error
 * naming it: commands must neither bypass it (it owns the warehouse) nor hang.
 *
 * @example
 * ```ts
 * const server = await findServer(project.root);
 * if (server) console.log(`submitting to ${server.url}`);
 * ```
 */
export async function findServer(root: string, timeoutMs = 3_000): Promise<ServeRecord | undefined> {
  const record = readServeRecord(root);
  if (record === undefined) return undefined;
  const reused = record.started !== undefined && processStartTicks(record.pid) !== record.started;
  if (record.host === hostname() && (!processAlive(record.pid) || reused)) {
    rmSync(serveFilePath(root), { force: true });
    return undefined;
  }
  try {
    const response = await fetch(`${record.url}/api/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (response.ok) return record;
    throw new Error(`HTTP ${response.status}`);
  } catch (error) {
    throw new WeirError('SERVER_UNREACHABLE', `weir serve (pid ${record.pid} on ${record.host}) owns this project but does not answer at ${record.url}: ${(error as Error).message}`, {
      hint: `stop it (kill ${record.pid}) or wait for it; commands go through it while it runs`,
    });
  }
}

/**
 * A `PROJECT_LOCKED` error reworded when the project's holder is `weir serve`: the user should hear
 * that the server owns the project (and what to do), not about a run called `weir-serve-<pid>` or
 * a warehouse file held by some pid. Other errors are returned as they are.
 *
 * @example
 * ```ts
 * try { ... } catch (error) { throw await explainServerOwnership(project.root, error); }
 * ```
 */
export async function explainServerOwnership(root: string, error: unknown): Promise<unknown> {
  if (!isWeirError(error) || error.code !== 'PROJECT_LOCKED') return error;
  const server = await findServer(root).catch(() => undefined);
  if (server === undefined) return error;
  return new WeirError('PROJECT_LOCKED', `weir serve (pid ${server.pid}, ${server.url}) owns this project and its warehouse, so this command cannot run beside it`, {
    hint: 'weir run, check, retry and rollback go through the server; for other commands stop the server first (Ctrl-C in its terminal)',
  });
}
