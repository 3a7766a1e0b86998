/**
 * A control chart for the terminal (`weir spc show`): the status in one line, the limits and the
 * baseline they come from, the newest points with their zone and verdict, and every violation
 * with its message. The UI draws the same chart from `--json`.
 */
import type { SpcChart, SpcChartPoint, SpcSeriesView } from '@weir/core';
import { formatTable } from './format-table.js';

/** How many of the newest points the table shows. */
export const SPC_POINTS_SHOWN = 20;

/**
 * The chart of `view` as text, ending with a newline.
 *
 * @example
 * ```ts
 * process.stdout.write(formatSpcChart(await spcSeriesFor(store, project, { asset: 'orders', metric: 'row_count' })));
 * ```
 */
export function formatSpcChart(view: SpcSeriesView): string {
  const { chart } = view;
  const lines: string[] = [];
  lines.push(`${view.asset}  ${chart.metric}  ${statusLine(view)}`);
  lines.push(`  judged by: ${watcherText(view)}`);
  if (chart.centre !== null && chart.lowerLimit !== null && chart.upperLimit !== null) {
    lines.push(`  limits:    centre ${formatSpcNumber(chart.centre)}, lower ${formatSpcNumber(chart.lowerLimit)}, upper ${formatSpcNumber(chart.upperLimit)}  (σ̂ ${formatSpcNumber(chart.sigma ?? 0)})`);
  } else {
    lines.push('  limits:    none yet');
  }
  if (chart.baseline) {
    const { from, to, points, frozen } = chart.baseline;
    const state = frozen
      ? 'frozen: the limits no longer move until a rebaseline'
      : `provisional: the limits still learn, and freeze at ${chart.config.baselinePoints} points`;
    lines.push(`  baseline:  ${points} points, ${timeText(from)} to ${timeText(to)}; ${state}`);
  }
  lines.push(`  settings:  ${settingsText(chart)}`);
  const last = view.rebaselines.at(-1);
  if (last !== undefined) {
    const since = chart.points.filter((point) => Date.parse(point.at) >= Date.parse(last)).length;
    lines.push(`  rebaselined ${timeText(last)}: ${since} point(s) since${view.rebaselines.length > 1 ? ` (${view.rebaselines.length} rebaselines in all)` : ''}`);
  }

  const shown = chart.points.slice(-SPC_POINTS_SHOWN);
  const title = shown.length === chart.points.length ? `Points (${shown.length})` : `Last ${shown.length} of ${chart.points.length} points`;
  const firstShown = chart.points.length - shown.length;
  const rows = shown.map((point, index) => pointRow(point, chart.points[firstShown + index - 1]));
  lines.push('', title, formatTable(rows, ['at', 'value', 'sigmas', 'zone', 'phase', 'verdict']));
  lines.push('  times in UTC; zone: C within 1σ, B within 2σ, A within the limits, beyond outside them, "-" while learning');

  if (chart.violations.length === 0) {
    lines.push('', 'Violations: none');
  } else {
    lines.push('', `Violations (${chart.violations.length})`);
    for (const violation of chart.violations) lines.push(`  ${timeText(violation.at)}  rule ${violation.rule}: ${violation.message}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A metric value for people: whole numbers with separators, others with four significant digits.
 *
 * @example
 * ```ts
 * formatSpcNumber(120512); // '120,512'
 * formatSpcNumber(0.0201347); // '0.02013'
 * ```
 */
export function formatSpcNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (Math.abs(value) >= 1000) return value.toLocaleString('en-US', { maximumFractionDigits: 1 });
  return String(Number(value.toPrecision(4)));
}

function statusLine(view: SpcSeriesView): string {
  const { chart } = view;
  if (chart.status === 'out_of_control') return 'OUT OF CONTROL: the newest point breaks a rule';
  if (chart.status === 'in_control') return 'in control';
  const period = view.rebaselines.length;
  const learned = chart.points.filter((point) => point.period === period && point.inBaseline).length;
  const perWeekday = chart.config.seasonality === 'day_of_week' ? ' per weekday' : '';
  return `learning: ${learned} of the ${chart.config.minPoints} points needed${perWeekday} before judging (never alerts until then)`;
}

function watcherText(view: SpcSeriesView): string {
  const { check } = view;
  if (view.watchedBy === 'check') return `spc check ${check.name} (${check.severity}${check.severity === 'error' ? ': a point out of control holds the build back' : ''})`;
  if (view.watchedBy === 'default_monitor') return `default monitor ${check.name} (warn)`;
  return 'no spc check watches it: drawn with the default settings for this metric; builds never flag it';
}

function settingsText(chart: SpcChart): string {
  const { config } = chart;
  const rules = ([1, 2, 3, 4] as const).filter((rule) => config.rules[rule]);
  const parts = [
    `rules ${rules.join(', ') || 'none'}`,
    `floors ${formatSpcNumber(config.absoluteFloor)} absolute, ${formatSpcNumber(config.relativeFloor * 100)}% of the centre`,
    config.direction === 'both' ? 'both directions' : `${config.direction} only`,
  ];
  if (config.seasonality === 'day_of_week') parts.push(`per weekday (${config.timeZone})`);
  return parts.join('; ');
}

function pointRow(point: SpcChartPoint, previous: SpcChartPoint | undefined): Record<string, string> {
  const verdict: string[] = [];
  if (previous !== undefined && point.period > previous.period) verdict.push('new baseline');
  if (point.violations.length > 0) verdict.push(`ANOMALOUS: rule ${point.violations.join(', ')}`);
  else if (point.anomalous) verdict.push('anomalous (recorded)');
  else if (point.phase !== 'learning') verdict.push(point.inBaseline ? 'ok, in baseline' : 'ok');
  return {
    at: timeText(point.at),
    value: formatSpcNumber(point.value),
    sigmas: point.sigmas === null ? '-' : `${point.sigmas >= 0 ? '+' : ''}${point.sigmas.toFixed(1)}σ`,
    zone: point.zone ?? '-',
    phase: point.phase,
    verdict: verdict.join('; '),
  };
}

function timeText(at: string): string {
  return at.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}
