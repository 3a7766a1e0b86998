/**
 * `weir serve`: the long-running process of a project. It owns the warehouse (DuckDB admits one
 * writing process per file) and the project's run lock for its whole life; while it runs,
 * `weir run`, `check` and `retry` hand their work to it over its HTTP API and show its progress.
 * It stops on SIGINT or SIGTERM: runs in progress are cancelled (nothing half published), then the
 * warehouse is closed and `.weir/serve.json` removed.
 */
import { join } from 'node:path';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { serve } from '@hono/node-server';
import { WeirError, acquireProjectLock, isWeirError, processStartTicks, runLockPath, type ProjectLock } from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { openProjectQueue, openProjectRuntime } from '../runtime/project-runtime.js';
import { startTriggerLoop } from '../server/trigger-loop.js';
import { createServerApp } from '../server/create-server-app.js';
import { isLoopbackHost } from '../server/auth.js';
import { AssetGraphLayouts } from '../server/asset-graph-layouts.js';
import { CatalogCache } from '../server/catalog-cache.js';
import { ProjectView } from '../server/project-view.js';
import { RunHub } from '../server/run-hub.js';
import { removeServeRecord, writeServeRecord } from '../server/serve-file.js';
import { globalOptions } from './command-options.js';

interface ServeOptions {
  port: string;
  host: string;
  auth?: boolean;
}

/** The port `weir serve` listens on unless told otherwise. */
export const DEFAULT_PORT = 4180;

/** Registers `serve`. */
export function registerServeCommand(program: Command, exit: ExitBox): void {
  program
    .command('serve')
    .description('run the project server: owns the warehouse, runs what commands submit (stop with Ctrl-C)')
    .option('-p, --port <n>', `port to listen on (0: any free port)`, String(DEFAULT_PORT))
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--auth', 'require an API token (weir tokens create) even on a loopback address; any other --host always does')
    .action(async (options: ServeOptions, command: Command) => {
      exit.code = await serveProject(command, options);
    });
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new WeirError('USAGE', `--port must be a whole number from 0 to 65535, not "${text}"`);
  return port;
}

async function serveProject(command: Command, options: ServeOptions): Promise<number> {
  const port = parsePort(options.port);
  const global = globalOptions(command);
  const runtime = await openProjectRuntime({ cwd: global.project ?? process.cwd(), ...(global.env ? { environment: global.env } : {}) });
  const { project } = runtime;
  const held: ProjectLock[] = [];
  try {
    held.push(await takeServeLock(join(project.root, '.weir', 'serve.lock')));
    // The run lock for the server's whole life: runs execute inside it, and a `weir run` started
    // without looking for the server is refused by the lock, not by the warehouse file.
    held.push(
      await acquireProjectLock(runLockPath(project), `weir-serve-${process.pid}`, {
        wait: true,
        onWait: (holder) => process.stderr.write(`waiting for run ${holder.runId} (pid ${holder.pid}) to finish before serving…\n`),
      }),
    );
    const engine = await runtime.engine();
    const hub = new RunHub({ root: project.root, environment: global.env, store: runtime.store, engine, lock: held[1]! });
    const queue = await openProjectQueue(project);
    const triggers = startTriggerLoop({
      root: project.root,
      environment: global.env,
      store: runtime.store,
      queue,
      hub,
      log: (line) => process.stdout.write(`weir serve: ${line}\n`),
    });
    // Stops what runs work, in order: no new runs, the ones in progress cancelled, their jobs recorded.
    const stopWork = async (): Promise<void> => {
      await triggers.stop();
      await hub.close();
      await triggers.drain();
      await queue.close();
    };
    const view = new ProjectView(project.root, global.env, runtime.store, engine);
    // Laid out in a worker while the server starts, so the first visit of the graph finds it ready.
    const graphs = new AssetGraphLayouts(view);
    void graphs.warm();
    const catalog = new CatalogCache(view);
    // Local mode only when nothing but this machine can connect and nobody asked for tokens.
    const authRequired = options.auth === true || !isLoopbackHost(options.host);
    const app = createServerApp({
      hub,
      view,
      webhooks: triggers,
      health: { status: 'ok', project: project.name, root: project.root, pid: process.pid },
      auth: { required: authRequired, warn: (line) => process.stderr.write(`weir serve: ${line}\n`) },
      graphs,
      catalog,
    });
    const server = await listen(app.fetch, port, options.host).catch(async (error: unknown) => {
      await stopWork();
      throw error;
    });
    const address = server.address() as AddressInfo;
    const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${address.port}`;
    const started = processStartTicks(process.pid);
    writeServeRecord(project.root, { pid: process.pid, host: hostname(), url, root: project.root, startedAt: new Date().toISOString(), ...(started === undefined ? {} : { started }) });
    const triggerCount = (project.schedules?.length ?? 0) + (project.sensors?.length ?? 0);
    process.stdout.write(`weir serve: project ${project.name} (${project.root}) at ${url}, pid ${process.pid}; ${triggerCount} schedule(s) and sensor(s); Ctrl-C stops it\n`);
    process.stdout.write(
      authRequired
        ? `weir serve: API tokens required (Authorization: Bearer ...; weir run reads WEIR_TOKEN)${(await runtime.store.apiTokens()).some((token) => token.revokedAt === null) ? '' : '; no active token yet: weir tokens create <name> --role viewer|editor|admin'}\n`
        : 'weir serve: local mode, no token needed (loopback only; --auth requires tokens)\n',
    );
    // Once listening, so the first pages are not kept waiting by it: the first search then finds it ready.
    void catalog.warm();
    await stopSignal();
    process.stdout.write('weir serve: stopping (cancelling runs in progress)…\n');
    await stopWork();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    process.stdout.write('weir serve: stopped\n');
    return EXIT.ok;
  } finally {
    removeServeRecord(project.root);
    await runtime.close();
    for (const lock of held.reverse()) lock.release();
  }
}

async function takeServeLock(path: string): Promise<ProjectLock> {
  try {
    return await acquireProjectLock(path, `weir-serve-${process.pid}`, { wait: false });
  } catch (error) {
    if (isWeirError(error) && error.code === 'PROJECT_LOCKED') {
      throw new WeirError('PROJECT_LOCKED', `weir serve already runs for this project: ${error.message.replace(/^[^(]*\(/, '(')}`, {
        hint: 'commands go through the running server; stop it first to start another',
      });
    }
    throw error;
  }
}

type Listener = ReturnType<typeof serve>;

function listen(fetch: Parameters<typeof serve>[0]['fetch'], port: number, hostname: string): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname }, () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new WeirError('USAGE', `port ${port} on ${hostname} is in use`, { hint: 'pass another --port, or --port 0 for any free one' }) : error);
    });
  });
}

function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
