/**
 * A tick that moves every `intervalMs` while the tab is visible: pass it as `useApi`'s `refresh`
 * so a list (runs, backfills, schedules) follows what happens on the server without a reload.
 * A hidden tab asks nothing; it catches up at its next tick once shown.
 */
import { useEffect, useState } from 'react';

/**
 * The tick.
 *
 * @example
 * ```tsx
 * const runs = useApi(() => runApi.list(), 'runs', usePolling(5_000));
 * ```
 */
export function usePolling(intervalMs: number, active = true): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((count) => count + 1);
    }, intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, active]);
  return tick;
}

/** How often lists of things that change while people look refresh themselves. */
export const LIST_REFRESH_MS = 5_000;
/** How often the overview's asset states and recent runs refresh (500+ assets: not every few seconds). */
export const OVERVIEW_REFRESH_MS = 15_000;
/** How often a page about one thing in progress (a running backfill) refreshes itself. */
export const PROGRESS_REFRESH_MS = 2_000;
