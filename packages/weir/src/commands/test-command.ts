/**
 * `weir test [selectors...]`: runs the unit tests of models (`tests/*.yaml`), each on its fixture
 * rows in an in-memory database of its own. It reads only the project's files: neither the
 * warehouse nor the state store is opened, so it runs beside a `weir run` and in CI without data.
 */
import type { Command } from 'commander';
import { buildAssetGraph, loadModelTests, loadProject, runModelTests, selectAssets, type ModelTest, type Project } from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { printJson } from '../output/json-output.js';
import { formatTestResult, formatTestSummary } from '../output/model-test-report.js';
import { openTestEngine } from '../runtime/project-runtime.js';
import { globalOptions, selectorList } from './command-options.js';

/** Registers `test`. */
export function registerTestCommand(program: Command, exit: ExitBox): void {
  program
    .command('test [selectors...]')
    .description('run the unit tests of models (tests/*.yaml) on their fixture rows, without touching the warehouse; selectors pick the models tested (name, name+, tag:x, path:models/x)')
    .option('--json', 'print the results as JSON')
    .action(async (selectors: string[], options: { json?: boolean }, command: Command) => {
      const global = globalOptions(command);
      const project = await loadProject(global.project ?? process.cwd(), global.env ? { environment: global.env } : {});
      const tests = selectTests(project, await loadModelTests(project), selectorList(selectors));
      const results = await runModelTests(project, tests, openTestEngine, options.json ? {} : { onResult: (result) => process.stdout.write(formatTestResult(result)) });
      const count = (status: string): number => results.filter((result) => result.status === status).length;
      if (options.json) {
        printJson({ passed: count('passed'), failed: count('failed'), errors: count('error'), tests: results });
      } else if (results.length === 0) {
        process.stdout.write(selectors.length > 0 ? 'no model tests for the selected models\n' : 'no model tests: write them in tests/*.yaml (see docs/model-tests.md)\n');
      } else {
        process.stdout.write(formatTestSummary(results));
      }
      exit.code = count('passed') < results.length ? EXIT.dataFailed : EXIT.ok;
    });
}

/** The tests of the selected models (every test when nothing is selected). */
function selectTests(project: Project, tests: ModelTest[], select: string[]): ModelTest[] {
  if (select.length === 0) return tests;
  const selected = selectAssets(buildAssetGraph(project), project, { select, exclude: [] });
  return tests.filter((test) => selected.has(test.model));
}
