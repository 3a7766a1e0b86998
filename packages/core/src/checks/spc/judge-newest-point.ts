/**
 * The verdict a build needs: does the value just measured break a rule, which, and why.
 */
import { WeirError } from '../../errors/weir-error.js';
import { statusOf } from './control-chart.js';
import { WEEKDAY_NAMES } from './day-of-week.js';
import { describeLimits, formatNumber } from './describe-violation.js';
import { prepareSeries, seriesEndingAt } from './prepare-series.js';
import { replaySeries, type ReplayedPoint } from './replay-series.js';
import type { SpcJudgement, SpcSeriesInput } from './spc-types.js';

/**
 * Judges the newest point of `input.points` (the last in time order) exactly as
 * {@link buildControlChart} would, without judging the rest of the history: only the newest
 * point's comparison series is replayed, and only until its limits froze.
 *
 * @example
 * ```ts
 * const verdict = judgeNewestPoint({
 *   metric: 'row_count',
 *   points: [...history, { at: run.startedAt, value: rows, runId: run.id }],
 *   rebaselines,
 *   anomalies,
 *   config: monitorSpcConfig('volume'),
 * });
 * if (verdict.status === 'out_of_control') console.log(verdict.message);
 * ```
 */
export function judgeNewestPoint(input: SpcSeriesInput): SpcJudgement {
  const { points } = prepareSeries(input);
  const newestIndex = points.length - 1;
  if (newestIndex < 0) throw new WeirError('INTERNAL', `spc: no point of ${input.metric} to judge`);
  const series = seriesEndingAt(points, newestIndex);
  const replay = replaySeries(input.metric, series, input.config, 'newest').points;
  const replayed = replay.at(-1) as ReplayedPoint;
  const baselineSoFar = replay.filter((p) => p.inBaseline).length;
  const { point, limits } = replayed;
  const status = statusOf(replayed);
  return {
    metric: input.metric,
    at: point.at,
    value: point.value,
    ...(point.runId === undefined ? {} : { runId: point.runId }),
    status,
    phase: replayed.phase,
    rules: replayed.violations.map((v) => v.rule),
    violations: replayed.violations,
    limits,
    zone: replayed.position?.zone ?? null,
    sigmas: replayed.position?.sigmas ?? null,
    message: messageOf(input.metric, replayed, baselineSoFar, input.config.minPoints),
  };
}

function messageOf(metric: string, replayed: ReplayedPoint, baselineSoFar: number, minPoints: number): string {
  const { point, limits } = replayed;
  if (!limits) {
    const of = point.weekday === null ? '' : ` of ${WEEKDAY_NAMES[point.weekday]}s`;
    return `${metric}: learning, ${baselineSoFar} of the ${minPoints} baseline points${of} needed before judging`;
  }
  if (replayed.violations.length > 0) return replayed.violations.map((v) => `rule ${v.rule}: ${v.message}`).join('; ');
  const value = formatNumber(point.value);
  if (replayed.anomalous) return `${metric} = ${value} was recorded as anomalous earlier`;
  return `${metric} = ${value} is in control (${describeLimits(limits)})`;
}
