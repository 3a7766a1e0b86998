/**
 * `weir backfill <selection> --from --to` builds the partitions of partitioned assets over a
 * range (or previews them with `--dry-run`); `weir backfill ls | show | retry | resume | cancel`
 * follow and steer recorded backfills. A backfill holds the project's run lock while it runs, so
 * a second one waits for it, then finds done what the first built. With `--workers` (team mode)
 * the partitions go to `weir worker` processes through the run queue and this command follows them.
 */
import type { Command } from 'commander';
import {
  WeirError,
  backfillStatus,
  buildAssetGraph,
  assetPool,
  countTasks,
  enqueueBackfill,
  followQueuedBackfill,
  planBackfill,
  workerCodeVersion,
  requestBackfill,
  runBackfill,
  selectAssets,
  type BackfillRecord,
  type BackfillResult,
  type BackfillTask,
  type BackfillTaskStatus,
} from '@weir/core';
import { hostname } from 'node:os';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { formatTable } from '../output/format-table.js';
import { printJson } from '../output/json-output.js';
import { shownBackfillStatus } from '../output/backfill-shown-status.js';
import { openProjectQueue, type ProjectRuntime } from '../runtime/project-runtime.js';
import { findServer } from '../server/serve-file.js';
import { collect, selectorList, takeRunLock, withLockedProject, withProject, type HeldLock } from './command-options.js';

interface BackfillOptions {
  from?: string;
  to?: string;
  exclude?: string[];
  dryRun?: boolean;
  concurrency?: string;
  rebuild?: boolean;
  wait?: boolean;
  json?: boolean;
  workers?: boolean;
}

/** Registers `backfill` and its subcommands. */
export function registerBackfillCommand(program: Command, exit: ExitBox): void {
  const backfill = program
    .command('backfill')
    .description('build the partitions of the selected partitioned assets over a range')
    .argument('[selectors...]', 'assets: name, name+, +name, tag:x (all partitioned assets by default)')
    .option('--from <key>', 'first partition (a date, or any time inside it)')
    .option('--to <key>', 'last partition, inclusive')
    .option('-x, --exclude <selector>', 'assets to leave out (repeatable)', collect)
    .option('--dry-run', 'show the tasks (assets x partitions) and what is already done, build nothing')
    .option('-c, --concurrency <n>', 'partitions built at once', '1')
    .option('--rebuild', 'build again the partitions already done with the current version')
    .option('--no-wait', 'refuse instead of waiting when another run or backfill holds the project')
    .option('--workers', 'hand the partitions to weir worker processes through the run queue (team mode) and follow them')
    .option('--json', 'print as JSON')
    .action(async (selectors: string[], options: BackfillOptions, command: Command) => {
      exit.code = await withLockedProject(command, (runtime, held) => startBackfill(runtime, held, selectors, options));
    });

  backfill
    .command('ls')
    .description('list backfills (newest first)')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      exit.code = await withProject(command, async ({ store }) => {
        const list = await store.backfills({ limit: 50 });
        if (options.json || jsonAbove(command)) printJson(list);
        else {
          const rows = list.map((record) => ({
            ...record,
            status: shownStatus(record),
            range: `${record.from ?? 'start'}..${record.to ?? 'end'}`,
            tasks: record.tasks.reduce((total, task) => total + task.partitions.length, 0),
            outcome: record.summary === null ? '' : Object.entries(record.summary).filter(([, count]) => count > 0).map(([key, count]) => `${key} ${count}`).join(', '),
          }));
          process.stdout.write(`${formatTable(rows, ['backfillId', 'status', 'environment', 'requestedAt', 'range', 'tasks', 'outcome'])}\n`);
        }
        return EXIT.ok;
      });
    });

  backfill
    .command('show <backfill-id>')
    .description('show the status of every partition of a backfill, per asset')
    .option('--json', 'print as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      exit.code = await withProject(command, async ({ store }) => {
        const record = await findBackfill(store, id);
        const tasks = await backfillStatus(store, record);
        if (options.json || jsonAbove(command)) printJson({ ...record, status: shownStatus(record), counts: countTasks(tasks), tasks });
        else process.stdout.write(describeBackfill(record, tasks));
        return EXIT.ok;
      });
    });

  for (const [name, description] of [
    ['retry', 'build again only the failed partitions of a backfill (and what depends on them)'],
    ['resume', 'finish a backfill that was interrupted or cancelled: every partition not done'],
  ] as const) {
    backfill
      .command(`${name} <backfill-id>`)
      .description(description)
      .option('-c, --concurrency <n>', 'partitions built at once (default: as requested)')
      .option('--no-wait', 'refuse instead of waiting when another run or backfill holds the project')
      .option('--workers', 'hand the partitions to weir worker processes through the run queue (team mode)')
      .action(async (id: string, options: BackfillOptions, command: Command) => {
        exit.code = await withLockedProject(command, async (runtime, held) => {
          const record = await findBackfill(runtime.store, id);
          const concurrency = options.concurrency === undefined ? record.concurrency : wholeNumber(options.concurrency);
          return executeBackfill(runtime, held, record, name, concurrency, options);
        });
      });
  }

  backfill
    .command('cancel <backfill-id>')
    .description('cancel a backfill: a running one stops after the partitions it is building')
    .action(async (id: string, _options: unknown, command: Command) => {
      exit.code = await withProject(command, async ({ store }) => {
        const record = await findBackfill(store, id);
        if (record.status !== 'running') {
          process.stdout.write(`backfill ${record.backfillId} is ${record.status}: nothing to cancel\n`);
          return EXIT.ok;
        }
        await store.append([{ type: 'backfill_cancel_requested', at: new Date().toISOString(), backfillId: record.backfillId, by: `${process.env.USER ?? 'someone'}@${hostname()}` }]);
        process.stdout.write(`backfill ${record.backfillId} cancelled: a running backfill stops after the partitions it is building (resume it with: weir backfill resume ${record.backfillId})\n`);
        return EXIT.ok;
      });
    });
}

async function startBackfill(runtime: ProjectRuntime, held: HeldLock, selectors: string[], options: BackfillOptions): Promise<number> {
  const { project, store } = runtime;
  const select = selectorList(selectors);
  const selected = selectAssets(buildAssetGraph(project), project, { select, exclude: selectorList(options.exclude) });
  const concurrency = wholeNumber(options.concurrency ?? '1');
  const live = new Set((await store.runs({ status: 'running' })).map((run) => run.runId));
  const preview = planBackfill({
    project,
    engine: project.warehouse.engine,
    selected,
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(options.to === undefined ? {} : { to: options.to }),
    partitions: await store.partitions({}),
    runIsLive: (runId) => live.has(runId),
  });
  const counts = countTasks(preview.tasks);
  const toBuild = options.rebuild ? preview.tasks.length : preview.tasks.length - counts.done;
  if (options.dryRun) {
    if (options.json) printJson({ ...preview, counts, toBuild });
    else {
      const rows = preview.assets.map((asset) => {
        const own = countTasks(preview.tasks.filter((task) => task.asset === asset.asset));
        return { asset: asset.asset, version: asset.version, partitions: asset.partitions.length, first: asset.partitions[0] ?? '', last: asset.partitions.at(-1) ?? '', ...own };
      });
      process.stdout.write(`${formatTable(rows, ['asset', 'version', 'partitions', 'first', 'last', 'done', 'failed', 'running', 'missing'])}\n`);
      process.stdout.write(`${preview.tasks.length} task(s) (${preview.assets.length} asset(s) x partitions): ${counts.done} already done with the current version, ${toBuild} to build\n`);
      if (preview.unpartitioned.length > 0) process.stdout.write(`not partitioned, left alone: ${preview.unpartitioned.join(', ')}\n`);
      process.stdout.write('dry run: nothing was built\n');
    }
    return EXIT.ok;
  }
  if (toBuild === 0) {
    process.stdout.write(`nothing to backfill: all ${preview.tasks.length} task(s) are done with the current version (--rebuild builds them again)\n`);
    return EXIT.ok;
  }
  const record = await requestBackfill(store, preview, {
    environment: project.environment,
    selection: select,
    from: options.from ?? null,
    to: options.to ?? null,
    concurrency,
    ...(options.rebuild ? { rebuild: true } : {}),
  });
  process.stdout.write(`backfill ${record.backfillId}: ${toBuild} task(s) over ${preview.assets.map((asset) => asset.asset).join(', ')}, ${concurrency} partition(s) at once\n`);
  return executeBackfill(runtime, held, record, 'run', concurrency, options);
}

async function executeBackfill(runtime: ProjectRuntime, held: HeldLock, record: BackfillRecord, mode: 'run' | 'resume' | 'retry', concurrency: number, options: BackfillOptions): Promise<number> {
  const controller = new AbortController();
  const onSignal = (): void => {
    process.stderr.write('\ncancelling: stopping the partitions running, starting no more\n');
    controller.abort(new WeirError('CANCELLED', 'the backfill was cancelled'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const tty = process.stdout.isTTY === true;
  try {
    // Through the run queue: to `weir worker` processes (team mode), or to `weir serve`, which owns
    // the project while it runs and takes partition jobs after scheduled runs.
    const server = options.workers ? undefined : await findServer(runtime.project.root);
    if (options.workers || server !== undefined) {
      if (server !== undefined) process.stdout.write(`handed to weir serve (pid ${server.pid}) at ${server.url}\n`);
      return reportBackfill(record, await followThroughWorkers(runtime, record, mode, controller.signal, tty, server === undefined ? 'weir worker processes' : 'weir serve'));
    }
    const lock = await takeRunLock(runtime, held, record.backfillId, {
      wait: options.wait !== false,
      signal: controller.signal,
      onWait: (holder) => process.stdout.write(`waiting for ${holder.runId} (pid ${holder.pid}) to finish…\n`),
    });
    const engine = await runtime.engine();
    const result = await runBackfill({
      project: runtime.project,
      engine,
      store: runtime.store,
      lock,
      backfill: record,
      mode,
      concurrency,
      signal: controller.signal,
      onProgress: (counts, latest) => {
        const line = `${progressLine(counts)}${latest === undefined ? '' : `  (${latest.partition}: ${latest.outcome})`}`;
        if (tty) process.stdout.write(`\r\u001b[2K${line}`);
        else if (latest !== undefined) process.stdout.write(`${line}\n`);
      },
    });
    if (tty) process.stdout.write('\n');
    return reportBackfill(record, result);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Team mode: queues one job per partition for `weir worker` processes, then follows the tasks
 * until no job is waiting or running. Ctrl-C cancels the backfill's queued jobs.
 */
async function followThroughWorkers(
  runtime: ProjectRuntime,
  record: BackfillRecord,
  mode: 'run' | 'resume' | 'retry',
  signal: AbortSignal,
  tty: boolean,
  takers: 'weir worker processes' | 'weir serve',
): Promise<Pick<BackfillResult, 'status' | 'summary' | 'tasks'>> {
  const queue = await openProjectQueue(runtime.project);
  try {
    // Workers running other code than this planner are refused by the queue.
    await queue.setExpectedProjectVersion(await workerCodeVersion(runtime.project.root));
    const { project } = runtime;
    const jobIds = await enqueueBackfill(queue, runtime.store, record, mode, {
      ...(project.pools === undefined ? {} : { pools: project.pools }),
      poolOf: (asset) => assetPool(project, asset),
    });
    if (takers === 'weir serve') process.stdout.write(`backfill ${record.backfillId}: ${jobIds.length} partition job(s) queued for weir serve\n`);
    else {
      const alive = (await queue.workers()).filter((worker) => worker.alive).length;
      process.stdout.write(`backfill ${record.backfillId}: ${jobIds.length} partition job(s) queued for weir worker processes (${alive} alive now)\n`);
      if (alive === 0) process.stdout.write('  no worker is running yet: start some with `weir worker` (they take the jobs when they start)\n');
    }
    return await followQueuedBackfill(queue, runtime.store, record, jobIds, {
      project: runtime.project,
      signal,
      onProgress: (counts) => {
        if (tty) process.stdout.write(`\r\u001b[2K${progressLine(counts)}`);
        else process.stdout.write(`${progressLine(counts)}\n`);
      },
    });
  } finally {
    if (tty) process.stdout.write('\n');
    await queue.close();
  }
}

/** The end of a backfill: failed tasks, the outcome, what to do next; the exit status. */
function reportBackfill(record: BackfillRecord, result: Pick<BackfillResult, 'status' | 'summary' | 'tasks'>): number {
  const failed = result.tasks.filter((task) => task.status === 'failed');
  for (const task of failed.slice(0, 10)) process.stdout.write(`  failed: ${task.asset} ${task.partition}${task.detail ? `: ${task.detail}` : ''}\n`);
  if (failed.length > 10) process.stdout.write(`  ... and ${failed.length - 10} more (weir backfill show ${record.backfillId})\n`);
  process.stdout.write(`backfill ${record.backfillId} ${result.status}: ${progressLine(result.summary)}\n`);
  if (result.status === 'failed' && failed.length > 0) process.stdout.write(`retry the failed partitions with: weir backfill retry ${record.backfillId}\n`);
  if (result.status === 'cancelled') process.stdout.write(`finish it later with: weir backfill resume ${record.backfillId}\n`);
  return result.status === 'succeeded' ? EXIT.ok : EXIT.dataFailed;
}

function progressLine(counts: Record<BackfillTaskStatus, number>): string {
  const total = counts.done + counts.running + counts.failed + counts.missing;
  return `${counts.done}/${total} done, ${counts.running} running, ${counts.failed} failed, ${counts.missing} missing`;
}

/** One line of header, counts per asset, then a grid: a row per partition, a column per asset. */
function describeBackfill(record: BackfillRecord, tasks: BackfillTask[]): string {
  const lines = [
    `backfill ${record.backfillId}  ${shownStatus(record)}  environment ${record.environment}  requested ${record.requestedAt}`,
    `range ${record.from ?? 'start'}..${record.to ?? 'end'}, ${record.concurrency} at once; ${progressLine(countTasks(tasks))}`,
    '',
  ];
  const assets = record.tasks.map((task) => task.asset);
  lines.push(formatTable(assets.map((asset) => ({ asset, ...countTasks(tasks.filter((task) => task.asset === asset)) })), ['asset', 'done', 'running', 'failed', 'missing']), '');
  const byPartition = new Map<string, Record<string, string>>();
  for (const task of tasks) {
    const row = byPartition.get(task.partition) ?? { partition: task.partition };
    row[task.asset] = task.status;
    byPartition.set(task.partition, row);
  }
  const rows = [...byPartition.values()].sort((a, b) => (a.partition! < b.partition! ? -1 : a.partition! > b.partition! ? 1 : 0));
  lines.push(formatTable(rows, ['partition', ...assets]));
  const notes = tasks.filter((task) => task.detail !== undefined);
  if (notes.length > 0) lines.push('', ...notes.map((task) => `${task.asset} ${task.partition}: ${task.detail}`));
  return `${lines.join('\n')}\n`;
}

/** A backfill recorded as running whose process is gone is shown as interrupted. */
const shownStatus = shownBackfillStatus;

async function findBackfill(store: ProjectRuntime['store'], id: string): Promise<BackfillRecord> {
  const [record] = await store.backfills({ backfillId: id });
  if (record === undefined) throw new WeirError('USAGE', `no backfill "${id}"`, { hint: 'list backfills with: weir backfill ls' });
  return record;
}

function wholeNumber(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new WeirError('USAGE', `--concurrency must be a whole number >= 1, not "${text}"`);
  return value;
}

/** `backfill` has its own --json; commander hands a flag both levels know to the parent. */
function jsonAbove(command: Command): boolean {
  return command.parent?.opts<{ json?: boolean }>().json === true;
}
