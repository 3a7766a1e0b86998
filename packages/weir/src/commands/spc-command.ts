/**
 * `weir spc show <asset> <metric>`: the control chart of a recorded metric (`--json` for the UI);
 * `weir spc rebaseline <asset> <metric>`: set the learned limits aside on purpose, so the next
 * builds learn new ones. A column metric names its column as `--column email`, or in the metric
 * argument as `null_rate.email` or `null_rate:email`.
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { rebaselineSpc, resolveSpcSeries, seriesLabel, spcSeriesFor, WeirError, type MetricSeriesKey } from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { formatSpcChart } from '../output/format-spc-chart.js';
import { printJson } from '../output/json-output.js';
import { withProject } from './command-options.js';

interface SeriesOptions {
  column?: string;
  json?: boolean;
}

const METRIC_ARGUMENT = 'a metric: row_count, freshness_lag_hours, build_seconds, or a column metric such as null_rate.email';

/** Registers `spc show` and `spc rebaseline`. */
export function registerSpcCommand(program: Command, exit: ExitBox): void {
  const spc = program.command('spc').description('statistical process control of the metrics every build records');

  spc
    .command('show <asset> <metric>')
    .description('the control chart of a metric: status, limits, baseline, the newest points and the violations')
    .option('--column <name>', 'the column of a column metric (or write null_rate.email)')
    .option('--json', 'print the chart as JSON (points, centre, limits, violations)')
    .addHelpText('after', `\n<metric> is ${METRIC_ARGUMENT}.`)
    .action(async (asset: string, metric: string, options: SeriesOptions, command: Command) => {
      const series = seriesOf(asset, metric, options.column);
      exit.code = await withProject(command, async ({ project, store }) => {
        const view = await spcSeriesFor(store, project, series);
        if (options.json) printJson(view.chart);
        else process.stdout.write(formatSpcChart(view));
        return EXIT.ok;
      });
    });

  spc
    .command('rebaseline <asset> <metric>')
    .description('learn new control limits from the next builds (after a deliberate change of the data)')
    .option('--column <name>', 'the column of a column metric (or write null_rate.email)')
    .option('--reason <text>', 'why, for the record (e.g. "new upstream feed doubles volume")')
    .option('--json', 'print the recorded event as JSON')
    .addHelpText('after', `\n<metric> is ${METRIC_ARGUMENT}.`)
    .action(async (asset: string, metric: string, options: SeriesOptions & { reason?: string }, command: Command) => {
      const series = seriesOf(asset, metric, options.column);
      exit.code = await withProject(command, async ({ project, store }) => {
        const actor = currentUser();
        const event = await rebaselineSpc(store, project, { ...series, ...(actor ? { actor } : {}), ...(options.reason ? { reason: options.reason } : {}) });
        if (options.json) {
          printJson(event);
          return EXIT.ok;
        }
        const { config } = resolveSpcSeries(project, series);
        const label = `${seriesLabel(series)} of ${asset}`;
        const out = (text: string): boolean => process.stdout.write(`${text}\n`);
        out(`rebaselined ${label} at ${event.at}${event.reason ? ` (${event.reason})` : ''}`);
        out(`the points before keep their verdicts; the limits learned from them are set aside.`);
        out(
          `next: the following builds learn new limits. ${label} is not judged until ${config.minPoints} new points are recorded, ` +
            `is judged against provisional limits after that, and the limits freeze at ${config.baselinePoints} points.`,
        );
        out(`see it with: weir spc show ${asset} ${series.column === undefined ? series.metric : `${series.metric}.${series.column}`}`);
        return EXIT.ok;
      });
    });
}

/**
 * The series a command names: `--column`, or a column written into the metric argument as
 * `null_rate.email` / `null_rate:email` (split at the first `.` or `:`).
 */
export function seriesOf(asset: string, metric: string, column: string | undefined): MetricSeriesKey {
  const written = /^([^.:]+)[.:](.+)$/.exec(metric);
  if (written && column !== undefined) {
    throw new WeirError('USAGE', `the column is given twice: "${metric}" and --column ${column}`, { hint: `write either ${written[1]}.${column} or ${written[1]} --column ${column}` });
  }
  if (column === '') throw new WeirError('USAGE', '--column needs a column name');
  const name = written ? (written[1] as string) : metric;
  const of = written ? written[2] : column;
  return { asset, metric: name, ...(of === undefined ? {} : { column: of }) };
}

/** Who is rebaselining, for the record; nothing when the system cannot tell. */
function currentUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME;
  }
}
