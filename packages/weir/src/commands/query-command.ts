/** `weir query "<sql>"`: runs SQL against the environment's published views. */
import type { Command } from 'commander';
import { WeirError, messageOf } from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { formatCsv, formatTable } from '../output/format-table.js';
import { printJson } from '../output/json-output.js';
import { withProject } from './command-options.js';

const FORMATS = ['table', 'csv', 'json'] as const;

/** Registers `query`. */
export function registerQueryCommand(program: Command, exit: ExitBox): void {
  program
    .command('query <sql>')
    .description('run SQL against the published assets of the environment (plain names resolve to its views)')
    .option('-f, --format <format>', 'table, csv or json', 'table')
    .option('--json', 'same as --format json')
    .action(async (sql: string, options: { format: string; json?: boolean }, command: Command) => {
      const format = options.json ? 'json' : options.format;
      if (!(FORMATS as readonly string[]).includes(format)) throw new WeirError('USAGE', `--format must be one of ${FORMATS.join(', ')}, not "${format}"`);
      exit.code = await withProject(command, async (runtime) => {
        const engine = await runtime.engine();
        const session = await engine.session();
        let rows: Array<Record<string, unknown>>;
        try {
          await session.setSearchPath(runtime.project.environment);
          rows = await session.query(sql);
        } catch (error) {
          throw new WeirError('SQL_EXECUTION', `query failed: ${messageOf(error)}`, { cause: error });
        } finally {
          await session.close();
        }
        const columns = Object.keys(rows[0] ?? {});
        if (format === 'json') printJson(rows);
        else if (format === 'csv') process.stdout.write(`${formatCsv(rows, columns)}\n`);
        else process.stdout.write(`${rows.length === 0 ? '(no rows)' : formatTable(rows, columns)}\n`);
        return EXIT.ok;
      });
    });
}
