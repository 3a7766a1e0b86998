import { it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStateStore } from './sqlite/open-sqlite-state-store.js';
import { openPostgresStateStore } from './postgres/open-postgres-state-store.js';
const at = new Date().toISOString();
async function bench(name: string, store: any) {
  await store.append([{ type: 'run_started', at, runId: 'r', environment: 'prod', pid: 1, host: 'h', command: 'run', selection: [], exclusion: [], plannedAssets: [] }]);
  let t0 = performance.now();
  // concurrent: each step appends started then succeeded
  await Promise.all(Array.from({ length: 10000 }, async (_, i) => {
    await store.append([{ type: 'step_started', at, runId: 'r', asset: 'a' + i, version: 'v', attempt: 1 }]);
    await store.append([{ type: 'step_succeeded', at, runId: 'r', asset: 'a' + i, version: 'v', rows: 1, durationMs: 1, warnings: 0 }]);
  }));
  let t1 = performance.now();
  console.log(name, 'concurrent 10k steps (20k events):', (t1 - t0).toFixed(0), 'ms', (1000 * (t1 - t0) / 10000).toFixed(1), 'us/step', store.appendStats());
  t0 = performance.now();
  for (let i = 0; i < 1000; i++) {
    await store.append([{ type: 'step_started', at, runId: 'r', asset: 'b' + i, version: 'v', attempt: 1 }]);
  }
  t1 = performance.now();
  console.log(name, 'sequential 1000 appends:', (t1 - t0).toFixed(0), 'ms', ((t1 - t0)).toFixed(2), 'us/append');
  await store.close();
}
it('bench', async () => {
  await bench('sqlite', await openSqliteStateStore(join(mkdtempSync(join(tmpdir(), 'wb-')), 's.db')));
  await bench('pg', await openPostgresStateStore('postgres://postgres@127.0.0.1:5432/postgres', { schema: 'zz_bench_' + process.pid }));
}, 120000);
