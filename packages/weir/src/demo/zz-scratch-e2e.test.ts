// SCRATCH (to be deleted): the demo project through the real loader and executor.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { openDuckDBAdapter } from '../../../core/src/engines/duckdb/duckdb-adapter.js';
import { buildAssetGraph } from '../../../core/src/graph/build-asset-graph.js';
import { selectAssets } from '../../../core/src/graph/select-assets.js';
import { loadProject } from '../../../core/src/project/load-project.js';
import { openSqliteStateStore } from '../../../core/src/storage/sqlite/open-sqlite-state-store.js';
import { runProject } from '../../../core/src/execution/run-project.js';
import { writeDemoProject } from './write-demo-project.js';

it('runs the demo', async () => {
  const base = await mkdtemp(join(tmpdir(), 'weir-demo-e2e-'));
  const root = join(base, 'shop');
  await writeDemoProject(root, { size: (process.env.DEMO_SIZE ?? 'small') as 'small' });
  const project = await loadProject(root);
  console.log('assets', [...project.assets.keys()].join(' '));
  const engine = await openDuckDBAdapter({ path: join(root, '.weir', 'warehouse.duckdb') });
  const store = await openSqliteStateStore(join(root, '.weir', 'state.db'));
  for (const attempt of [1, 2]) {
    const selected = selectAssets(buildAssetGraph(project), project, { select: [], exclude: [] });
    const started = Date.now();
    const result = await runProject({
      project, engine, store, selected, selection: [], exclusion: [], command: 'run', signal: new AbortController().signal,
      onEvent: (event) => {
        const e = event as unknown as Record<string, unknown>;
        if (e.type === 'check_evaluated' && e.passed === false) console.log('CHECK FAILED', e.asset, e.check ?? e.name, e.severity, JSON.stringify(e).slice(0, 300));
        if (e.type === 'step_failed' || e.type === 'run_failed') console.log('EVENT', JSON.stringify(e).slice(0, 800));
      },
      onLog: (asset, message) => console.log('LOG', asset, message),
    });
    console.log('attempt', attempt, result.status, Date.now() - started, 'ms', JSON.stringify(result.summary));
    for (const [asset, outcome] of result.outcomes) console.log('  ', asset, typeof outcome === 'string' ? outcome : JSON.stringify(outcome).slice(0, 200));
  }
  await engine.close();
  await store.close();
  await rm(base, { recursive: true, force: true });
}, 600_000);
