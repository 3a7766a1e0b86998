/**
 * A TCP proxy in front of `weir serve` that a test can cut: every open connection reset at once,
 * and new ones refused until told otherwise, as when a laptop's network drops. It also keeps the
 * head (request line and headers) of every HTTP request that went through, so a test can see what
 * a client sent when it reconnected.
 */
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A running proxy. */
export interface CuttableProxy {
  /** `http://127.0.0.1:<port>`: the same server, through the proxy. */
  url: string;
  /** Heads of the HTTP requests seen so far, in order. */
  requests: string[];
  /** Resets every open connection (both sides). */
  cut(): void;
  /** While true, new connections are reset as soon as they are accepted. */
  refuse(on: boolean): void;
  close(): Promise<void>;
}

const REQUEST_LINE = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /;

/**
 * Starts a proxy to `target` (an `http://host:port` URL) on a free port of 127.0.0.1.
 *
 * @example
 * ```ts
 * const proxy = await startCuttableProxy(session.url);
 * await page.goto(`${proxy.url}/#/runs`);
 * proxy.refuse(true);
 * proxy.cut();
 * ```
 */
export async function startCuttableProxy(target: string): Promise<CuttableProxy> {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  const requests: string[] = [];
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        open.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      // A request's head arrives at the start of a chunk (one request at a time per connection).
      const text = chunk.toString('latin1');
      if (REQUEST_LINE.test(text)) requests.push(text.split('\r\n\r\n')[0]!);
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  const cut = () => {
    // A reset, not a close: the browser sees a failed connection, not a stream that ended.
    for (const socket of [...open]) socket.resetAndDestroy();
  };
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    cut,
    refuse: (on) => {
      refusing = on;
    },
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
