/**
 * A run submitted to the server with `timeoutSeconds` (what `weir run --timeout` sends while
 * `weir serve` runs) is stopped at the limit and recorded failed with the reason; a limit that is
 * not a positive number of seconds is refused with 400.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatedAssetTs, shopFiles } from '../e2e/shop-fixture.js';
import { createWeirProject, type WeirTestProject } from '../e2e/weir-test-project.js';
import { openServerHarness, type ServerHarness } from './server-harness.js';

describe('POST /api/runs with a time limit', () => {
  let project: WeirTestProject;
  let server: ServerHarness;
  const gateBefore = process.env.WEIR_E2E_GATE;

  beforeAll(async () => {
    project = await createWeirProject({ ...shopFiles(), 'models/slow_orders.ts': gatedAssetTs() });
    server = await openServerHarness(project.root);
    // The hub runs the TypeScript asset in this process's worker, which reads this variable.
    process.env.WEIR_E2E_GATE = join(project.root, 'gate-never-opened');
  }, 60_000);

  afterAll(async () => {
    if (gateBefore === undefined) delete process.env.WEIR_E2E_GATE;
    else process.env.WEIR_E2E_GATE = gateBefore;
    await server?.close();
    await project?.cleanup();
  });

  const submit = (body: unknown) => server.app.request('/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('refuses a limit that is not a positive number of seconds', async () => {
    for (const timeoutSeconds of [0, -5, '30m', null]) {
      const response = await submit({ timeoutSeconds });
      expect(response.status, JSON.stringify(timeoutSeconds)).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain('"timeoutSeconds" must be a number of seconds > 0');
    }
  });

  it('stops the run at the limit and records it failed, saying why', async () => {
    const response = await submit({ timeoutSeconds: 1 });
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    let run = await server.runtime.store.run(runId);
    while (run?.endedAt === null || run === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = await server.runtime.store.run(runId);
    }
    expect(run.status).toBe('failed');
    expect(run.detail).toContain('the run timed out after 1s');
    const steps = await server.runtime.store.steps(runId);
    expect(steps.find((step) => step.asset === 'slow_orders')?.status).toBe('cancelled');
    expect(steps.find((step) => step.asset === 'orders')?.status).toBe('succeeded');
  }, 60_000);
});
