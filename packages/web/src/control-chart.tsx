/**
 * A small control chart of one metric series, drawn as SVG from the chart the server computes
 * (`GET /api/assets/:name/spc/:metric`, the same object `weir spc show --json` prints): the points
 * in order, the centre line and the control limits the next point will be judged against, and
 * the points that broke a rule in red with the rule in their tooltip. Nothing is computed here
 * but the scale: the verdicts are the server's.
 */
import type { SpcChartBody, SpcRule } from '@weir/core';

const WIDTH = 560;
const HEIGHT = 150;
const PAD = { left: 56, right: 12, top: 10, bottom: 18 };

/** The Western Electric rules as spc-config.ts states them, for tooltips. */
const RULES: Record<SpcRule, string> = {
  1: 'rule 1: a point outside the control limits (3σ)',
  2: 'rule 2: two of three consecutive points beyond 2σ on one side',
  3: 'rule 3: four of five consecutive points beyond 1σ on one side',
  4: 'rule 4: eight points in a row on one side of the centre line',
};

/**
 * Short numbers for labels: 1.2k, 0.034, 101.
 *
 * @example
 * ```ts
 * label(15.6333333); // '15.6'
 * ```
 */
export function label(value: number): string {
  const size = Math.abs(value);
  if (size >= 10_000) return `${(value / 1000).toFixed(size >= 100_000 ? 0 : 1)}k`;
  if (size >= 100 || value === 0) return value.toFixed(0);
  return Number(value.toPrecision(3)).toString();
}

/** The tooltip of one point: when, its value, and every rule it broke with the server's sentence. */
function tooltip(chart: SpcChartBody, index: number): string {
  const point = chart.points[index]!;
  const lines = [`${point.at}: ${point.value}${point.runId ? ` (${point.runId})` : ''}`, `phase: ${point.phase}${point.zone ? `, zone ${point.zone}` : ''}`];
  for (const rule of point.violations) lines.push(RULES[rule]);
  for (const violation of chart.violations) if (violation.at === point.at) lines.push(violation.message);
  if (point.anomalous && point.violations.length === 0) lines.push('recorded as anomalous by its build');
  return lines.join('\n');
}

/**
 * The chart of one series, or a sentence while it has no points.
 *
 * @example
 * ```tsx
 * <ControlChart chart={chart} />
 * ```
 */
export function ControlChart({ chart }: { chart: SpcChartBody }) {
  const { points } = chart;
  if (points.length === 0) return <p>no points yet</p>;
  const limits = [chart.centre, chart.upperLimit, chart.lowerLimit].filter((value): value is number => value !== null);
  const values = [...points.map((point) => point.value), ...limits];
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (high === low) {
    // A flat series still needs a visible band around it.
    const pad = Math.abs(high) * 0.1 || 1;
    low -= pad;
    high += pad;
  }
  const margin = (high - low) * 0.08;
  low -= margin;
  high += margin;
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const x = (index: number) => PAD.left + (points.length === 1 ? plotWidth / 2 : (index / (points.length - 1)) * plotWidth);
  const y = (value: number) => PAD.top + ((high - value) / (high - low)) * plotHeight;
  // Axis labels of lines drawn close together would overprint: the limits keep theirs, the centre gives way.
  const labelled = (value: number, kind: string) =>
    kind !== 'centre-line' || [chart.upperLimit, chart.lowerLimit].every((limit) => limit === null || Math.abs(y(limit) - y(value)) >= 11);
  const line = (value: number | null, kind: 'centre-line' | 'upper-limit' | 'lower-limit', name: string) =>
    value === null ? null : (
      <g data-testid={kind} data-value={value} className={kind}>
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(value)} y2={y(value)}>
          <title>{`${name}: ${value}`}</title>
        </line>
        {labelled(value, kind) ? (
          <text x={PAD.left - 4} y={y(value) + (kind === 'upper-limit' ? -1 : kind === 'lower-limit' ? 9 : 4)} textAnchor="end">
            {label(value)}
          </text>
        ) : null}
      </g>
    );
  return (
    <svg className="control-chart" data-testid="control-chart" data-metric={chart.metric} data-status={chart.status} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width={WIDTH} height={HEIGHT} role="img" aria-label={`control chart of ${chart.metric}: ${chart.status}`}>
      <rect className="plot" x={PAD.left} y={PAD.top} width={plotWidth} height={plotHeight} />
      {line(chart.upperLimit, 'upper-limit', 'upper control limit')}
      {line(chart.centre, 'centre-line', 'centre')}
      {line(chart.lowerLimit, 'lower-limit', 'lower control limit')}
      {chart.centre === null ? (
        <text className="learning-note" x={PAD.left + 6} y={PAD.top + 14}>
          learning: limits after {chart.config.minPoints} points
        </text>
      ) : null}
      <polyline className="series" points={points.map((point, index) => `${x(index)},${y(point.value)}`).join(' ')} />
      {points.map((point, index) => (
        <circle
          key={`${point.at}-${index}`}
          className={point.anomalous ? 'point violation' : 'point'}
          data-testid={point.anomalous ? 'violation' : 'point'}
          data-rules={point.violations.join(',')}
          cx={x(index)}
          cy={y(point.value)}
          r={point.anomalous ? 4.5 : 3}
        >
          <title>{tooltip(chart, index)}</title>
        </circle>
      ))}
      <text className="axis" x={PAD.left} y={HEIGHT - 4}>
        {points[0]!.at.slice(0, 10)}
      </text>
      <text className="axis" x={WIDTH - PAD.right} y={HEIGHT - 4} textAnchor="end">
        {points.at(-1)!.at.slice(0, 10)}
      </text>
    </svg>
  );
}
