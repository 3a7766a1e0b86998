/** `weir runs` lists recent runs; `weir runs show <id>` shows one run's steps, check failures and notifications. */
import type { Command } from 'commander';
import { WeirError, type NotificationEvent, type StoredEvent } from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { formatDuration, formatTable } from '../output/format-table.js';
import { printJson } from '../output/json-output.js';
import { errorPlace } from '../output/run-progress.js';
import { withProject } from './command-options.js';

/** Registers `runs` and `runs show`. */
export function registerRunsCommand(program: Command, exit: ExitBox): void {
  const runs = program
    .command('runs')
    .description('list recent runs (newest first)')
    .option('-n, --limit <n>', 'how many runs', '20')
    .option('--json', 'print as JSON')
    .action(async (options: { limit: string; json?: boolean }, command: Command) => {
      exit.code = await withProject(command, async ({ store }) => {
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new WeirError('USAGE', `--limit must be a whole number >= 1, not "${options.limit}"`);
        const list = await store.runs({ limit });
        if (options.json) printJson(list);
        else {
          const rows = list.map((run) => ({
            ...run,
            duration: run.endedAt ? formatDuration(Date.parse(run.endedAt) - Date.parse(run.startedAt)) : '',
            outcome: Object.entries(run.summary).map(([key, count]) => `${key} ${count}`).join(', '),
          }));
          process.stdout.write(`${formatTable(rows, ['runId', 'status', 'command', 'environment', 'startedAt', 'duration', 'outcome'])}\n`);
        }
        return EXIT.ok;
      });
    });

  runs
    .command('show <run-id>')
    .description('show the steps of a run, their outcomes and failed checks')
    .option('--json', 'print as JSON')
    .action(async (runId: string, options: { json?: boolean }, command: Command) => {
      // `runs` has its own --json, and commander hands a flag both levels know to the parent,
      // wherever it is written: `weir runs show <id> --json` must still print JSON.
      const json = options.json === true || command.parent?.opts<{ json?: boolean }>().json === true;
      exit.code = await withProject(command, async ({ store }) => {
        const run = await store.run(runId);
        if (!run) throw new WeirError('RUN_UNKNOWN', `no run "${runId}"`, { hint: 'list runs with: weir runs' });
        const steps = await store.steps(run.runId);
        const checks = await store.checkResults({ runId: run.runId });
        const notifications = (await store.events({ runId: run.runId })).filter(isNotificationEvent);
        if (json) {
          printJson({ ...run, steps, checks, notifications });
          return EXIT.ok;
        }
        const out = (text: string): boolean => process.stdout.write(text);
        out(`run ${run.runId}  ${run.status}  ${run.command}  environment ${run.environment}\n`);
        out(`  started ${run.startedAt}${run.endedAt ? `, ended ${run.endedAt}` : ''}  pid ${run.pid} on ${run.host}${run.retryOf ? `  retry of ${run.retryOf}` : ''}\n`);
        if (run.detail) out(`  ${run.detail}\n`);
        const rows = steps.map((step) => ({
          ...step,
          outcome: step.status === 'skipped' ? `skipped (${step.skipReason})` : step.status,
          duration: formatDuration(step.durationMs),
          note: step.error ? `${errorPlace(step.error)}${step.error.message}` : (step.detail ?? ''),
        }));
        out(`\n${formatTable(rows, ['asset', 'outcome', 'version', 'attempts', 'rows', 'duration', 'note'])}\n`);
        const failed = checks.filter((check) => !check.passed);
        if (failed.length > 0) out(`\nFailed checks\n${formatTable(failed, ['asset', 'check', 'severity', 'failingRows', 'detail'])}\n`);
        const told = notifications.map((event) => ({
          ...event,
          outcome: event.type === 'notification_sent' ? `sent (HTTP ${event.statusCode})` : `failed: ${event.error}`,
        }));
        if (told.length > 0) out(`\nNotifications\n${formatTable(told, ['notification', 'event', 'target', 'attempts', 'outcome'])}\n`);
        return EXIT.ok;
      });
    });
}

function isNotificationEvent(event: StoredEvent): event is NotificationEvent & { id: number } {
  return event.type === 'notification_sent' || event.type === 'notification_failed';
}
