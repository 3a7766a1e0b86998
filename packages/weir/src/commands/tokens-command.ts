/**
 * `weir tokens create <name> --role <role>` makes an API token for `weir serve` and prints it once
 * (only its hash is kept); `weir tokens ls` lists tokens (never a token or its hash); `weir tokens
 * revoke <name>` stops a token working (a running server notices within a second or two).
 */
import type { Command } from 'commander';
import { WeirError } from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { formatTable } from '../output/format-table.js';
import { printJson } from '../output/json-output.js';
import { createApiToken, parseApiRole, revokeApiToken, whoAmI } from '../server/api-tokens.js';
import { withProject } from './command-options.js';

/** Registers `tokens create`, `tokens ls` and `tokens revoke`. */
export function registerTokensCommand(program: Command, exit: ExitBox): void {
  const tokens = program.command('tokens').description('make, list and revoke API tokens of weir serve (viewer, editor, admin)');

  tokens
    .command('create <name>')
    .description('make a token and print it once: viewer reads, editor also starts and cancels runs, admin does everything')
    .option('--role <role>', 'viewer, editor or admin')
    .action(async (name: string, options: { role?: string }, command: Command) => {
      if (options.role === undefined) throw new WeirError('USAGE', 'say what the token may do: --role viewer, editor or admin');
      const role = parseApiRole(options.role);
      exit.code = await withProject(command, async ({ store }) => {
        const { token } = await createApiToken(store, { name, role, by: whoAmI() });
        process.stdout.write(`${token}\n`);
        // On stderr, so `WEIR_TOKEN=$(weir tokens create ci --role editor)` captures the token alone.
        process.stderr.write(`made ${role} token "${name}": keep it now, it is shown only this once (Weir keeps only its hash)\n`);
        return EXIT.ok;
      });
    });

  tokens
    .command('ls')
    .description('list tokens: name, role, when and by whom made and revoked')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      exit.code = await withProject(command, async ({ store }) => {
        const rows = (await store.apiTokens()).map((token) => ({
          name: token.name,
          role: token.role,
          created: token.createdAt,
          by: token.createdBy,
          revoked: token.revokedAt === null ? 'no' : `${token.revokedAt} by ${token.revokedBy ?? '?'}`,
        }));
        if (options.json) printJson(rows);
        else if (rows.length === 0) process.stdout.write('no API tokens: make one with weir tokens create <name> --role viewer|editor|admin\n');
        else process.stdout.write(`${formatTable(rows, ['name', 'role', 'created', 'by', 'revoked'])}\n`);
        return EXIT.ok;
      });
    });

  tokens
    .command('revoke <name>')
    .description('revoke the active token of that name')
    .action(async (name: string, _options: unknown, command: Command) => {
      exit.code = await withProject(command, async ({ store }) => {
        await revokeApiToken(store, { name, by: whoAmI() });
        process.stdout.write(`revoked token "${name}"\n`);
        return EXIT.ok;
      });
    });
}
