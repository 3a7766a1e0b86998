/**
 * `weir deadletter ls | show <source> | replay <source>`: the records loads set aside (malformed
 * messages, records the schema policy refused, discarded values), with their raw payloads and
 * reasons, and sending a stream table's set-aside records through the loader again.
 */
import type { Command } from 'commander';
import { WeirError, listDeadLetters, newRunId, replayDeadLetters } from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { formatTable } from '../output/format-table.js';
import { printJson } from '../output/json-output.js';
import { requireAsset, takeRunLock, withLockedProject, withProject } from './command-options.js';

/** Registers `deadletter` and its subcommands. */
export function registerDeadletterCommands(program: Command, exit: ExitBox): void {
  const deadletter = program.command('deadletter').description('records that loads set aside, with their payloads and reasons');

  deadletter
    .command('ls')
    .description('sources with dead letters, and how many each holds')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      exit.code = await withProject(command, async (runtime) => {
        const letters = await listDeadLetters(await runtime.engine(), {});
        const counts = new Map<string, { asset: string; rejected: number; values_discarded: number; latest: string }>();
        for (const letter of letters) {
          const entry = counts.get(letter.asset) ?? { asset: letter.asset, rejected: 0, values_discarded: 0, latest: letter.setAsideAt };
          if (letter.disposition === 'rejected') entry.rejected += 1;
          else entry.values_discarded += 1;
          if (letter.setAsideAt > entry.latest) entry.latest = letter.setAsideAt;
          counts.set(letter.asset, entry);
        }
        const rows = [...counts.values()];
        if (options.json) printJson(rows);
        else if (rows.length === 0) process.stdout.write('no dead letters: every record loaded\n');
        else process.stdout.write(`${formatTable(rows, ['asset', 'rejected', 'values_discarded', 'latest'])}\n`);
        return EXIT.ok;
      });
    });

  deadletter
    .command('show <source>')
    .description("a source's dead letters: record id, run, reason and raw payload")
    .option('-n, --limit <n>', 'records to show', '20')
    .option('--all', 'include records already replayed')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { limit: string; all?: boolean; json?: boolean }, command: Command) => {
      exit.code = await withProject(command, async (runtime) => {
        const asset = requireAsset(runtime.project, name);
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new WeirError('USAGE', `--limit must be a whole number >= 1, not "${options.limit}"`);
        const letters = await listDeadLetters(await runtime.engine(), { asset: asset.name, includeReplayed: options.all ?? false });
        const shown = letters.slice(-limit);
        if (options.json) {
          printJson({ asset: asset.name, total: letters.length, letters: shown });
          return EXIT.ok;
        }
        if (letters.length === 0) {
          process.stdout.write(`no dead letters for ${asset.name}\n`);
          return EXIT.ok;
        }
        process.stdout.write(`${letters.length} dead letter(s) for ${asset.name}${letters.length > shown.length ? ` (newest ${shown.length} shown)` : ''}\n`);
        for (const letter of shown) {
          process.stdout.write(`\n${letter.recordId}  ${letter.disposition}  run ${letter.runId}  at ${letter.setAsideAt}${letter.replayedAt ? `  replayed ${letter.replayedAt}` : ''}\n`);
          process.stdout.write(`  error:   ${letter.error}\n  payload: ${truncate(letter.payload, 500)}\n`);
        }
        return EXIT.ok;
      });
    });

  deadletter
    .command('replay <source>')
    .description("send a stream table's dead letters through the loader again (after relaxing its schema policy, say); the next run publishes them")
    .option('--wait', 'wait for another run of this project to finish instead of refusing')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { wait?: boolean; json?: boolean }, command: Command) => {
      exit.code = await withLockedProject(command, async (runtime, held) => {
        const asset = requireAsset(runtime.project, name);
        if (asset.kind !== 'stream') {
          throw new WeirError('USAGE', `${asset.name} is not a stream table: only stream tables keep their set-aside records for replay`, {
            hint: 'a whole (non-incremental) load reads every record again on its next run; for an incremental HTTP or TypeScript source, relax its schema policy and reload it whole once',
          });
        }
        const runId = `replay-${newRunId()}`;
        await takeRunLock(runtime, held, runId, { wait: options.wait ?? false });
        const result = await replayDeadLetters(await runtime.engine(), asset, runId);
        if (options.json) printJson({ asset: asset.name, ...result });
        else {
          process.stdout.write(`${result.replayed} dead letter(s) of ${asset.name} landed; ${result.stillRejected} still do not fit and stay set aside\n`);
          if (result.replayed > 0) process.stdout.write(`publish them with: weir run --select ${asset.name}\n`);
        }
        return EXIT.ok;
      });
    });
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
