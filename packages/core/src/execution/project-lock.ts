/**
 * One run at a time per project. A lock file under `.weir/` names the process holding it; a second
 * `weir run` either waits for it or refuses with a message naming that process, and a lock left by
 * a process that died is taken over (the crash itself is recorded by `recover-crashed-runs.ts`).
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WeirError } from '../errors/weir-error.js';

/** What the lock file says about its holder. */
export interface LockHolder {
  pid: number;
  host: string;
  runId: string;
  since: string;
}

/** A held lock; release it when the run ends. */
export interface ProjectLock {
  readonly path: string;
  release(): void;
}

/** True when a process with this pid exists on this machine. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

function tryAcquire(path: string, holder: LockHolder): boolean {
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, JSON.stringify(holder));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const current = readHolder(path);
    // A lock whose holder died (or that was never fully written) is stale: take it over.
    if (current === undefined || (current.host === hostname() && !processAlive(current.pid))) {
      rmSync(path, { force: true });
      return tryAcquire(path, holder);
    }
    return false;
  }
}

/**
 * Takes the project's run lock, waiting for it when `wait` is set.
 *
 * @example
 * ```ts
 * const lock = await acquireProjectLock('.weir/run.lock', 'r-20261121-120000-ab12', { wait: false });
 * try { ... } finally { lock.release(); }
 * ```
 */
export async function acquireProjectLock(
  path: string,
  runId: string,
  options: { wait: boolean; onWait?: (holder: LockHolder) => void; signal?: AbortSignal },
): Promise<ProjectLock> {
  mkdirSync(dirname(path), { recursive: true });
  const holder: LockHolder = { pid: process.pid, host: hostname(), runId, since: new Date().toISOString() };
  let told = false;
  while (!tryAcquire(path, holder)) {
    const current = readHolder(path);
    const who = current ? `pid ${current.pid} on ${current.host}, run ${current.runId}, since ${current.since}` : 'another process';
    if (!options.wait) {
      throw new WeirError('PROJECT_LOCKED', `another weir command is running on this project (${who})`, {
        hint: 'wait for it to finish, or pass --wait to queue behind it',
      });
    }
    if (!told && current) {
      options.onWait?.(current);
      told = true;
    }
    options.signal?.throwIfAborted();
    await sleep(250);
  }
  return {
    path,
    release: () => {
      if (readHolder(path)?.pid === process.pid) rmSync(path, { force: true });
    },
  };
}
