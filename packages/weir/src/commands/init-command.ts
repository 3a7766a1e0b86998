/** `weir init [dir] [--size small|medium|large]`: writes the demo shop project. */
import type { Command } from 'commander';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { WeirError } from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { DEMO_SIZES, type DemoSize } from '../demo/demo-data-generator.js';
import { seedDemoDatabase } from '../demo/seed-demo-database.js';
import { writeDemoProject } from '../demo/write-demo-project.js';

/** Registers `init`. */
export function registerInitCommand(program: Command, exit: ExitBox): void {
  program
    .command('init [dir]')
    .description('create a new project with the demo shop (data generated from a seed)')
    .option('--size <size>', 'small (seconds), medium (~1M orders) or large (~10M orders)', 'small')
    .option('--seed <n>', 'seed for the generated data', '42')
    .option('--seed-database', "also create and fill weir_demo.refunds in the PostgreSQL database SHOP_DB_URL names (the demo's database source)")
    .action(async (dir: string | undefined, options: { size: string; seed: string; seedDatabase?: boolean }) => {
      if (!(DEMO_SIZES as readonly string[]).includes(options.size)) throw new WeirError('USAGE', `--size must be one of ${DEMO_SIZES.join(', ')}, not "${options.size}"`);
      const seed = Number(options.seed);
      if (!Number.isSafeInteger(seed)) throw new WeirError('USAGE', `--seed must be a whole number, not "${options.seed}"`);
      const target = resolve(dir ?? '.');
      if (existsSync(target) && readdirSync(target).length > 0) {
        throw new WeirError('USAGE', `${target} is not empty; weir init writes a new project into an empty or new folder`);
      }
      process.stdout.write(`writing the demo shop project (${options.size}) to ${target}\n`);
      const summary = await writeDemoProject(target, { size: options.size as DemoSize, seed, onProgress: (message) => process.stdout.write(`  ${message}\n`) });
      if (options.seedDatabase) {
        const seeded = await seedDemoDatabase(process.env.SHOP_DB_URL ?? '', { orders: summary.rowCounts.orders, seed });
        process.stdout.write(`  filled ${seeded.table} with ${seeded.rows} refunds in the database SHOP_DB_URL names\n`);
      }
      process.stdout.write(`done: ${summary.files.length} files\n\nnext:\n  cd ${dir ?? '.'}\n  weir run\n`);
      exit.code = EXIT.ok;
    });
}
