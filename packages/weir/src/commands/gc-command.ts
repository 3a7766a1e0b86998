/** `weir gc`: drops physical versions that no environment needs and the retention rule lets go. */
import type { Command } from 'commander';
import { WeirError, collectGarbage, newRunId } from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { formatTable } from '../output/format-table.js';
import { printJson } from '../output/json-output.js';
import { takeRunLock, withLockedProject } from './command-options.js';

/** Registers `gc`. */
export function registerGcCommand(program: Command, exit: ExitBox): void {
  program
    .command('gc')
    .description('drop old physical versions nothing points to (keeps retain_versions per asset)')
    .option('--dry-run', 'only list what would be dropped')
    .option('--keep <n>', 'old versions to keep per asset (default: defaults.retain_versions)')
    .option('--json', 'print as JSON')
    .action(async (options: { dryRun?: boolean; keep?: string; json?: boolean }, command: Command) => {
      exit.code = await withLockedProject(command, async (runtime, held) => {
        // Checked before anything is dropped: a keep that is not a number would keep nothing.
        const keep = options.keep !== undefined ? Number(options.keep) : runtime.project.defaults.retainVersions;
        if (!Number.isInteger(keep) || keep < 0) throw new WeirError('USAGE', `--keep must be a whole number >= 0, not "${options.keep}"`);
        await takeRunLock(runtime, held, newRunId(), { wait: false });
        const environments = [...new Set([runtime.project.environment, ...(await runtime.store.runs({})).map((run) => run.environment)])];
        const garbage = await collectGarbage({
          engine: await runtime.engine(),
          store: runtime.store,
          environments,
          retainVersions: keep,
          dryRun: options.dryRun ?? false,
        });
        if (options.json) printJson({ dryRun: options.dryRun ?? false, dropped: garbage });
        else if (garbage.length === 0) process.stdout.write('nothing to drop\n');
        else process.stdout.write(`${options.dryRun ? 'would drop' : 'dropped'} ${garbage.length} relation(s)\n${formatTable(garbage, ['relation', 'reason'])}\n`);
        return EXIT.ok;
      });
    });
}
