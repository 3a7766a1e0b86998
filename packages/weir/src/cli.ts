/**
 * The `weir` command: parses arguments and hands each command to its file in `commands/`.
 * Commands return an exit status; errors reach `reportError` in one place.
 */
import { Command, CommanderError } from 'commander';
import { EXIT, reportError } from './cli-errors.js';
import { registerBackfillCommand } from './commands/backfill-command.js';
import { registerGcCommand } from './commands/gc-command.js';
import { registerInitCommand } from './commands/init-command.js';
import { registerLsCommand } from './commands/ls-command.js';
import { registerQuarantineCommands } from './commands/quarantine-command.js';
import { registerQueryCommand } from './commands/query-command.js';
import { registerRollbackCommands } from './commands/rollback-command.js';
import { registerRunCommands } from './commands/run-command.js';
import { registerRunsCommand } from './commands/runs-command.js';
import { registerSchedulesCommand } from './commands/schedules-command.js';
import { registerShowCommand } from './commands/show-command.js';
import { registerProfileCommand } from './commands/profile-command.js';
import { registerChecksCommand } from './commands/checks-command.js';
import { registerTestCommand } from './commands/test-command.js';
import { registerSpcCommand } from './commands/spc-command.js';
import { registerIngestCommand } from './commands/ingest-command.js';
import { registerDeadletterCommands } from './commands/deadletter-command.js';
import { registerServeCommand } from './commands/serve-command.js';
import { registerWorkerCommand } from './commands/worker-command.js';
import { registerLineageCommand } from './commands/lineage-command.js';
import { registerDocsCommand } from './commands/docs-command.js';
import { registerTokensCommand } from './commands/tokens-command.js';

/** Where a command stores its exit status (commander actions cannot return one). */
export interface ExitBox {
  code: number;
}

/** Builds the command tree. Exported for tests of argument parsing. */
export function buildProgram(exit: ExitBox): Command {
  const program = new Command('weir')
    .description('Weir: build, test and publish data assets; nothing bad goes over the top')
    .version('0.1.0')
    .option('-C, --project <dir>', 'run as if weir was started in <dir>')
    .option('-e, --env <name>', 'environment (a schema of views); default from weir.yaml')
    .showHelpAfterError()
    .exitOverride();
  for (const register of [
    registerInitCommand,
    registerRunCommands,
    registerBackfillCommand,
    registerLsCommand,
    registerShowCommand,
    registerProfileCommand,
    registerChecksCommand,
    registerRunsCommand,
    registerSchedulesCommand,
    registerQueryCommand,
    registerRollbackCommands,
    registerGcCommand,
    registerQuarantineCommands,
    registerTestCommand,
    registerSpcCommand,
    registerIngestCommand,
    registerDeadletterCommands,
    registerServeCommand,
    registerWorkerCommand,
    registerLineageCommand,
    registerDocsCommand,
    registerTokensCommand,
  ]) {
    register(program, exit);
  }
  return program;
}

/**
 * Runs the CLI with `argv` (as in `process.argv`) and resolves to the exit status.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv);
 * ```
 */
export async function main(argv: string[]): Promise<number> {
  const exit: ExitBox = { code: EXIT.ok };
  const program = buildProgram(exit);
  try {
    await program.parseAsync(argv);
    return exit.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return reportError(error);
  }
}
