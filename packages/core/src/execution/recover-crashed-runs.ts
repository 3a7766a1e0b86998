/**
 * No run stays "running" forever. A run whose process is gone (killed, machine rebooted) is found
 * by the next command and recorded as crashed, together with the steps it left running. Nothing
 * needs repairing here: views only ever point at complete, checked versions (a build is one
 * atomic statement, or is finished before its view switch), and a view switched just before the
 * crash, without its record, is reconciled by the next run of that asset.
 */
import { hostname } from 'node:os';
import { eventTime, type WeirEvent } from '../events/weir-event.js';
import { notifyRunFinished } from '../notifications/notify-finished.js';
import { emitRunLineage } from '../openlineage/emit-run-lineage.js';
import type { Project } from '../project/project-model.js';
import type { StateStore } from '../storage/state-store.js';
import { processAlive, processStartedAt } from './project-lock.js';

// /proc's start time is whole seconds of boot time plus ticks: allow that much disagreement.
const START_TIME_SLACK_MS = 2_000;

/**
 * True while the run's process still lives: its pid exists and was not started after the run
 * began (pids wrap within minutes on a busy machine, so a live pid alone can be someone else).
 *
 * @example
 * ```ts
 * runProcessAlive(run.pid, run.startedAt); // false once the process is gone or its pid reused
 * ```
 */
export function runProcessAlive(pid: number, runStartedAt: string): boolean {
  if (!processAlive(pid)) return false;
  const started = processStartedAt(pid);
  return started === undefined || started <= Date.parse(runStartedAt) + START_TIME_SLACK_MS;
}

/**
 * Marks dead runs of this machine as crashed (their process is gone, or its pid now belongs to a
 * process started after the run began). Runs of other machines are left alone: their
 * liveness cannot be seen from here.
 *
 * @example
 * ```ts
 * const crashed = await recoverCrashedRuns(store); // ['r-20261121-...']
 * ```
 */
export async function recoverCrashedRuns(store: StateStore, isAlive: (pid: number, runStartedAt: string) => boolean = runProcessAlive): Promise<string[]> {
  const host = hostname();
  const recovered: string[] = [];
  for (const run of await store.runs({ status: 'running' })) {
    if (run.host !== host || (run.pid !== process.pid && isAlive(run.pid, run.startedAt))) continue;
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

/**
 * {@link recoverCrashedRuns}, then tells the project's `run_failed` subscribers of each crashed run,
 * as a run that ends failed would have (a crash is the failure people most need to hear about),
 * and emits its OpenLineage events (FAIL), which the dead process never sent.
 *
 * @example
 * ```ts
 * await recoverAndNotifyCrashedRuns(project, store); // at the start of every command
 * ```
 */
export async function recoverAndNotifyCrashedRuns(project: Project, store: StateStore): Promise<string[]> {
  const crashed = await recoverCrashedRuns(store);
  for (const runId of crashed) {
    await notifyRunFinished(project, store, { runId, status: 'crashed' });
    await emitRunLineage(project, store, undefined, { runId });
  }
  return crashed;
}
