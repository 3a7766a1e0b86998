/**
 * A project with a metric history long enough for control limits, built in seconds: the real
 * executor runs in-process (no process start per build) on a temporary project whose source CSV
 * is rewritten before each build. The API and browser tests of control charts start from it.
 */
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { buildAssetGraph, runProject, selectAssets } from '@weir/core';
import { openProjectRuntime } from '../../src/runtime/project-runtime.js';
import { createWeirProject, type WeirTestProject } from './weir-test-project.js';

/** Row counts of the builds: ten steady ones (about 100 rows), then a planted jump to 300. */
export const SPC_ROWS = [100, 102, 99, 101, 100, 103, 98, 101, 100, 102, 300] as const;

/** `orders` carries a warn-severity spc check on its row count, so the jump is flagged but still published. */
const ORDERS_MODEL = `/*---
materialization: table
checks:
  - spc: { metric: row_count, severity: warn }
  - not_null: id
---*/
select id, email from raw_orders
`;

/** `rows` orders; every tenth has no email (a column metric to chart as well). */
function ordersCsv(rows: number): string {
  const lines = ['id,email'];
  for (let i = 1; i <= rows; i++) lines.push(`${i},${i % 10 === 0 ? '' : `c${i}@example.com`}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Creates the project and builds it once per entry of `rows` (default {@link SPC_ROWS}).
 *
 * @example
 * ```ts
 * const project = await createSpcHistoryProject();
 * // `orders` now has 11 row_count points, the last one out of control
 * ```
 */
export async function createSpcHistoryProject(rows: readonly number[] = SPC_ROWS): Promise<WeirTestProject> {
  const project = await createWeirProject({
    'weir.yaml': 'name: spc_history\n',
    'sources/s.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n',
    'models/orders.sql': ORDERS_MODEL,
    'data/orders.csv': ordersCsv(rows[0] ?? 1),
  });
  const runtime = await openProjectRuntime({ cwd: project.root });
  try {
    const engine = await runtime.engine();
    for (const [index, count] of rows.entries()) {
      project.write({ 'data/orders.csv': ordersCsv(count) });
      // One file per "day": a distinct modification time, so the source is never taken as unchanged.
      const day = new Date(Date.UTC(2024, 0, index + 1));
      utimesSync(join(project.root, 'data', 'orders.csv'), day, day);
      const selected = selectAssets(buildAssetGraph(runtime.project), runtime.project, { select: [], exclude: [] });
      const result = await runProject({ project: runtime.project, engine, store: runtime.store, selected, selection: [], exclusion: [], command: 'run', signal: new AbortController().signal });
      const failed = [...result.outcomes].filter(([, outcome]) => outcome !== 'succeeded');
      if (failed.length > 0) throw new Error(`build ${index + 1} of the spc history: ${failed.map(([asset, outcome]) => `${asset} ${outcome}`).join(', ')}`);
    }
  } finally {
    await runtime.close();
  }
  return project;
}
