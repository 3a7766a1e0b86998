/**
 * One KPI from dated samples: the value over the window, over the previous window, and per day,
 * all by the same fold, so a day's point and the window's value never disagree in definition.
 */
import type { KpiValue } from '../api/kpi-types.js';
import { dayOf, type KpiWindow } from './kpi-window.js';

/** A sample and the instant it counts at (epoch milliseconds). */
export interface DatedSample<T> {
  at: number;
  sample: T;
}

/**
 * Folds samples into a {@link KpiValue}; samples outside both windows are ignored.
 *
 * @example
 * ```ts
 * const share = (passed: boolean[]) => (passed.length === 0 ? null : passed.filter(Boolean).length / passed.length);
 * const kpi = foldByDay(kpiWindow(new Date(), 30), results.map((r) => ({ at: Date.parse(r.evaluatedAt), sample: r.passed })), share);
 * ```
 */
export function foldByDay<T>(window: KpiWindow, samples: ReadonlyArray<DatedSample<T>>, fold: (samples: T[]) => number | null): KpiValue {
  const current: T[] = [];
  const previous: T[] = [];
  const byDay = new Map<string, T[]>();
  for (const { at, sample } of samples) {
    if (at >= window.from && at < window.to) {
      current.push(sample);
      const day = dayOf(at);
      const list = byDay.get(day);
      if (list) list.push(sample);
      else byDay.set(day, [sample]);
    } else if (at >= window.previousFrom && at < window.from) {
      previous.push(sample);
    }
  }
  return {
    value: fold(current),
    previous: fold(previous),
    trend: window.days.map((day) => {
      const list = byDay.get(day);
      return { day, value: list === undefined ? null : fold(list) };
    }),
    samples: current.length,
  };
}
