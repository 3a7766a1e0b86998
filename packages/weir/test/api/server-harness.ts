/**
 * The server's Hono app in this test process over a real project (its SQLite state and DuckDB
 * warehouse), holding the project's run lock as `weir serve` does: what the API tests call.
 */
import { expect } from 'vitest';
import { acquireProjectLock, runLockPath, type ProjectLock } from '@weir/core';
import { createServerApp } from '../../src/server/create-server-app.js';
import { ProjectView } from '../../src/server/project-view.js';
import { RunHub } from '../../src/server/run-hub.js';
import { openProjectRuntime, type ProjectRuntime } from '../../src/runtime/project-runtime.js';

/** An open project with its server parts; close it in `afterAll`. */
export interface ServerHarness {
  runtime: ProjectRuntime;
  hub: RunHub;
  view: ProjectView;
  health: { status: 'ok'; project: string; root: string; pid: number };
  /** The app as `weir serve` builds it in local mode (no tokens). */
  app: ReturnType<typeof createServerApp>;
  /** GETs `path`, expects `status`, and returns the JSON body. */
  get<T>(path: string, status?: number): Promise<T>;
  close(): Promise<void>;
}

/**
 * Opens the project at `root` and builds the server's app over it.
 *
 * @example
 * ```ts
 * const server = await openServerHarness(project.root);
 * const assets = await server.get<AssetSummary[]>('/api/assets');
 * ```
 */
export async function openServerHarness(root: string): Promise<ServerHarness> {
  const runtime = await openProjectRuntime({ cwd: root });
  let lock: ProjectLock | undefined;
  try {
    lock = await acquireProjectLock(runLockPath(runtime.project), `api-test-${process.pid}`, { wait: false });
    const engine = await runtime.engine();
    const view = new ProjectView(root, undefined, runtime.store, engine);
    const hub = new RunHub({ root, environment: undefined, store: runtime.store, engine, lock });
    const health = { status: 'ok' as const, project: runtime.project.name, root, pid: process.pid };
    const app = createServerApp({ hub, view, health });
    const held = lock;
    return {
      runtime,
      hub,
      view,
      health,
      app,
      get: async <T>(path: string, status = 200): Promise<T> => {
        const response = await app.request(path);
        expect(response.status, `${path}: ${await response.clone().text()}`).toBe(status);
        return (await response.json()) as T;
      },
      close: async () => {
        await hub.close();
        held.release();
        await runtime.close();
      },
    };
  } catch (error) {
    lock?.release();
    await runtime.close();
    throw error;
  }
}

/**
 * Expects `response` to be the API's error with `status` and `code` (the body shown when it is
 * not), and returns the error for more assertions.
 *
 * @example
 * ```ts
 * expect((await expectError(await app.request('/api/runs?limit=0'), 400, 'USAGE')).message).toContain('limit');
 * ```
 */
export async function expectError(response: Response, status: number, code: string): Promise<{ message: string; hint?: string }> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  const { error } = JSON.parse(text) as { error: { code: string; message: string; hint?: string } };
  expect(error.code, text).toBe(code);
  return error;
}
