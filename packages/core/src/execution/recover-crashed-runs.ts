/**
 * No run stays "running" forever. A run whose process is gone (killed, machine rebooted) is found
 * by the next command and recorded as crashed, together with the steps it left running. Nothing
 * needs repairing here: views only ever point at complete, checked versions (a build is one
 * atomic statement, or is finished before its view switch), and a view switched just before the
 * crash, without its record, is reconciled by the next run of that asset.
 */
import { hostname } from 'node:os';
import { eventTime, type WeirEvent } from '../events/weir-event.js';
import type { StateStore } from '../storage/state-store.js';
import { processAlive } from './project-lock.js';

/**
 * Marks dead runs of this machine as crashed. Runs of other machines are left alone: their
 * liveness cannot be seen from here.
 *
 * @example
 * ```ts
 * const crashed = await recoverCrashedRuns(store); // ['r-20261121-...']
 * ```
 */
export async function recoverCrashedRuns(store: StateStore, isAlive: (pid: number) => boolean = processAlive): Promise<string[]> {
  const host = hostname();
  const recovered: string[] = [];
  for (const run of await store.runs({ status: 'running' })) {
    if (run.host !== host || (run.pid !== process.pid && isAlive(run.pid))) continue;
    if (run.pid === process.pid) continue;
    const events: WeirEvent[] = [];
    for (const step of await store.steps(run.runId)) {
      if (step.status !== 'running' && step.status !== 'pending') continue;
      events.push({
        type: 'step_failed',
        at: eventTime(),
        runId: run.runId,
        asset: step.asset,
        attempts: step.attempts,
        error: { code: 'RUN_CRASHED', message: `the process running this step (pid ${run.pid}) stopped before it finished; its view serves a complete version, and the next run reconciles it` },
        ...(step.version ? { version: step.version } : {}),
      });
    }
    events.push({
      type: 'run_finished',
      at: eventTime(),
      runId: run.runId,
      status: 'crashed',
      summary: { crashed_steps: events.length },
      detail: `process ${run.pid} on ${run.host} is gone; found by process ${process.pid}`,
    });
    await store.append(events);
    recovered.push(run.runId);
  }
  return recovered;
}
