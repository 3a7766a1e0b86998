/**
 * The client side of handing a run to `weir serve`: submit it, then follow its server-sent events
 * and draw them with the same progress display as a run in this process, so the output is the same
 * wherever the run executes.
 */
import { WeirError, type WeirErrorCode } from '@weir/core';
import type { RunProgress } from '../output/run-progress.js';
import type { ErrorBody, RunMessage, RunSubmission } from '../server/run-hub.js';
import type { ServeRecord } from '../server/serve-file.js';

/** How a run handed to the server ended. */
export interface RemoteRunResult {
  runId: string;
  status: string;
}

function toWeirError(body: ErrorBody): WeirError {
  return new WeirError(body.code as WeirErrorCode, body.message, {
    ...(body.hint === undefined ? {} : { hint: body.hint }),
    ...(body.location === undefined ? {} : { location: body.location }),
  });
}

/** The API token for a server that requires one: `WEIR_TOKEN` (never written anywhere). */
function authHeaders(): Record<string, string> {
  const token = process.env.WEIR_TOKEN?.trim();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** A refusal by the server's token check, said for the person at the terminal. */
function accessError(server: ServeRecord, body: ErrorBody): WeirError {
  if (body.code === 'UNAUTHORIZED') {
    return process.env.WEIR_TOKEN?.trim()
      ? new WeirError('UNAUTHORIZED', `weir serve at ${server.url} refused the token in WEIR_TOKEN: ${body.message}`, { hint: 'see weir tokens ls; make a new one with weir tokens create <name> --role editor' })
      : new WeirError('UNAUTHORIZED', `weir serve at ${server.url} requires an API token and WEIR_TOKEN is not set`, {
          hint: 'set WEIR_TOKEN to an editor or admin token (weir tokens create <name> --role editor prints one)',
        });
  }
  return toWeirError(body);
}

async function post(server: ServeRecord, path: string, body: unknown): Promise<Response> {
  try {
    return await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeaders() }, body: JSON.stringify(body) });
  } catch (error) {
    throw new WeirError('SERVER_UNREACHABLE', `weir serve (pid ${server.pid}) at ${server.url} did not answer: ${(error as Error).message}`);
  }
}

/**
 * Hands one call to the server (with `WEIR_TOKEN` when set) and returns its JSON answer; a refusal
 * is thrown as the server's `WeirError` (401 said for the person at the terminal).
 *
 * @example
 * ```ts
 * const result = await callServer<RollbackBody>(server, '/api/assets/revenue/rollback', { version: '3f2a' });
 * ```
 */
export async function callServer<T>(server: ServeRecord, path: string, body: unknown): Promise<T> {
  const response = await post(server, path, body);
  const answer = (await response.json().catch(() => undefined)) as (T & { error?: ErrorBody }) | undefined;
  if (!response.ok || answer === undefined) {
    throw answer?.error ? accessError(server, answer.error) : new WeirError('INTERNAL', `weir serve answered HTTP ${response.status} to POST ${path}`);
  }
  return answer;
}

/**
 * Submits a run to the server and draws its progress until it ends. Ctrl-C asks the server to
 * cancel the run (a second Ctrl-C leaves at once; the run goes on being cancelled in the server).
 *
 * @example
 * ```ts
 * const { runId, status } = await runThroughServer(server, { command: 'run', select: ['orders+'], exclude: [] }, progress);
 * ```
 */
export async function runThroughServer(server: ServeRecord, submission: RunSubmission, progress: RunProgress): Promise<RemoteRunResult> {
  const response = await post(server, '/api/runs', submission);
  const answer = (await response.json().catch(() => undefined)) as { runId?: string; error?: ErrorBody } | undefined;
  if (!response.ok || answer?.runId === undefined) {
    throw answer?.error ? accessError(server, answer.error) : new WeirError('INTERNAL', `weir serve answered HTTP ${response.status} to a run`);
  }
  const runId = answer.runId;
  progress.line(`handed to weir serve (pid ${server.pid}) at ${server.url}`);
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    progress.line('cancelling: asking weir serve to stop the run (press Ctrl-C again to leave at once)');
    void post(server, `/api/runs/${encodeURIComponent(runId)}/cancel`, {}).catch(() => undefined);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await follow(server, runId, progress);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Reads the run's event stream to its end message. */
async function follow(server: ServeRecord, runId: string, progress: RunProgress): Promise<RemoteRunResult> {
  let response: Response;
  try {
    response = await fetch(`${server.url}/api/runs/${encodeURIComponent(runId)}/stream`, { headers: authHeaders() });
  } catch (error) {
    throw new WeirError('SERVER_UNREACHABLE', `lost weir serve (pid ${server.pid}) while following run ${runId}: ${(error as Error).message}`);
  }
  if (!response.ok || response.body === null) throw new WeirError('SERVER_UNREACHABLE', `weir serve answered HTTP ${response.status} when following run ${runId}`);
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for await (const chunk of response.body) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      // Server-sent events are separated by a blank line; each data line holds one JSON message.
      for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart())
          .join('\n');
        if (data === '') continue;
        const outcome = draw(JSON.parse(data) as RunMessage, progress);
        if (outcome !== undefined) return outcome;
      }
    }
  } catch (error) {
    if (error instanceof WeirError) throw error;
    throw new WeirError('SERVER_UNREACHABLE', `lost weir serve (pid ${server.pid}) while following run ${runId}: ${(error as Error).message}`, {
      hint: `the run may have gone on in the server: see weir runs`,
    });
  }
  throw new WeirError('SERVER_UNREACHABLE', `weir serve (pid ${server.pid}) stopped sending run ${runId} before it ended`, { hint: 'see weir runs for how it ended' });
}

function draw(message: RunMessage, progress: RunProgress): RemoteRunResult | undefined {
  switch (message.kind) {
    case 'line':
      progress.line(message.text);
      return undefined;
    case 'event':
      progress.onEvent(message.event);
      return undefined;
    case 'log':
      progress.onLog(message.asset, message.message);
      return undefined;
    case 'rows':
      progress.onRows(message.asset, message.rows);
      return undefined;
    case 'end':
      return { runId: message.runId, status: message.status };
    case 'error':
      throw toWeirError(message.error);
  }
}
