/**
 * Crash recovery against real processes: a run whose pid now belongs to a process started after
 * the run began (pids wrap within minutes on a busy machine) is crashed, not "still running"; a
 * run whose process is alive and older than the run is left alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStore } from '../storage/state-store.js';
import { openSqliteStateStore } from '../storage/sqlite/open-sqlite-state-store.js';
import { processStartedAt } from './project-lock.js';
import { recoverCrashedRuns, runProcessAlive } from './recover-crashed-runs.js';

const hasProc = existsSync('/proc/self/stat');
if (!hasProc) console.warn('SKIPPED: no /proc here, so a reused pid cannot be told from the run\'s own process');

describe.skipIf(!hasProc)('recovering runs whose pid was reused', () => {
  let dir: string;
  let store: StateStore;
  let child: ChildProcess;
  let childStartedAt: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weir-recover-'));
    store = await openSqliteStateStore(join(dir, 'state.db'));
    child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    await new Promise<void>((resolve) => child.once('spawn', () => resolve()));
    childStartedAt = processStartedAt(child.pid!)!;
  });

  afterAll(async () => {
    child.kill('SIGKILL');
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const startRun = (runId: string, startedAt: string) =>
    store.append([
      { type: 'run_started', at: startedAt, runId, environment: 'prod', pid: child.pid!, host: hostname(), command: 'run', selection: [], exclusion: [], plannedAssets: ['a'] },
      { type: 'step_started', at: startedAt, runId, asset: 'a', version: 'v1', attempt: 1 },
    ]);

  it('reads when a process started, to within the clock of /proc', () => {
    expect(Math.abs(childStartedAt - Date.now())).toBeLessThan(60_000);
    expect(processStartedAt(process.pid)!).toBeLessThanOrEqual(childStartedAt);
  });

  it('crashes a run whose live pid belongs to a process younger than the run', async () => {
    await startRun('r-reused', new Date(childStartedAt - 3_600_000).toISOString());
    expect(runProcessAlive(child.pid!, new Date(childStartedAt - 3_600_000).toISOString())).toBe(false);
    expect(await recoverCrashedRuns(store)).toEqual(['r-reused']);
    expect((await store.run('r-reused'))?.status).toBe('crashed');
    expect((await store.steps('r-reused'))[0]).toMatchObject({ status: 'failed', error: { code: 'RUN_CRASHED' } });
  });

  it('leaves a run alone while the process that started it lives', async () => {
    await startRun('r-alive', new Date(childStartedAt + 5_000).toISOString());
    expect(await recoverCrashedRuns(store)).toEqual([]);
    expect((await store.run('r-alive'))?.status).toBe('running');
  });
});
