/**
 * A run's time limit (`weir run --timeout`, weir.yaml `defaults.run_timeout`): when it passes, the
 * run is stopped the way a cancel stops it (nothing new starts, running steps are interrupted,
 * nothing half-built is published), but it ends `failed`, because nobody asked it to stop.
 */

/** The signal a run obeys: the caller's cancel, or the deadline, whichever comes first. */
export interface RunDeadline {
  signal: AbortSignal;
  /** True once the deadline (not the caller) stopped the run. */
  readonly timedOut: boolean;
  /** Stops the timer; call when the run is over. */
  clear(): void;
}

/**
 * Joins the caller's cancel signal with a timer of `timeoutSeconds` (none when undefined).
 *
 * @example
 * ```ts
 * const deadline = runDeadline(signal, 1800);
 * try { await work(deadline.signal); } finally { deadline.clear(); }
 * if (deadline.timedOut) status = 'failed';
 * ```
 */
export function runDeadline(cancel: AbortSignal, timeoutSeconds: number | undefined): RunDeadline {
  if (timeoutSeconds === undefined) return { signal: cancel, timedOut: false, clear: () => undefined };
  const controller = new AbortController();
  let timedOut = false;
  const onCancel = () => controller.abort(cancel.reason);
  if (cancel.aborted) onCancel();
  else cancel.addEventListener('abort', onCancel, { once: true });
  const timer = setTimeout(() => {
    timedOut = !controller.signal.aborted;
    controller.abort(new Error(`the run timed out after ${describeSeconds(timeoutSeconds)}`));
  }, timeoutSeconds * 1000);
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    clear: () => {
      clearTimeout(timer);
      cancel.removeEventListener('abort', onCancel);
    },
  };
}

/**
 * A duration in seconds as people write it: `90s`, `30m`, `1.5h`.
 *
 * @example
 * ```ts
 * describeSeconds(1800); // '30m'
 * ```
 */
export function describeSeconds(seconds: number): string {
  if (seconds >= 3600 && seconds % 360 === 0) return `${seconds / 3600}h`;
  if (seconds >= 60 && seconds % 6 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
