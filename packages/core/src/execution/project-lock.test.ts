/**
 * The project's run lock across real processes. The race that matters: several weir processes
 * find the lock of a process that died and all try to take it over at once; exactly one may win.
 * Children load the built module from `dist/` (as `npm test` builds first), wait until all are
 * ready, then race on a "go" from this process and hold what they got until told to stop.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WeirError } from '../errors/weir-error.js';
import { acquireProjectLock, processStartTicks, type LockHolder } from './project-lock.js';

const builtModule = new URL('../../dist/execution/project-lock.js', import.meta.url).href;

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function lockPathInNewFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'weir-lock-'));
  folders.push(folder);
  return join(folder, '.weir', 'run.lock');
}

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function writeLock(path: string, holder: LockHolder): void {
  writeFileSync(path, JSON.stringify(holder), { flag: 'w' });
}

// One racer: report ready, wait for "go", try once without waiting, report, hold until stdin ends.
const racerSource = `
const { acquireProjectLock } = await import(process.env.WEIR_LOCK_MODULE);
const input = process.stdin[Symbol.asyncIterator]();
process.stdout.write('ready\\n');
await input.next();
let outcome;
try {
  await acquireProjectLock(process.env.WEIR_LOCK_PATH, 'r-racer-' + process.pid, { wait: false });
  outcome = 'held';
} catch (error) {
  outcome = error.code === 'PROJECT_LOCKED' ? 'locked' : 'error ' + error.message;
}
process.stdout.write(outcome + '\\n');
while (!(await input.next()).done) {}
`;

interface Racer {
  child: ChildProcessWithoutNullStreams;
  lines: Promise<string>[];
}

function startRacer(lockPath: string): Racer {
  const child = spawn(process.execPath, ['--input-type=module', '-e', racerSource], {
    env: { ...process.env, WEIR_LOCK_MODULE: builtModule, WEIR_LOCK_PATH: lockPath },
  });
  const resolvers: ((line: string) => void)[] = [];
  const lines = [0, 1].map(() => new Promise<string>((resolve) => resolvers.push(resolve)));
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      resolvers.shift()?.(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
  });
  child.on('exit', () => {
    for (const resolve of resolvers.splice(0)) resolve(`exited early: ${stderr}`);
  });
  return { child, lines };
}

async function race(lockPath: string, racers: number): Promise<string[]> {
  const started = Array.from({ length: racers }, () => startRacer(lockPath));
  try {
    expect(await Promise.all(started.map((racer) => racer.lines[0]))).toEqual(started.map(() => 'ready'));
    for (const racer of started) racer.child.stdin.write('go\n');
    return await Promise.all(started.map((racer) => racer.lines[1]!));
  } finally {
    for (const racer of started) racer.child.stdin.end();
    await Promise.all(started.map((racer) => new Promise((resolve) => (racer.child.exitCode === null ? racer.child.once('exit', resolve) : resolve(null)))));
  }
}

describe('taking over a stale lock', () => {
  it('lets exactly one of several racing processes take over a dead process\'s lock', async () => {
    expect(existsSync(fileURLToPath(builtModule)), 'build core first (tsc -b packages/core)').toBe(true);
    for (let trial = 0; trial < 4; trial++) {
      const lockPath = lockPathInNewFolder();
      await acquireProjectLock(lockPath, 'r-setup', { wait: false }).then((lock) => lock.release());
      writeLock(lockPath, { pid: deadPid(), host: hostname(), runId: 'r-dead', since: new Date().toISOString() });
      const outcomes = await race(lockPath, 6);
      expect(outcomes.filter((outcome) => outcome === 'held'), `trial ${trial}: ${outcomes.join(', ')}`).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome !== 'held' && outcome !== 'locked'), outcomes.join(', ')).toEqual([]);
    }
  });
});

describe('what counts as stale', () => {
  it('refuses while a fresh, still-empty lock file may be mid-write, and takes over an old empty one', async () => {
    const lockPath = lockPathInNewFolder();
    await acquireProjectLock(lockPath, 'r-setup', { wait: false }).then((lock) => lock.release());
    writeFileSync(lockPath, '');
    await expect(acquireProjectLock(lockPath, 'r-second', { wait: false })).rejects.toMatchObject({ code: 'PROJECT_LOCKED' });
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockPath, old, old);
    const lock = await acquireProjectLock(lockPath, 'r-second', { wait: false });
    expect((JSON.parse(readFileSync(lockPath, 'utf8')) as LockHolder).runId).toBe('r-second');
    lock.release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it("takes over a lock with this process's pid but a run this process does not hold (pid reused, e.g. pid 1 in containers)", async () => {
    const lockPath = lockPathInNewFolder();
    await acquireProjectLock(lockPath, 'r-setup', { wait: false }).then((lock) => lock.release());
    writeLock(lockPath, { pid: process.pid, host: hostname(), runId: 'r-previous-container', since: new Date().toISOString() });
    const lock = await acquireProjectLock(lockPath, 'r-now', { wait: false });
    expect((JSON.parse(readFileSync(lockPath, 'utf8')) as LockHolder).runId).toBe('r-now');
    lock.release();
  });

  it('still refuses a second run in the same process while the first holds the lock', async () => {
    const lockPath = lockPathInNewFolder();
    const first = await acquireProjectLock(lockPath, 'r-first', { wait: false });
    const refused = await acquireProjectLock(lockPath, 'r-second', { wait: false }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WeirError);
    expect(refused).toMatchObject({ code: 'PROJECT_LOCKED' });
    first.release();
    const second = await acquireProjectLock(lockPath, 'r-second', { wait: false });
    second.release();
  });

  it('does not take over the lock of a live process', async () => {
    const lockPath = lockPathInNewFolder();
    await acquireProjectLock(lockPath, 'r-setup', { wait: false }).then((lock) => lock.release());
    writeLock(lockPath, { pid: process.ppid, host: hostname(), runId: 'r-parent', since: new Date().toISOString() });
    await expect(acquireProjectLock(lockPath, 'r-mine', { wait: false })).rejects.toMatchObject({ code: 'PROJECT_LOCKED' });
  });
});

describe('a lock whose pid was given to another process', () => {
  // Without /proc there is nothing to tell the two apart with.
  it.skipIf(processStartTicks(process.pid) === undefined)('is taken over when the live process with that pid started at another time than the holder', async () => {
    const path = lockPathInNewFolder();
    mkdirSync(join(path, '..'), { recursive: true });
    // This test's own parent is alive; the lock says its holder started at another moment.
    const started = processStartTicks(process.ppid)!;
    writeLock(path, { pid: process.ppid, host: hostname(), runId: 'r-reused', since: new Date().toISOString(), started: started + 1 });
    const lock = await acquireProjectLock(path, 'r-new', { wait: false });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ runId: 'r-new', pid: process.pid, started: processStartTicks(process.pid) });
    lock.release();
  });

  it('is still held when the live process with that pid is the holder', async () => {
    const path = lockPathInNewFolder();
    mkdirSync(join(path, '..'), { recursive: true });
    const started = processStartTicks(process.ppid);
    writeLock(path, { pid: process.ppid, host: hostname(), runId: 'r-live', since: new Date().toISOString(), ...(started === undefined ? {} : { started }) });
    await expect(acquireProjectLock(path, 'r-new', { wait: false })).rejects.toThrow(/r-live/);
  });
});
