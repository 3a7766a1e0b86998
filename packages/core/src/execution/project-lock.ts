/**
 * One run at a time per project. A lock file under `.weir/` names the process holding it; a second
 * `weir run` either waits for it or refuses with a message naming that process, and a lock left by
 * a process that died is taken over (the crash itself is recorded by `recover-crashed-runs.ts`).
 *
 * Taking over is the delicate part: "read stale, remove, create" lets two processes that both read
 * the stale lock both end up holding it (the second removes the first one's fresh lock). So the
 * takeover runs under a second exclusive file, `<lock>.takeover`, and re-reads the lock inside it.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
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
  /**
   * When the holder process started (Linux: clock ticks since boot, from /proc). A pid is reused
   * once the kernel's pids wrap around (32,768 by default: minutes on a busy machine), so a live
   * process with the holder's pid but another start time is not the holder.
   */
  started?: number;
}

/** A held lock; release it when the run ends. */
export interface ProjectLock {
  readonly path: string;
  release(): void;
}

// A lock file is created empty and written right after; a live process finishes that in well
// under a millisecond, so only an empty (or unparsable) file this old was left by a crash.
const UNWRITTEN_LOCK_STALE_MS = 5_000;
// The takeover section lasts a few file operations; a takeover file this old was left by a crash.
const TAKEOVER_STALE_MS = 30_000;
// How long a caller that does not wait keeps retrying while another process is mid-takeover,
// so that it can then name the new holder instead of the dead one.
const TAKEOVER_PATIENCE_MS = 1_000;
const TAKEOVER_RETRY_MS = 10;
const HELD_RETRY_MS = 250;

// Runs whose lock this process holds. A lock naming our own pid but none of these runs was left by
// an earlier process that had the same pid (weir is often pid 1 in a container): it is stale.
const heldRuns = new Set<string>();

/**
 * When process `pid` started, in clock ticks since boot (field 22 of /proc/<pid>/stat), or
 * undefined where /proc cannot tell (another OS, the process is gone).
 */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc's times (USER_HZ): 100 on every Linux Node runs on. */
const USER_HZ = 100;

/**
 * When process `pid` started, as epoch milliseconds (boot time from /proc/stat plus its start
 * ticks; accurate to about a second), or undefined where /proc cannot tell.
 *
 * @example
 * ```ts
 * const started = processStartedAt(process.pid); // e.g. 1795312000000
 * ```
 */
export function processStartedAt(pid: number): number | undefined {
  const ticks = processStartTicks(pid);
  if (ticks === undefined) return undefined;
  try {
    const bootSeconds = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(bootSeconds) ? bootSeconds * 1000 + (ticks * 1000) / USER_HZ : undefined;
  } catch {
    return undefined;
  }
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

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder> | null;
    if (typeof value?.pid !== 'number' || typeof value.host !== 'string' || typeof value.runId !== 'string') return undefined;
    return value as LockHolder;
  } catch {
    return undefined;
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    return parseHolder(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** What the lock file at `path` means for us right now. */
function lockState(path: string): 'missing' | 'live' | 'stale' {
  let text: string;
  let modifiedMs: number;
  try {
    modifiedMs = statSync(path).mtimeMs;
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return 'missing';
    throw error;
  }
  const current = parseHolder(text);
  // Possibly still being written by a live process: stale only once it has stayed unwritten.
  if (current === undefined) return Date.now() - modifiedMs > UNWRITTEN_LOCK_STALE_MS ? 'stale' : 'live';
  // Another machine's processes cannot be checked from here (a shared folder): assume alive.
  if (current.host !== hostname()) return 'live';
  if (current.pid === process.pid) return heldRuns.has(current.runId) ? 'live' : 'stale';
  if (!processAlive(current.pid)) return 'stale';
  // Alive, but maybe another process that was given the dead holder's pid.
  const started = current.started === undefined ? undefined : processStartTicks(current.pid);
  return started !== undefined && started !== current.started ? 'stale' : 'live';
}

/** Creates `path` exclusively holding `content`; false when it already exists. */
function createExclusive(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, content);
  } catch (error) {
    // Never leave an empty file behind: others would read it as a live holder for a while.
    closeSync(fd);
    rmSync(path, { force: true });
    throw error;
  }
  closeSync(fd);
  return true;
}

/** Enters the takeover section; false while another process is in it. */
function enterTakeover(guard: string, token: string): boolean {
  if (createExclusive(guard, token)) return true;
  let modifiedMs: number;
  try {
    modifiedMs = statSync(guard).mtimeMs;
  } catch (error) {
    if (isMissing(error)) return createExclusive(guard, token);
    throw error;
  }
  if (Date.now() - modifiedMs <= TAKEOVER_STALE_MS) return false;
  // Left by a process that died inside the section. Two processes clearing it in the same instant
  // could both get in; that needs a crash inside a section of a few file operations first.
  rmSync(guard, { force: true });
  return createExclusive(guard, token);
}

function leaveTakeover(guard: string, token: string): void {
  try {
    // Only our own: had we stalled past TAKEOVER_STALE_MS, the file may now be someone else's.
    if (readFileSync(guard, 'utf8') === token) rmSync(guard, { force: true });
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

type Attempt = 'acquired' | 'held' | 'busy';

function tryAcquire(path: string, holder: LockHolder): Attempt {
  const content = JSON.stringify(holder);
  if (createExclusive(path, content)) return 'acquired';
  const state = lockState(path);
  if (state === 'live') return 'held';
  if (state === 'missing') return 'busy';

  const guard = `${path}.takeover`;
  const token = `${process.pid} ${holder.runId} ${randomBytes(6).toString('hex')}`;
  if (!enterTakeover(guard, token)) return 'busy';
  try {
    // Read again inside the section: another process may have taken over since we looked.
    const now = lockState(path);
    if (now === 'live') return 'held';
    if (now === 'stale') rmSync(path, { force: true });
    // A process that found no lock at all may have created one without the section: it wins.
    return createExclusive(path, content) ? 'acquired' : 'busy';
  } finally {
    leaveTakeover(guard, token);
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
  const started = processStartTicks(process.pid);
  const holder: LockHolder = { pid: process.pid, host: hostname(), runId, since: new Date().toISOString(), ...(started === undefined ? {} : { started }) };
  const patientUntil = Date.now() + TAKEOVER_PATIENCE_MS;
  let told = false;
  for (;;) {
    const attempt = tryAcquire(path, holder);
    if (attempt === 'acquired') break;
    if (attempt === 'busy' && (options.wait || Date.now() < patientUntil)) {
      options.signal?.throwIfAborted();
      await sleep(TAKEOVER_RETRY_MS);
      continue;
    }
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
    await sleep(HELD_RETRY_MS);
  }
  heldRuns.add(runId);
  return {
    path,
    release: () => {
      heldRuns.delete(runId);
      const current = readHolder(path);
      if (current?.pid === process.pid && current.runId === runId) rmSync(path, { force: true });
    },
  };
}
