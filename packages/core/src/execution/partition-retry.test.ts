/**
 * A partition build that fails is tried again like a whole-asset build (the asset's `retries`,
 * with backoff), and each attempt is on record; one that keeps failing ends failed after its last
 * attempt with the partition's published rows untouched.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WeirEvent } from '../events/weir-event.js';
import { closeProjectHarness, openProjectHarness, runHarness, type ProjectHarness } from '../testing/project-harness.js';

describe('retries of a partition build', () => {
  let h: ProjectHarness;
  let late: string;

  beforeAll(async () => {
    h = await openProjectHarness({});
    late = join(h.root, 'late.csv');
    mkdirSync(join(h.root, 'models'), { recursive: true });
    // The model reads a file that is not there at first: the build fails until it appears.
    writeFileSync(
      join(h.root, 'models/daily_counts.sql'),
      `/*---\nretries: 2\npartitioned_by: { column: day, granularity: day, start: 2026-03-01, end: 2026-03-31 }\n---*/\nselect day, count(*) as n from read_csv('${late}', columns = { day: 'DATE' }) group by day\n`,
    );
  });

  afterAll(async () => {
    if (h) await closeProjectHarness(h);
  });

  const build = (partition: string, onEvent: (event: WeirEvent) => void = () => undefined) => runHarness(h, { partition, onEvent });

  it('tries a failed partition again and publishes it when a later attempt succeeds', async () => {
    const result = await build('2026-03-01', (event) => {
      // The file arrives while the step waits to try again.
      if (event.type === 'step_retrying' && !existsSync(late)) writeFileSync(late, 'day\n2026-03-01\n2026-03-01\n2026-03-02\n');
    });
    expect(result.outcomes.get('daily_counts')).toBe('succeeded');
    const events = await h.store.events({ runId: result.runId });
    expect(events.filter((event) => event.type === 'step_started').map((event) => event.type === 'step_started' && event.attempt)).toEqual([1, 2]);
    expect(events.filter((event) => event.type === 'step_retrying')).toHaveLength(1);
    expect((await h.store.partitions({ asset: 'daily_counts' })).map((row) => [row.partition, row.status, row.rows])).toEqual([['2026-03-01', 'published', 1]]);
    const [step] = await h.store.steps(result.runId);
    expect(step).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('ends failed after the last attempt, leaving the published partition as it was', async () => {
    rmSync(late);
    const result = await build('2026-03-01');
    expect(result.outcomes.get('daily_counts')).toBe('failed');
    const events = await h.store.events({ runId: result.runId });
    expect(events.filter((event) => event.type === 'step_started')).toHaveLength(3);
    const [step] = await h.store.steps(result.runId);
    expect(step).toMatchObject({ status: 'failed', attempts: 3 });
    expect(step?.error?.message).toMatch(/late\.csv/);
    const [partition] = await h.store.partitions({ asset: 'daily_counts' });
    expect(partition).toMatchObject({ partition: '2026-03-01', status: 'failed' });
    const session = await h.engine.session();
    try {
      expect(await session.query('SELECT CAST(day AS VARCHAR) AS day, n FROM prod.daily_counts')).toEqual([{ day: '2026-03-01', n: 2 }]);
    } finally {
      await session.close();
    }
  });
});
