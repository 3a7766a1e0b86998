/** A small SVG line of a KPI's daily trend: days without data are gaps, a lone day is a dot. */
import type { KpiPoint } from '@weir/core';

const WIDTH = 140;
const HEIGHT = 34;
const PAD = 3;

export function KpiSparkline({ trend, label }: { trend: KpiPoint[]; label: string }) {
  const values = trend.flatMap((point) => (point.value === null ? [] : [point.value]));
  if (values.length === 0) return null;
  const low = Math.min(...values);
  const high = Math.max(...values);
  const x = (index: number) => PAD + (trend.length === 1 ? (WIDTH - 2 * PAD) / 2 : (index * (WIDTH - 2 * PAD)) / (trend.length - 1));
  // A flat series sits in the middle rather than on an edge.
  const y = (value: number) => (high === low ? HEIGHT / 2 : PAD + ((high - value) * (HEIGHT - 2 * PAD)) / (high - low));
  const runs: Array<Array<[number, number]>> = [];
  let current: Array<[number, number]> = [];
  trend.forEach((point, index) => {
    if (point.value === null) {
      if (current.length > 0) runs.push(current);
      current = [];
    } else {
      current.push([x(index), y(point.value)]);
    }
  });
  if (current.length > 0) runs.push(current);
  return (
    <svg className="sparkline" data-testid="sparkline" data-points={values.length} width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${label}, daily trend`}>
      {/* The whole window, oldest day at the left, today at the right. */}
      <line className="baseline" x1={PAD} x2={WIDTH - PAD} y1={HEIGHT - 1} y2={HEIGHT - 1} />
      {runs.map((run, index) =>
        run.length === 1 ? (
          <circle key={index} cx={run[0]![0]} cy={run[0]![1]} r={2} />
        ) : (
          <polyline key={index} points={run.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')} />
        ),
      )}
    </svg>
  );
}
