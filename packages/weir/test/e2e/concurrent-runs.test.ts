/**
 * One run at a time per project: a second `weir run` refuses with a message naming the run that
 * holds the project, or queues behind it with `--wait`; both runs are recorded whole.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gatedAssetTs, shopFiles } from './shop-fixture.js';
import { createWeirProject, show, stepsByAsset, type RunDetailJson, type RunJson, type WeirTestProject } from './weir-test-project.js';

let project: WeirTestProject | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

describe('two weir run at once on one project', () => {
  it('the second refuses naming the first (exit 2, PROJECT_LOCKED); with --wait it queues and succeeds', async () => {
    project = await createWeirProject({ ...shopFiles(), 'models/slow_orders.ts': gatedAssetTs() });
    const gate = join(project.root, 'gate');
    const first = project.spawnWeir(['run'], { env: { WEIR_E2E_GATE: gate } });
    await first.waitForOutput('slow_orders: waiting at the gate');
    const firstRunId = /run (r-\S+):/.exec(first.stdout())?.[1];
    expect(firstRunId).toBeDefined();

    const refused = await project.weir(['run']);
    expect(refused.code, show(refused)).toBe(2);
    expect(refused.stderr).toContain('error [PROJECT_LOCKED]');
    expect(refused.stderr).toContain(`pid ${first.pid}`);
    expect(refused.stderr).toContain(firstRunId);
    expect(refused.stderr).toContain('--wait');
    expect(refused.stderr).not.toMatch(/internal error|Conflicting lock/i);

    const waiting = project.spawnWeir(['run', '--wait']);
    await waiting.waitForOutput(`waiting for run ${firstRunId} (pid ${first.pid}) to finish`);
    // Only now let the first run finish.
    writeFileSync(gate, '');
    const firstResult = await first.exited;
    expect(firstResult.code, show(firstResult)).toBe(0);
    const waitingResult = await waiting.exited;
    expect(waitingResult.code, show(waitingResult)).toBe(0);
    expect(waitingResult.stdout).toContain('nothing was rebuilt');

    // Both runs are recorded, whole and in order; the refused one never started a run.
    const runs = await project.weirJson<RunJson[]>(['runs', '--json']);
    expect(runs.map((run) => [run.pid, run.status])).toEqual([
      [waiting.pid, 'succeeded'],
      [first.pid, 'succeeded'],
    ]);
    const firstDetail = await project.weirJson<RunDetailJson>(['runs', 'show', firstRunId!, '--json']);
    expect(stepsByAsset(firstDetail.steps).get('slow_orders')?.status).toBe('succeeded');
    expect(firstDetail.steps.every((step) => step.status === 'succeeded')).toBe(true);
    const secondDetail = await project.weirJson<RunDetailJson>(['runs', 'show', runs[0]!.runId, '--json']);
    expect(secondDetail.steps.every((step) => step.status === 'skipped' && step.skipReason === 'unchanged')).toBe(true);

    // The data is intact.
    const slow = await project.query<{ order_count: number }>('select order_count from slow_orders');
    expect(slow.map((row) => Number(row.order_count))).toEqual([4]);
    expect(Number((await project.query<{ n: number }>('select count(*) as n from orders'))[0]?.n)).toBe(4);
  });

  it('a read command during a run gets the same clear message, never a raw lock error', async () => {
    project = await createWeirProject({ ...shopFiles(), 'models/slow_orders.ts': gatedAssetTs() });
    const gate = join(project.root, 'gate');
    const first = project.spawnWeir(['run'], { env: { WEIR_E2E_GATE: gate } });
    await first.waitForOutput('slow_orders: waiting at the gate');

    const query = await project.weir(['query', 'select count(*) from orders']);
    expect(query.code, show(query)).toBe(2);
    expect(query.stderr).toContain('error [PROJECT_LOCKED]');
    expect(query.stderr).toContain(`pid ${first.pid}`);
    // Commands that read only the run history work during a run.
    const runs = await project.weirJson<RunJson[]>(['runs', '--json']);
    expect(runs[0]).toMatchObject({ pid: first.pid, status: 'running' });

    writeFileSync(gate, '');
    expect((await first.exited).code).toBe(0);
  });
});
