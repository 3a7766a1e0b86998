/**
 * Tying a statement to an `AbortSignal`: when the signal aborts, `stop` interrupts the engine
 * (DuckDB interrupts the connection, PostgreSQL cancels the backend) and the call rejects with the
 * signal's reason, which says why (a timeout, a Ctrl-C) rather than the engine's "interrupted".
 */

/**
 * Runs `work`, calling `stop` if `signal` aborts meanwhile. A stop still in flight is awaited
 * before returning, so the connection is quiet before anyone reuses it.
 *
 * @example
 * ```ts
 * await withAbort(signal, () => session.interrupt(), () => session.execute(sql));
 * ```
 */
export async function withAbort<T>(signal: AbortSignal | undefined, stop: () => Promise<void> | void, work: () => Promise<T>): Promise<T> {
  signal?.throwIfAborted();
  let stopping: Promise<void> | void = undefined;
  const onAbort = (): void => {
    stopping = stop();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await work();
    signal?.throwIfAborted();
    return result;
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await stopping;
  }
}
