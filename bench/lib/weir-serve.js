/**
 * `weir serve --port 0` on a bench project, for the benchmarks that measure the server or the web
 * app: resolves with the URL it prints and a `stop` that ends it with SIGTERM.
 */
import { spawn } from 'node:child_process';
import { WEIR_BIN } from './measure.js';

/**
 * Starts `weir serve --port 0` in `cwd` and waits for its URL.
 *
 * @example
 * ```js
 * const server = await startWeirServe(dir);
 * await fetch(`${server.url}/api/health`);
 * await server.stop();
 * ```
 */
export function startWeirServe(cwd) {
  const child = spawn(process.execPath, [WEIR_BIN, 'serve', '--port', '0'], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => child.on('close', resolve));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`weir serve printed no URL within 60 s\n${output}`));
    }, 60_000);
    const seen = (chunk) => {
      output += chunk;
      const url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ url, stop, startedAt: performance.now() });
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`weir serve exited ${code} before it printed its URL\n${output}`));
    });
  });
}
