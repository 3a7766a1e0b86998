/**
 * A real project in a temp folder with a real DuckDB warehouse and SQLite state, and a `run` that
 * drives the real executor the way the CLI does. For in-process tests of runs; nothing is mocked.
 */
import { join } from 'node:path';
import { openDuckDBAdapter } from '../engines/duckdb/duckdb-adapter.js';
import type { EngineAdapter } from '../engines/engine-adapter.js';
import type { WeirEvent } from '../events/weir-event.js';
import { runProject, type RunProjectOptions } from '../execution/run-project.js';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { selectAssets } from '../graph/select-assets.js';
import { loadProject } from '../project/load-project.js';
import { removeTempProject, writeTempProject } from '../project/temp-project.js';
import { openSqliteStateStore } from '../storage/sqlite/open-sqlite-state-store.js';
import type { StateStore } from '../storage/state-store.js';

/** A project folder with its open warehouse and state. */
export interface ProjectHarness {
  root: string;
  engine: EngineAdapter;
  store: StateStore;
}

/** What one harness run may set. */
export interface HarnessRunOptions {
  select?: string[];
  signal?: AbortSignal;
  onEvent?: (event: WeirEvent) => void;
  mode?: 'build' | 'check' | 'replay';
  /** Build this partition of the selected partitioned assets (as `weir run --partition`). */
  partition?: string;
  /** Executes the plan some other way (on workers through the run queue). */
  execute?: RunProjectOptions['execute'];
}

/**
 * Writes `files` (with a default `weir.yaml` of fast retries) and opens the warehouse and state.
 *
 * @example
 * ```ts
 * const h = await openProjectHarness({ 'models/a.sql': 'select 1 as x' });
 * await runHarness(h);
 * await closeProjectHarness(h);
 * ```
 */
export async function openProjectHarness(files: Record<string, string>): Promise<ProjectHarness> {
  const root = await writeTempProject({ 'weir.yaml': 'name: t\ndefaults:\n  retry_delay_seconds: 0.01\n', ...files });
  const engine = await openDuckDBAdapter({ path: join(root, '.weir', 'warehouse.duckdb') });
  const store = await openSqliteStateStore(join(root, '.weir', 'state.db'));
  return { root, engine, store };
}

/** Closes the warehouse and state and removes the folder. */
export async function closeProjectHarness({ root, engine, store }: ProjectHarness): Promise<void> {
  await engine.close();
  await store.close();
  await removeTempProject(root);
}

/** Loads the project as it is on disk now and runs the selection (everything by default). */
export async function runHarness(h: ProjectHarness, options: HarnessRunOptions = {}) {
  const project = await loadProject(h.root);
  const selected = selectAssets(buildAssetGraph(project), project, { select: options.select ?? [], exclude: [] });
  return runProject({
    project,
    engine: h.engine,
    store: h.store,
    selected,
    selection: options.select ?? [],
    exclusion: [],
    command: options.mode === 'replay' ? 'quarantine replay' : options.mode === 'check' ? 'check' : 'run',
    signal: options.signal ?? new AbortController().signal,
    ...(options.mode === undefined ? {} : { mode: options.mode }),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.partition === undefined ? {} : { partition: options.partition }),
    ...(options.execute === undefined ? {} : { execute: options.execute }),
  });
}

/** A query's single number (`SELECT count(*) AS n ...`). */
export async function queryNumber(engine: EngineAdapter, sql: string): Promise<number> {
  const session = await engine.session();
  try {
    const [row] = await session.query(sql);
    return Number(Object.values(row ?? {})[0]);
  } finally {
    await session.close();
  }
}
