/** `weir profile <asset>`: per-column statistics of the version an environment serves. */
import type { Command } from 'commander';
import { WeirError } from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { formatProfile } from '../output/format-profile.js';
import { printJson } from '../output/json-output.js';
import { withAssetProfile } from './asset-profile.js';
import { withProject } from './command-options.js';

/** Options of `profile` and `checks suggest`. */
export interface ProfileCommandOptions {
  /** A version id or prefix (not `--version`, which the root program answers with its own version). */
  at?: string;
  sample?: string;
}

/** `--sample <rows>` as a number, or a usage error. */
export function sampleSizeOption(options: ProfileCommandOptions): { sampleSize?: number } {
  if (options.sample === undefined) return {};
  const size = Number(options.sample);
  if (!Number.isInteger(size) || size < 1) throw new WeirError('USAGE', `--sample must be a whole number of rows, not "${options.sample}"`);
  return { sampleSize: size };
}

/** Registers `profile`. */
export function registerProfileCommand(program: Command, exit: ExitBox): void {
  program
    .command('profile <asset>')
    .description('per-column statistics of an asset: type, nulls, distinct values, min and max, mean, lengths, frequent values, text patterns')
    .option('--at <version>', 'profile this version (or a unique prefix) instead of the live one')
    .option('--sample <rows>', 'rows to sample for values and patterns (default 10000); smaller assets are read whole')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: ProfileCommandOptions & { json?: boolean }, command: Command) => {
      const sample = sampleSizeOption(options);
      exit.code = await withProject(command, (runtime) =>
        withAssetProfile(runtime, name, { ...sample, ...(options.at ? { version: options.at } : {}) }, async ({ version, profile }) => {
          if (options.json) {
            printJson({ asset: name, version: version.version, environment: version.environment, live: version.live, ...profile });
          } else {
            process.stdout.write(formatProfile(profile, { asset: name, version: version.version, environment: version.environment, live: version.live }));
          }
          return EXIT.ok;
        }),
      );
    });
}
