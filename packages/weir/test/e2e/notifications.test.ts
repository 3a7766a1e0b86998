/**
 * Notifications through the `weir` binary: a failed run POSTs run_failed to a real hook on
 * 127.0.0.1, `weir runs show` tells who was notified, and a hook that cannot be reached changes
 * neither a run's outcome nor the exit status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordingHookServer, unreachableHookUrl, type RecordingHookServer } from '../../../core/src/testing/recording-hook-server.js';
import { ORDERS_HEADER, ORDERS_ROWS, ordersCsv, shopFiles } from './shop-fixture.js';
import { createWeirProject, latestRun, show, type RunDetailJson, type WeirTestProject } from './weir-test-project.js';

interface NotificationJson {
  type: string;
  notification: string;
  event: string;
  target: string;
  attempts: number;
  statusCode?: number;
  error?: string;
}

describe('webhook notifications', () => {
  let project: WeirTestProject;
  let hook: RecordingHookServer;
  beforeAll(async () => {
    hook = await startRecordingHookServer();
    project = await createWeirProject({
      ...shopFiles(),
      'weir.yaml': 'name: e2e_shop\nnotifications:\n  - name: team\n    on: [run_failed, run_succeeded]\n    webhook: { url: "${HOOK_URL}" }\n',
      // Order 2 lacks two columns: raw_orders fails to load.
      'data/orders.csv': `${[ORDERS_HEADER, ORDERS_ROWS[0], '2,11', ...ORDERS_ROWS.slice(2)].join('\n')}\n`,
    });
  });
  afterAll(async () => {
    await project.cleanup();
    await hook.close();
  });

  it('a failed run is posted once, shown by weir runs show; an unreachable hook changes nothing of the run', async () => {
    const told = await project.weir(['run'], { env: { HOOK_URL: hook.url } });
    expect(told.code, show(told)).toBe(1);
    const first = await latestRun(project);
    expect(hook.requests).toHaveLength(1);
    const posted = JSON.parse(hook.requests[0]!.body) as { event: string; runId: string; failed: Array<{ asset: string; error: { message: string } }> };
    expect(posted).toMatchObject({ event: 'run_failed', runId: first.runId, failed: [{ asset: 'raw_orders' }] });
    // Shown without HOOK_URL: a variable not set disables the notification, not the project.
    const shown = await project.weir(['runs', 'show', first.runId]);
    expect(shown.code, show(shown)).toBe(0);
    expect(shown.stdout).toMatch(/Notifications\n.*\n.*\nteam +run_failed +\$\{HOOK_URL\} +1 +sent \(HTTP 200\)/);

    const unreachable = await unreachableHookUrl();
    const untold = await project.weir(['run'], { env: { HOOK_URL: unreachable } });
    expect(untold.code, show(untold)).toBe(1);
    const second = await latestRun(project);
    expect(second.runId).not.toBe(first.runId);
    // The same failure and the same skips (calendar, built by the first run, is unchanged now).
    expect([second.status, second.summary.failed, second.summary.skipped]).toEqual([first.status, first.summary.failed, first.summary.skipped]);
    const detail = await project.weirJson<RunDetailJson & { notifications: NotificationJson[] }>(['runs', 'show', second.runId, '--json']);
    expect(detail.notifications).toEqual([expect.objectContaining({ type: 'notification_failed', notification: 'team', event: 'run_failed', target: '${HOOK_URL}', attempts: 3 })]);
    expect(detail.notifications[0]?.error).toContain('could not reach ${HOOK_URL}');
    expect(JSON.stringify(detail)).not.toContain(unreachable);

    // Fixed data: the run succeeds and exits 0, though the hook is still gone.
    project.write({ 'data/orders.csv': ordersCsv() });
    const fixed = await project.weir(['run'], { env: { HOOK_URL: unreachable } });
    expect(fixed.code, show(fixed)).toBe(0);
    expect(hook.requests).toHaveLength(1);
  });
});
