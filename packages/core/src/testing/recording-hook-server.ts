/**
 * A real HTTP server on 127.0.0.1 that records the requests a webhook receives and answers with
 * scripted statuses, for tests of notifications (in-process and end-to-end). Nothing is mocked:
 * requests go through the network stack as they would to a real hook.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the hook received it. */
export interface RecordedHookRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A scripted answer: a status, with optional headers (`Retry-After`), or `hang` (never answer). */
export type HookAnswer = number | { status: number; headers?: Record<string, string> } | 'hang';

/** A running hook. */
export interface RecordingHookServer {
  /** `http://127.0.0.1:<port>/hook`. */
  url: string;
  port: number;
  requests: RecordedHookRequest[];
  /** Stops listening and drops open connections (a hung request included). */
  close(): Promise<void>;
}

/**
 * Starts a hook answering the scripted `answers` in order, then 200 to everything.
 *
 * @example
 * ```ts
 * const hook = await startRecordingHookServer([500]); // 500 first, then 200
 * // ... deliver ...
 * expect(hook.requests).toHaveLength(2);
 * await hook.close();
 * ```
 */
export async function startRecordingHookServer(answers: HookAnswer[] = []): Promise<RecordingHookServer> {
  const script = [...answers];
  const requests: RecordedHookRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = script.shift() ?? 200;
      if (answer === 'hang') return;
      const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : { status: answer.status, headers: answer.headers ?? {} };
      response.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(status < 300 ? 'ok' : `status ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A URL where nothing listens: a port that was just bound and released, so a connection to it
 * is refused at once.
 *
 * @example
 * ```ts
 * const url = await unreachableHookUrl(); // http://127.0.0.1:40123/hook, refused
 * ```
 */
export async function unreachableHookUrl(): Promise<string> {
  const hook = await startRecordingHookServer();
  await hook.close();
  return hook.url;
}
