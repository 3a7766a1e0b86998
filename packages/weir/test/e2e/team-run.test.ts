/**
 * Team mode end to end: `weir run --workers` on the demo project with its state and warehouse in
 * PostgreSQL. The run waits, saying so, until a worker is there; two `weir worker` processes take
 * its steps, one is SIGKILLed inside a step (a TypeScript asset held until the test releases it), its job is
 * taken again by the other after the lease ran out, and the run completes with every step done
 * once (and the demo's mart held back by its failing check, as in-process). `weir check` and
 * `weir retry` take `--workers` too. Outside team mode `--workers` is refused.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../../../core/src/testing/services.js';
import { createTeamDemo } from './team-project.js';
import { createWeirProject, show, type BackgroundWeir, type StepJson, type WeirTestProject } from './weir-test-project.js';

let project: WeirTestProject;
let warehouse: TestDatabase;
let state: TestDatabase;
let shop: string;

/** Holds its step until the test writes release.flag (workers run in the project folder): the worker killed meanwhile is surely inside it. */
const slowAsset = `import { existsSync } from 'node:fs';
import { defineAsset } from 'weir';
export const slow_total = defineAsset({
  inputs: ['stg_orders'],
  columns: { orders: 'BIGINT' },
  async run(ctx) {
    while (!existsSync('release.flag')) await new Promise((resolve) => setTimeout(resolve, 50));
    let orders = 0;
    for await (const batch of ctx.read('stg_orders')) orders += batch.length;
    return [{ orders }];
  },
});
`;

/** Step ends a worker printed, per asset. */
function stepEnds(workers: BackgroundWeir[], runId: string): Map<string, number> {
  const ends = new Map<string, number>();
  const line = new RegExp(`run ${runId} (\\w+) (succeeded|unchanged|pinned|failed|blocked|skipped) in `, 'g');
  for (const worker of workers) for (const match of worker.stdout().matchAll(line)) ends.set(match[1]!, (ends.get(match[1]!) ?? 0) + 1);
  return ends;
}

await describeWithService(postgresService, 'team mode: weir run --workers', () => {
  beforeAll(async () => {
    warehouse = await createTestDatabase('weir_team_run_wh');
    state = await createTestDatabase('weir_team_run_state');
    ({ project, shop } = await createTeamDemo({ warehouseUrl: warehouse.url, stateUrl: state.url }));
    project.write({ 'shop/models/slow_total.ts': slowAsset });
  }, 120_000);
  afterAll(async () => {
    await project?.cleanup();
    await warehouse?.drop();
    await state?.drop();
  });

  it('runs every step on workers, once, with a worker killed inside a step', async () => {
    const run = project.spawnWeir(['run', '--workers', '--json'], { cwd: shop });
    await run.waitForOutput('waiting for a worker', 60_000);
    const runId = /run (r-[\w-]+): \d+ step\(s\) go to weir worker processes \(0 alive now\)/.exec(run.stderr())?.[1];
    expect(runId, run.stderr()).toBeDefined();

    const workers = ['a1', 'a2'].map((id) => project.spawnWeir(['worker', '--id', id, '--lease', '2'], { cwd: shop }));
    await Promise.all(workers.map((worker) => worker.waitForOutput('ready (project shop')));
    // The worker that took the slow step dies inside it, holding its claim.
    await expect.poll(() => workers.findIndex((worker) => worker.stdout().includes(`run ${runId} slow_total started`)), { timeout: 90_000, interval: 50 }).toBeGreaterThanOrEqual(0);
    const victimIndex = workers.findIndex((worker) => worker.stdout().includes(`run ${runId} slow_total started`));
    const victim = workers[victimIndex]!;
    const survivor = workers[1 - victimIndex]!;
    victim.kill('SIGKILL');
    await victim.exited;
    project.write({ 'shop/release.flag': '' });

    const finished = await run.exited;
    // The demo holds one mart back on a failing check, as an in-process run does: exit 1.
    expect(finished.code, `${show(finished)}\n${survivor.stdout()}`).toBe(1);
    const result = JSON.parse(finished.stdout) as { runId: string; status: string; steps: StepJson[] };
    expect(result).toMatchObject({ runId, status: 'failed' });
    expect(result.steps.length).toBeGreaterThan(5);
    expect(result.steps.filter((step) => !['succeeded', 'skipped'].includes(step.status)).map((step) => [step.asset, step.status])).toEqual([['product_performance', 'blocked']]);
    expect(result.steps.find((step) => step.asset === 'slow_total')?.status).toBe('succeeded');
    // The same progress lines as an in-process run (on stderr with --json).
    expect(finished.stderr).toMatch(/✓ slow_total\s+published [0-9a-f]{12}/);
    expect(finished.stderr).toMatch(/✗ product_performance\s+held back/);

    // Each step ended once, the killed one on the survivor after its lease ran out.
    const ends = stepEnds(workers, runId!);
    expect(ends.get('slow_total')).toBe(1);
    expect(survivor.stdout()).toContain(`run ${runId} slow_total started (attempt 2)`);
    expect([...ends.values()].every((count) => count === 1)).toBe(true);
    expect([...ends.keys()].sort()).toEqual(result.steps.map((step) => step.asset).sort());
    const client = new pg.Client({ connectionString: state.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ dedupe_key: string; state: string; claims: number }>("select dedupe_key, state, claims from weir_state.queue_jobs where dedupe_key like 'run:' || $1 || ':%'", [runId]);
      expect(rows).toHaveLength(result.steps.length);
      expect(rows.every((row) => row.state === 'completed')).toBe(true);
      expect(rows.find((row) => row.dedupe_key === `run:${runId}:slow_total`)?.claims).toBe(2);
    } finally {
      await client.end();
    }
    const query = await project.weir(['query', 'select orders from prod.slow_total', '--format', 'json'], { cwd: shop });
    expect(query.code, show(query)).toBe(0);
    expect(JSON.parse(query.stdout)).toHaveLength(1);

    survivor.kill('SIGTERM');
    expect((await survivor.exited).code).toBe(0);
  });

  it('checks and retries on workers too: weir check --workers and weir retry --workers', async () => {
    const worker = project.spawnWeir(['worker', '--id', 'b1', '--lease', '5'], { cwd: shop });
    await worker.waitForOutput('ready (project shop');
    try {
      const check = await project.weir(['check', '--workers', '--select', 'stg_orders', '--json'], { cwd: shop });
      expect(check.code, `${show(check)}\n${worker.stdout()}`).toBe(0);
      const checked = JSON.parse(check.stdout) as { runId: string; status: string; steps: StepJson[] };
      expect(checked).toMatchObject({ status: 'succeeded', steps: [expect.objectContaining({ asset: 'stg_orders', status: 'succeeded' })] });
      expect(worker.stdout()).toContain(`run ${checked.runId} stg_orders started`);

      // The first test's run held product_performance back: a retry runs that step alone, on the worker.
      const runs = await project.weirJson<Array<{ runId: string; command: string; status: string }>>(['runs', '--json'], { cwd: shop });
      const failed = runs.find((run) => run.command === 'run' && run.status === 'failed');
      expect(failed, JSON.stringify(runs)).toBeDefined();
      const retry = await project.weir(['retry', failed!.runId, '--workers', '--json'], { cwd: shop });
      const retried = JSON.parse(retry.stdout) as { runId: string; retryOf: string; status: string; steps: StepJson[] };
      // (The demo's partitioned mart is skipped by every whole run, this one included: backfills build it.)
      expect(retried.steps.filter((step) => step.status !== 'skipped').map((step) => [step.asset, step.status]), show(retry)).toEqual([['product_performance', 'blocked']]);
      expect(retried.retryOf).toBe(failed!.runId);
      expect(retry.code).toBe(1);
      expect(worker.stdout()).toContain(`run ${retried.runId} product_performance started`);
    } finally {
      worker.kill('SIGTERM');
      await worker.exited;
    }
  });

  it('refuses --workers outside team mode', async () => {
    const local = await createWeirProject({ 'weir.yaml': 'name: local\n', 'models/one.sql': 'select 1 as one\n' });
    try {
      const refused = await local.weir(['run', '--workers']);
      expect(refused.code, show(refused)).toBe(2);
      expect(refused.stderr).toContain('weir run --workers needs team mode');
      expect((await local.weir(['run'])).code).toBe(0);
      const check = await local.weir(['check', '--workers']);
      expect(check.code, show(check)).toBe(2);
      expect(check.stderr).toContain('weir check --workers needs team mode');
    } finally {
      await local.cleanup();
    }
  });
});
