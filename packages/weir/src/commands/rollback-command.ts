/** `weir rollback <asset> [--to <version>]` and `weir unpin <asset>`. */
import type { Command } from 'commander';
import { newRunId, rollbackAsset, unpinAsset, type RollbackBody, type RollbackResult } from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { printJson } from '../output/json-output.js';
import { findServer } from '../server/serve-file.js';
import { callServer } from './remote-run.js';
import { takeRunLock, withLockedProject, withProject, requireAsset } from './command-options.js';

/** Registers `rollback` and `unpin`. */
export function registerRollbackCommands(program: Command, exit: ExitBox): void {
  program
    .command('rollback <asset>')
    .description('point the asset back at its previous published version (or --to a version) and pin it there')
    .option('--to <version>', 'the version (or a unique prefix) to go back to')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: { to?: string; json?: boolean }, command: Command) => {
      exit.code = await withLockedProject(command, async (runtime, held) => {
        requireAsset(runtime.project, name);
        let result: RollbackResult;
        // While weir serve runs for the project it owns the warehouse: the rollback goes to it (between its runs).
        const server = await findServer(runtime.project.root);
        if (server !== undefined) {
          const path = `/api/assets/${encodeURIComponent(name)}/rollback`;
          const moved = await callServer<RollbackBody>(server, path, options.to ? { version: options.to } : {});
          result = { asset: moved.asset, environment: moved.environment, from: moved.from, to: moved.to };
        } else {
          await takeRunLock(runtime, held, newRunId(), { wait: false });
          result = await rollbackAsset({
            engine: await runtime.engine(),
            store: runtime.store,
            environment: runtime.project.environment,
            asset: name,
            ...(options.to ? { to: options.to } : {}),
          });
        }
        if (options.json) printJson(result);
        else {
          process.stdout.write(`${name} in ${result.environment}: ${result.from} -> ${result.to}\n`);
          process.stdout.write(`pinned: runs leave ${name} at ${result.to} until you run: weir unpin ${name}\n`);
        }
        return EXIT.ok;
      });
    });

  program
    .command('unpin <asset>')
    .description('let runs build and publish an asset again after a rollback')
    .action(async (name: string, _options: unknown, command: Command) => {
      exit.code = await withProject(command, async (runtime) => {
        requireAsset(runtime.project, name);
        const released = await unpinAsset(runtime.store, runtime.project.environment, name);
        process.stdout.write(released ? `${name} is no longer pinned; the next run may publish a new version\n` : `${name} was not pinned\n`);
        return EXIT.ok;
      });
    });
}
