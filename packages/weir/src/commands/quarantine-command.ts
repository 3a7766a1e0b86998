/**
 * `weir quarantine ls | show <asset> | replay <asset>`: the rows checks with `on_fail: quarantine`
 * held back, and sending them through the checks again after an upstream fix.
 */
import type { Command } from 'commander';
import { QUARANTINE_COLUMNS, countReplayable, quarantineRelation, quarantines, WeirError } from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { formatTable } from '../output/format-table.js';
import { printJson } from '../output/json-output.js';
import { requireAsset, withLockedProject, withProject } from './command-options.js';
import { executeRun } from './run-command.js';

/** Registers `quarantine` and its subcommands. */
export function registerQuarantineCommands(program: Command, exit: ExitBox): void {
  const quarantine = program.command('quarantine').description('rows held back by checks with on_fail: quarantine');

  quarantine
    .command('ls')
    .description('assets that quarantine rows, with how many are held and how many would pass now')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      exit.code = await withProject(command, async (runtime) => {
        const holding = [...runtime.project.assets.values()].filter((asset) => asset.checks.some(quarantines));
        const engine = await runtime.engine();
        const rows = [];
        for (const asset of holding) {
          const counts = await countReplayable(asset.checks, engine, runtime.project.environment, asset.name);
          const table = quarantineRelation(runtime.project.environment, asset.name);
          rows.push({ asset: asset.name, held: counts.releasable + counts.stillFailing, would_pass_now: counts.releasable, table: `${table.schema}.${table.name}` });
        }
        if (options.json) printJson(rows);
        else if (rows.length === 0) process.stdout.write('no asset quarantines rows (add on_fail: quarantine to a row-level check)\n');
        else process.stdout.write(`${formatTable(rows, ['asset', 'held', 'would_pass_now', 'table'])}\n`);
        return EXIT.ok;
      });
    });

  quarantine
    .command('show <asset>')
    .description('the rows held back for an asset, with the checks they broke and why')
    .option('-n, --limit <n>', 'rows to show', '20')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean; limit: string }, command: Command) => {
      exit.code = await withProject(command, async (runtime) => {
        const asset = requireAsset(runtime.project, name);
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new WeirError('USAGE', `--limit must be a whole number >= 1, not "${options.limit}"`);
        const engine = await runtime.engine();
        const table = quarantineRelation(runtime.project.environment, asset.name);
        const columns = await engine.describe(table);
        if (columns === undefined) {
          if (options.json) printJson({ asset: asset.name, rows: [] });
          else process.stdout.write(`no rows of ${asset.name} are quarantined in ${runtime.project.environment}\n`);
          return EXIT.ok;
        }
        const session = await engine.session();
        try {
          const at = engine.quoteIdentifier(QUARANTINE_COLUMNS.at);
          const rows = await session.query(`SELECT * FROM ${engine.quoteRelation(table)} ORDER BY ${at} DESC LIMIT ${limit}`);
          const [total] = await session.query(`SELECT count(*) AS n FROM ${engine.quoteRelation(table)}`);
          if (options.json) printJson({ asset: asset.name, table: `${table.schema}.${table.name}`, total: Number(total?.n ?? 0), rows });
          else {
            process.stdout.write(`${Number(total?.n ?? 0)} row(s) of ${asset.name} held in ${table.schema}.${table.name}${Number(total?.n ?? 0) > rows.length ? ` (newest ${rows.length} shown)` : ''}\n`);
            if (rows.length > 0) process.stdout.write(`${formatTable(rows, columns.map((column) => column.name))}\n`);
          }
          return EXIT.ok;
        } finally {
          await session.close();
        }
      });
    });

  quarantine
    .command('replay <asset>')
    .description('send the held rows through the checks again; rows that pass now are published with the asset')
    .option('--wait', 'wait for another run of this project to finish instead of refusing')
    .option('--json', 'print the run result as JSON')
    .action(async (name: string, options: { wait?: boolean; json?: boolean }, command: Command) => {
      exit.code = await withLockedProject(command, async (runtime, held) => {
        const asset = requireAsset(runtime.project, name);
        if (!asset.checks.some(quarantines)) throw new WeirError('USAGE', `${asset.name} has no check with on_fail: quarantine, so nothing of it is held`);
        const counts = await countReplayable(asset.checks, await runtime.engine(), runtime.project.environment, asset.name);
        if (counts.releasable === 0) {
          const message = counts.stillFailing === 0 ? `no rows of ${asset.name} are quarantined` : `${counts.stillFailing} quarantined row(s) of ${asset.name} still fail their checks: nothing to replay`;
          if (options.json) printJson({ asset: asset.name, released: 0, stillFailing: counts.stillFailing, message });
          else process.stdout.write(`${message}\n`);
          return EXIT.ok;
        }
        if (!options.json) process.stdout.write(`${counts.releasable} quarantined row(s) of ${asset.name} pass now; ${counts.stillFailing} still fail and stay held\n`);
        return executeRun(runtime, held, { selected: new Set([asset.name]), select: [asset.name], exclude: [], command: 'quarantine replay', mode: 'replay', options });
      });
    });
}
