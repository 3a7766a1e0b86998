/**
 * `weir run` builds, checks and publishes the selected assets; `weir retry <run>` runs again only
 * the steps of an earlier run that failed, were blocked, skipped or cancelled; `weir check`
 * evaluates the checks of the published versions without building anything.
 */
import type { Command } from 'commander';
import { WeirError, buildAssetGraph, newRunId, parseDuration, runProject, selectAssets, type RunResult } from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { printJson } from '../output/json-output.js';
import { plainProgress, terminalProgress, type RunProgress } from '../output/run-progress.js';
import type { ProjectRuntime } from '../runtime/project-runtime.js';
import { collect, selectorList, takeRunLock, withLockedProject, type HeldLock } from './command-options.js';
import { printRunSummary } from './run-summary.js';
import { runThroughServer, type RemoteRunResult } from './remote-run.js';
import { findServer } from '../server/serve-file.js';
import { runPlanLines } from '../output/run-plan-lines.js';
import { requireTeamModeForWorkers, workersExecutor, type WorkersExecutor } from './run-on-workers.js';

interface RunOptions {
  select?: string[];
  exclude?: string[];
  concurrency?: string;
  timeout?: string;
  wait?: boolean;
  json?: boolean;
  partition?: string;
  workers?: boolean;
}

/** Registers `run`, `check` and `retry`. */
export function registerRunCommands(program: Command, exit: ExitBox): void {
  selectionCommand(program, 'run', 'build, check and publish the selected assets (all by default)', 'steps run at once')
    .option('--json', 'print the run result as JSON')
    .option('-p, --partition <key>', 'build this partition (2026-03-01, a static value) of the selected partitioned assets')
    .option('--workers', 'hand each step to weir worker processes through the run queue (team mode) and follow them')
    .action(async (options: RunOptions, command: Command) => {
      exit.code = await withLockedProject(command, async (runtime, held) => {
        const { selected, select, exclude } = selection(runtime, options);
        return executeRun(runtime, held, { selected, select, exclude, command: 'run', options });
      });
    });

  selectionCommand(program, 'check', 'evaluate the checks of the published versions of the selected assets, without rebuilding', 'assets checked at once')
    .option('--json', 'print the result as JSON')
    .option('--workers', 'hand each asset\'s checks to weir worker processes through the run queue (team mode) and follow them')
    .action(async (options: RunOptions, command: Command) => {
      exit.code = await withLockedProject(command, async (runtime, held) => {
        const { selected, select, exclude } = selection(runtime, options);
        const published = new Set((await runtime.store.pointers(runtime.project.environment)).map((pointer) => pointer.asset));
        const unpublished = [...selected].filter((name) => !published.has(name));
        if (unpublished.length === selected.size) {
          throw new WeirError('SELECTION_INVALID', `nothing to check: no selected asset has a published version in environment "${runtime.project.environment}"`, {
            hint: 'build them first with: weir run',
          });
        }
        if (unpublished.length > 0) process.stderr.write(`not checked (never published in ${runtime.project.environment}): ${unpublished.join(', ')}\n`);
        return executeRun(runtime, held, { selected, select, exclude, command: 'check', mode: 'check', options });
      });
    });

  program
    .command('retry <run-id>')
    .description('run again only the failed, blocked, skipped and cancelled steps of a run')
    .option('--wait', 'wait for another run of this project to finish instead of refusing')
    .option('--json', 'print the run result as JSON')
    .option('--workers', 'hand each step to weir worker processes through the run queue (team mode) and follow them')
    .action(async (runId: string, options: RunOptions, command: Command) => {
      exit.code = await withLockedProject(command, async (runtime, held) => {
        const run = await runtime.store.run(runId);
        if (!run) throw new WeirError('RUN_UNKNOWN', `no run "${runId}"`, { hint: 'list runs with: weir runs' });
        const again = (await runtime.store.steps(run.runId)).filter((step) => !['succeeded'].includes(step.status) && step.skipReason !== 'unchanged' && step.skipReason !== 'pinned');
        const selected = new Set(again.map((step) => step.asset).filter((asset) => runtime.project.assets.has(asset)));
        if (selected.size === 0) {
          if (options.json) printJson({ retryOf: run.runId, retried: [], message: 'nothing to retry' });
          else process.stdout.write(`run ${run.runId} has no failed or skipped steps: nothing to retry\n`);
          return EXIT.ok;
        }
        return executeRun(runtime, held, { selected, select: [...selected], exclude: [], command: 'retry', retryOf: run.runId, options });
      });
    });
}

/** A command over a selection of assets: `--select`, `--exclude`, `--concurrency`, `--wait`. */
function selectionCommand(program: Command, name: string, description: string, concurrency: string): Command {
  return program
    .command(name)
    .description(description)
    .option('-s, --select <selector>', `assets to ${name}: name, name+, +name, tag:x, path:models/x, kind:sql (repeatable)`, collect)
    .option('-x, --exclude <selector>', 'assets to leave out (repeatable)', collect)
    .option('-c, --concurrency <n>', `${concurrency} (default from weir.yaml)`)
    .option('--timeout <duration>', 'stop the run and record it failed after this long: 90s, 30m, 2h (default: weir.yaml defaults.run_timeout, none)')
    .option('--wait', 'wait for another run of this project to finish instead of refusing');
}

/** The assets a `--select` / `--exclude` pair names, with the selectors as written. */
function selection(runtime: ProjectRuntime, options: RunOptions): { selected: ReadonlySet<string>; select: string[]; exclude: string[] } {
  const select = selectorList(options.select);
  const exclude = selectorList(options.exclude);
  return { selected: selectAssets(buildAssetGraph(runtime.project), runtime.project, { select, exclude }), select, exclude };
}

/** Runs a plan of the selected assets with live progress and prints the summary; the exit status follows the run. */
export async function executeRun(
  runtime: ProjectRuntime,
  held: HeldLock,
  request: { selected: ReadonlySet<string>; select: string[]; exclude: string[]; command: string; mode?: 'build' | 'check' | 'replay'; retryOf?: string; options: RunOptions },
): Promise<number> {
  const { options } = request;
  const progress: RunProgress = options.json
    ? plainProgress((text) => process.stderr.write(text))
    : process.stdout.isTTY
      ? terminalProgress(process.stdout)
      : plainProgress((text) => process.stdout.write(text));
  const concurrency = options.concurrency ? Number(options.concurrency) : undefined;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new WeirError('USAGE', `--concurrency must be a whole number >= 1, not "${options.concurrency}"`);
  }
  const timeoutSeconds = options.timeout === undefined ? undefined : parseDuration(options.timeout);
  if (options.timeout !== undefined && timeoutSeconds === undefined) {
    throw new WeirError('USAGE', `--timeout must be a duration such as 90s, 30m or 2h, not "${options.timeout}"`);
  }
  const timeout = timeoutSeconds === undefined ? {} : { timeoutSeconds };
  if (options.workers) requireTeamModeForWorkers(runtime, request.command);
  // While weir serve runs for the project it owns the warehouse: the run goes to it (not with
  // --workers: in team mode the warehouse is shared, and the steps go to the workers).
  const server = request.mode === 'replay' || options.workers ? undefined : await findServer(runtime.project.root);
  if (server !== undefined) {
    let remote: RemoteRunResult;
    try {
      remote = await runThroughServer(
        server,
        {
          command: request.command === 'check' ? 'check' : request.command === 'retry' ? 'retry' : 'run',
          select: request.select,
          exclude: request.exclude,
          ...(request.mode === 'check' ? { mode: 'check' as const } : {}),
          ...(request.command === 'retry' ? { assets: [...request.selected] } : {}),
          ...(request.retryOf ? { retryOf: request.retryOf } : {}),
          ...(concurrency === undefined ? {} : { concurrency }),
          ...timeout,
          ...(options.partition === undefined ? {} : { partition: options.partition }),
          wait: options.wait ?? false,
        },
        progress,
      );
    } finally {
      progress.stop();
    }
    return finishRun(runtime, remote, options);
  }
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts += 1;
    if (interrupts > 1) {
      progress.line('second interrupt: exiting now (anything not yet published stays unpublished)');
      process.exit(130);
    }
    progress.line('cancelling: stopping running steps, publishing nothing more (press Ctrl-C again to exit at once)');
    controller.abort(new WeirError('CANCELLED', 'the run was cancelled'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result: RunResult;
  let workers: WorkersExecutor | undefined;
  try {
    // The run lock first, the warehouse second: a second run must wait (--wait) or be refused by
    // the lock, which names the run holding it, never by the warehouse file's own lock.
    const runId = newRunId();
    const lock = await takeRunLock(runtime, held, runId, {
      wait: options.wait ?? false,
      signal: controller.signal,
      onWait: (holder) => progress.line(`waiting for run ${holder.runId} (pid ${holder.pid}) to finish…`),
    });
    const engine = await runtime.engine();
    if (options.workers) workers = await workersExecutor(runtime, progress);
    result = await runProject({
      project: runtime.project,
      engine,
      store: runtime.store,
      selected: request.selected,
      selection: request.select,
      exclusion: request.exclude,
      command: request.command,
      runId,
      lock,
      signal: controller.signal,
      ...(request.mode === undefined ? {} : { mode: request.mode }),
      ...(options.partition === undefined ? {} : { partition: options.partition }),
      onPlan: (plan, runId) => {
        for (const text of runPlanLines(plan, runId, request.mode, runtime.project.disabled)) progress.line(text);
      },
      onEvent: (event) => progress.onEvent(event),
      onLog: (asset, message) => progress.onLog(asset, message),
      onProgress: (asset, rows) => progress.onRows(asset, rows),
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...timeout,
      ...(request.retryOf ? { retryOf: request.retryOf } : {}),
      ...(workers === undefined ? {} : { execute: workers.execute }),
    });
  } finally {
    await workers?.close();
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return finishRun(runtime, result, options);
}

/** Prints the run's summary (or JSON) from the state store; the exit status follows the run. */
async function finishRun(runtime: ProjectRuntime, result: { runId: string; status: string }, options: RunOptions): Promise<number> {
  if (options.json) {
    printJson({ ...(await runtime.store.run(result.runId)), steps: await runtime.store.steps(result.runId) });
  } else {
    await printRunSummary(runtime.store, result.runId, (text) => process.stdout.write(text));
  }
  return result.status === 'succeeded' ? EXIT.ok : EXIT.dataFailed;
}
