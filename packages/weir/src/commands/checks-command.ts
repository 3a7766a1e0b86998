/**
 * `weir checks suggest <asset>`: profiles the asset and writes proposed checks, each with its
 * reason, to `checks/<asset>.yaml` for a person to review, edit and commit.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { checkNamesInFile, renderChecksFile, suggestChecks, WeirError, withoutDeclaredChecks, type AssetSpec, type DeclaredCheck } from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { withAssetProfile } from './asset-profile.js';
import { requireAsset, withProject } from './command-options.js';
import { sampleSizeOption, type ProfileCommandOptions } from './profile-command.js';

/** Registers `checks` and its subcommands. */
export function registerChecksCommand(program: Command, exit: ExitBox): void {
  const checks = program.command('checks').description('work with the checks of a project');
  checks
    .command('suggest <asset>')
    .description('profile an asset and write proposed checks, each with its reason, to checks/<asset>.yaml')
    .option('--at <version>', 'suggest from this version (or a unique prefix) instead of the live one')
    .option('--sample <rows>', 'rows to sample for values and patterns (default 10000)')
    .option('--force', 'replace an existing checks/<asset>.yaml')
    .option('--stdout', 'print the file instead of writing it')
    .action(async (name: string, options: ProfileCommandOptions & { force?: boolean; stdout?: boolean }, command: Command) => {
      const sample = sampleSizeOption(options);
      exit.code = await withProject(command, async (runtime) => {
        const asset = requireAsset(runtime.project, name);
        const relative = `checks/${name}.yaml`;
        const file = join(runtime.project.root, 'checks', `${name}.yaml`);
        // Refused before the profile runs: a reviewed file is worth more than a new proposal.
        if (!options.stdout && !options.force && existsSync(file)) {
          throw new WeirError('USAGE', `${relative} already exists; it may hold checks someone reviewed`, { hint: 'replace it with --force, or print the suggestions with --stdout' });
        }
        // The file being replaced is loaded into the asset's checks too: its own checks do not count.
        const replaced = existsSync(file) ? checkNamesInFile(await readFile(file, 'utf8')) : new Set<string>();
        const declared = declaredChecks(asset).filter((check) => !replaced.has(check.name));
        return withAssetProfile(runtime, name, { ...sample, ...(options.at ? { version: options.at } : {}) }, async ({ version, profile, target }) => {
          const suggestions = withoutDeclaredChecks(await suggestChecks(target, profile), declared);
          const text = renderChecksFile(suggestions, { asset: name, version: version.version, date: new Date() });
          if (options.stdout) {
            process.stdout.write(text);
            return EXIT.ok;
          }
          await mkdir(join(runtime.project.root, 'checks'), { recursive: true });
          await writeFile(file, text);
          const tolerant = suggestions.checks.filter((check) => check.mostly !== undefined);
          const summary = `${suggestions.checks.length} checks${tolerant.length > 0 ? `, ${tolerant.length} of them warnings with "mostly" (the data breaks them in a few rows today: look at those rows)` : ''}`;
          process.stdout.write(`wrote ${relative}: ${summary}\nreview it, edit it, and commit it; each check has its reason above it\n`);
          return EXIT.ok;
        });
      });
    });
}

/** The checks an asset declares, as {@link withoutDeclaredChecks} compares them. */
function declaredChecks(asset: AssetSpec): DeclaredCheck[] {
  return asset.checks.map((check) => ({
    name: check.name,
    type: check.type,
    columns: check.type === 'unique' ? check.columns : 'column' in check && typeof check.column === 'string' ? [check.column] : [],
  }));
}
