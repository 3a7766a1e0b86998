/**
 * The demo project in team mode for end-to-end tests: `weir init` in a temporary folder, then its
 * weir.yaml pointed at a PostgreSQL warehouse and state store; and what a worker's output says.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createWeirProject, show, type BackgroundWeir, type WeirTestProject } from './weir-test-project.js';

/** A demo project in team mode; run its commands with `{ cwd: shop }`. */
export interface TeamDemo {
  project: WeirTestProject;
  /** The demo project's folder. */
  shop: string;
}

/**
 * Writes the small demo and points its warehouse and state at the given databases.
 *
 * @example
 * ```ts
 * const { project, shop } = await createTeamDemo({ warehouseUrl: warehouse.url, stateUrl: state.url });
 * ```
 */
export async function createTeamDemo(urls: { warehouseUrl: string; stateUrl: string }): Promise<TeamDemo> {
  const project = await createWeirProject({ '.keep': '' });
  const init = await project.weir(['init', 'shop', '--size', 'small']);
  expect(init.code, show(init)).toBe(0);
  const shop = join(project.root, 'shop');
  const yaml = readFileSync(join(shop, 'weir.yaml'), 'utf8')
    .replace(/warehouse:\n {2}engine: duckdb\n {2}path: .*\n/, `warehouse:\n  engine: postgres\n  url: ${urls.warehouseUrl}\n`)
    .replace(/state:\n {2}store: sqlite\n {2}path: .*\n/, `state:\n  store: postgres\n  url: ${urls.stateUrl}\n`);
  expect(yaml).toContain('engine: postgres');
  expect(yaml).toContain('store: postgres');
  writeFileSync(join(shop, 'weir.yaml'), yaml);
  return { project, shop };
}

/** Partition jobs a worker has finished so far (built, or found already published). */
export function completedJobs(worker: BackgroundWeir): number {
  return (worker.stdout().match(/ done( \(already published\))? in /g) ?? []).length;
}
