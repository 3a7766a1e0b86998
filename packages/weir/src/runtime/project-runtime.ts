/**
 * Wiring a loaded project to its concrete engine and state store. This is the one place where the
 * app chooses implementations (core speaks only the interfaces). The warehouse is opened lazily:
 * commands that read only state (runs, ls) never take DuckDB's file lock.
 */
import { explainServerOwnership } from '../server/serve-file.js';
import {
  loadProject,
  openDuckDBAdapter,
  openPostgresAdapter,
  openPostgresJobQueue,
  openPostgresStateStore,
  openSqliteJobQueue,
  openSqliteStateStore,
  recoverAndNotifyCrashedRuns,
  type EngineAdapter,
  type JobQueue,
  type Project,
  type StateStore,
} from '@weir/core';

/** A project with its state open and its warehouse one call away. */
export interface ProjectRuntime {
  project: Project;
  store: StateStore;
  /** Opens the warehouse on first use. */
  engine(): Promise<EngineAdapter>;
  close(): Promise<void>;
}

/** Options shared by every command that works on a project. */
export interface ProjectOptions {
  /** Where to look for weir.yaml (upward from here). */
  cwd: string;
  environment?: string;
}

/**
 * Loads the project, opens its state store and records any run whose process died.
 *
 * @example
 * ```ts
 * const runtime = await openProjectRuntime({ cwd: process.cwd() });
 * try { ... } finally { await runtime.close(); }
 * ```
 */
export async function openProjectRuntime(options: ProjectOptions): Promise<ProjectRuntime> {
  const project = await loadProject(options.cwd, options.environment ? { environment: options.environment } : {});
  const store = await openStore(project);
  await recoverAndNotifyCrashedRuns(project, store);
  let engine: Promise<EngineAdapter> | undefined;
  return {
    project,
    store,
    engine: () => (engine ??= openEngine(project)),
    close: async () => {
      if (engine) await (await engine.catch(() => undefined))?.close();
      await store.close();
    },
  };
}

/**
 * A new, empty in-memory DuckDB for one model unit test (`weir test`). It is DuckDB whatever the
 * project's warehouse is: tests never touch the warehouse, and need no server.
 *
 * @example
 * ```ts
 * const results = await runModelTests(project, tests, openTestEngine);
 * ```
 */
export function openTestEngine(): Promise<EngineAdapter> {
  return openDuckDBAdapter({ path: ':memory:' });
}

/**
 * The project's run queue, in its state database: the SQLite file locally, the state store's
 * PostgreSQL schema in team mode.
 *
 * @example
 * ```ts
 * const queue = await openProjectQueue(runtime.project);
 * ```
 */
export async function openProjectQueue(project: Project, options: { leaseMs?: number } = {}): Promise<JobQueue> {
  if (project.state.store === 'postgres') {
    return openPostgresJobQueue(project.state.url, { ...options, ...(project.state.schema === undefined ? {} : { schema: project.state.schema }) });
  }
  return openSqliteJobQueue(project.state.path, options);
}

async function openStore(project: Project): Promise<StateStore> {
  if (project.state.store === 'postgres') return openPostgresStateStore(project.state.url, { schema: project.state.schema });
  return openSqliteStateStore(project.state.path);
}

async function openEngine(project: Project): Promise<EngineAdapter> {
  const warehouse = project.warehouse;
  if (warehouse.engine === 'postgres') return openPostgresAdapter({ url: warehouse.url });
  try {
    return await openDuckDBAdapter({
      path: warehouse.path,
      ...(warehouse.threads !== undefined ? { threads: warehouse.threads } : {}),
      ...(warehouse.memoryLimit !== undefined ? { memoryLimit: warehouse.memoryLimit } : {}),
    });
  } catch (error) {
    // A file held by weir serve: say so, not only its pid.
    throw await explainServerOwnership(project.root, error);
  }
}

