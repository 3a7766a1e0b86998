/**
 * A TypeScript asset partitioned by static values, with no declared columns: `ctx.partition`
 * names the value; the first partition's rows decide the table's columns, later partitions are
 * held to them; rows without the partition column, or with a column the table does not have, fail
 * the partition with an error naming the file. Real DuckDB and SQLite.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../events/weir-event.js';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { selectAssets } from '../graph/select-assets.js';
import { loadProject } from '../project/load-project.js';
import { closeProjectHarness, openProjectHarness, type ProjectHarness } from '../testing/project-harness.js';
import { runProject } from './run-project.js';

type Feed = Record<string, Array<Record<string, unknown>>>;

/** Returns the feed's rows for the partition's value, as an API keyed by region would. */
const asset = (feed: string): string => `import { readFileSync } from 'node:fs';
import { defineAsset } from 'weir';

export const regional_sales = defineAsset({
  partitionedBy: { column: 'region', values: ['eu', 'us'] },
  run(ctx) {
    if (ctx.partition?.kind !== 'values') throw new Error('expected a static partition');
    return JSON.parse(readFileSync(${JSON.stringify(feed)}, 'utf8'))[ctx.partition.value] ?? [];
  },
});
`;

const opened: ProjectHarness[] = [];
afterEach(async () => {
  for (const h of opened.splice(0)) await closeProjectHarness(h);
});

async function setup(feed: Feed) {
  const h = await openProjectHarness({ 'feed/sales.json': JSON.stringify(feed) });
  opened.push(h);
  const path = join(h.root, 'feed/sales.json');
  mkdirSync(join(h.root, 'models'));
  writeFileSync(join(h.root, 'models/regional_sales.ts'), asset(path));
  const project = await loadProject(h.root);
  const run = async (partition: string) => {
    const selected = selectAssets(buildAssetGraph(project), project, { select: [], exclude: [] });
    const logged = (await h.store.events({})).length;
    const result = await runProject({ project, engine: h.engine, store: h.store, selected, selection: [], exclusion: [], command: 'run', signal: new AbortController().signal, partition });
    const failed = (await h.store.events({ afterId: logged })).find((event): event is Extract<StoredEvent, { type: 'step_failed' }> => event.type === 'step_failed');
    return { status: result.status, error: failed?.error };
  };
  const served = async (): Promise<unknown[]> => {
    const session = await h.engine.session();
    try {
      return await session.query(`SELECT region, amount FROM "${project.environment}".regional_sales ORDER BY region, amount`);
    } finally {
      await session.close();
    }
  };
  const setFeed = (next: Feed) => writeFileSync(path, JSON.stringify(next));
  return { run, served, setFeed };
}

describe('TypeScript assets partitioned by values', () => {
  it('builds each value, holds later partitions to the first one\'s columns, and names the file when rows do not fit', async () => {
    const { run, served, setFeed } = await setup({ eu: [{ amount: 5 }] });
    // No partition column in the rows, nothing published yet to take it from.
    const missing = await run('eu');
    expect(missing.status).toBe('failed');
    expect(missing.error).toMatchObject({ code: 'CONFIG_INVALID', file: 'models/regional_sales.ts', line: 4 });
    expect(missing.error?.message).toBe('regional_sales: the rows of partition eu have no column "region", the partition column (its columns: amount)');

    setFeed({ eu: [{ region: 'eu', amount: 5 }, { region: 'eu', amount: 7 }], us: [{ region: 'us', amount: 1.5 }] });
    expect((await run('eu')).status).toBe('succeeded');
    // The table took its types from eu's rows (amount BIGINT): us's 1.5 does not fit, and is not rounded.
    const fraction = await run('us');
    expect(fraction.error).toMatchObject({ code: 'SQL_EXECUTION', file: 'models/regional_sales.ts', line: 4 });
    expect(fraction.error?.message).toBe('regional_sales: row 1, column "amount": 1.5 is not an integer');
    setFeed({ us: [{ region: 'us', amount: 2 }] });
    expect((await run('us')).status).toBe('succeeded');
    expect(await served()).toEqual([
      { region: 'eu', amount: 5 },
      { region: 'eu', amount: 7 },
      { region: 'us', amount: 2 },
    ]);

    // A row of us labelled eu: refused, us keeps what it had.
    setFeed({ us: [{ region: 'eu', amount: 3 }] });
    const stray = await run('us');
    expect(stray.error).toMatchObject({ code: 'USER_CODE_FAILED', file: 'models/regional_sales.ts' });
    expect(stray.error?.message).toBe('regional_sales: 1 row(s) returned for partition us are outside it (region: eu); the partition holds region = us');

    // A column the table does not have.
    setFeed({ us: [{ region: 'us', amount: 3, currency: 'USD' }] });
    const unknown = await run('us');
    expect(unknown.error).toMatchObject({ code: 'USER_CODE_FAILED', file: 'models/regional_sales.ts' });
    expect(unknown.error?.message).toContain('returned column(s) currency that are not in its columns (region, amount)');
    expect((await served()).length).toBe(3);
  });
});
