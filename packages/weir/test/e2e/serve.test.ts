/**
 * `weir serve` owns a project: `weir run` hands its run to it and shows the same progress as a run
 * in its own process; commands that would open the warehouse beside it are told why they cannot;
 * a second server is refused; stopping the server (or killing it) gives the project back to the CLI.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gatedAssetTs, shopFiles } from './shop-fixture.js';
import { mkdirSync } from 'node:fs';
import { createWeirProject, show, type BackgroundWeir, type RunDetailJson, type RunJson, type WeirTestProject } from './weir-test-project.js';

const projects: WeirTestProject[] = [];
afterEach(async () => {
  for (const project of projects.splice(0)) await project.cleanup();
});

async function newProject(): Promise<WeirTestProject> {
  const project = await createWeirProject({ ...shopFiles(), 'models/slow_orders.ts': gatedAssetTs() });
  projects.push(project);
  return project;
}

async function startServer(project: WeirTestProject, env: Record<string, string> = {}): Promise<BackgroundWeir> {
  const server = project.spawnWeir(['serve', '--port', '0'], { env });
  await server.waitForOutput(/weir serve: project \S+ .* at http:\/\/127\.0\.0\.1:\d+/);
  return server;
}

/** The progress lines of a run with what differs between two runs (ids, versions, times) blanked, sorted. */
function progressShape(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('handed to weir serve'))
    .map((line) =>
      line
        .replace(/r-\d{8}-\d{6}-[0-9a-f]{4}/g, 'RUN')
        .replace(/\b[0-9a-f]{8,}\b/g, 'VERSION')
        .replace(/\d+(\.\d+)?\s?(ms|s|m)\b/g, 'TIME')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .sort();
}

describe('weir serve', () => {
  it('runs what weir run hands it, with the same progress as an in-process run', async () => {
    const served = await newProject();
    const gate = join(served.root, 'gate');
    const server = await startServer(served, { WEIR_E2E_GATE: gate });
    expect(existsSync(join(served.root, '.weir', 'serve.json'))).toBe(true);

    const run = served.spawnWeir(['run']);
    await run.waitForOutput('slow_orders: waiting at the gate');
    expect(run.stdout()).toContain(`handed to weir serve (pid ${server.pid})`);

    // Beside the server: a read of the warehouse is refused naming the server, never a raw lock error.
    const query = await served.weir(['query', 'select count(*) from orders']);
    expect(query.code, show(query)).toBe(2);
    expect(query.stderr).toContain('error [PROJECT_LOCKED]');
    expect(query.stderr).toContain(`weir serve (pid ${server.pid}`);
    expect(query.stderr).not.toMatch(/internal error|Conflicting lock|Could not set lock/i);

    // A second server for the same project is refused.
    const second = await served.weir(['serve', '--port', '0']);
    expect(second.code, show(second)).toBe(2);
    expect(second.stderr).toContain('weir serve already runs for this project');

    // A second run without --wait is refused by the server, naming the run in progress.
    const refused = await served.weir(['run']);
    expect(refused.code, show(refused)).toBe(2);
    expect(refused.stderr).toContain('error [PROJECT_LOCKED]');

    writeFileSync(gate, '');
    const finished = await run.exited;
    expect(finished.code, show(finished)).toBe(0);
    expect(finished.stdout).toMatch(/✓ slow_orders\s+published/);

    // The same project run in its own process prints the same progress.
    const alone = await newProject();
    writeFileSync(join(alone.root, 'gate'), '');
    const inProcess = await alone.weir(['run'], { env: { WEIR_E2E_GATE: join(alone.root, 'gate') } });
    expect(inProcess.code, show(inProcess)).toBe(0);
    expect(progressShape(finished.stdout)).toEqual(progressShape(inProcess.stdout));

    // The run is recorded by the server's process, and the history is readable beside it.
    const runs = await served.weirJson<RunJson[]>(['runs', '--json']);
    expect(runs[0]).toMatchObject({ pid: server.pid, status: 'succeeded' });

    // Stopping the server gives the project back to the CLI.
    server.kill('SIGTERM');
    const stopped = await server.exited;
    expect(stopped.code, show(stopped)).toBe(0);
    expect(existsSync(join(served.root, '.weir', 'serve.json'))).toBe(false);
    const rows = await served.query<{ n: number }>('select count(*) as n from orders');
    expect(Number(rows[0]?.n)).toBe(4);
  });

  it('a server killed with SIGKILL leaves nothing that blocks the next command', async () => {
    const project = await newProject();
    writeFileSync(join(project.root, 'gate'), '');
    const server = await startServer(project, { WEIR_E2E_GATE: join(project.root, 'gate') });
    server.kill('SIGKILL');
    await server.exited;
    const run = await project.weir(['run'], { env: { WEIR_E2E_GATE: join(project.root, 'gate') } });
    expect(run.code, show(run)).toBe(0);
    expect(run.stdout).not.toContain('handed to weir serve');
    expect(existsSync(join(project.root, '.weir', 'serve.json'))).toBe(false);
  });

  it('a bad selection sent to the server fails like a local one (exit 2, the selector named)', async () => {
    const project = await newProject();
    const server = await startServer(project);
    const run = await project.weir(['run', '--select', 'no_such_asset']);
    expect(run.code, show(run)).toBe(2);
    expect(run.stderr).toContain('no_such_asset');
    server.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
});

describe('weir serve with a file sensor', () => {
  it('starts a run within seconds of a file landing, once per new file', async () => {
    const project = await createWeirProject({
      'weir.yaml': `name: e2e_landing
sensors:
  - name: landing
    type: file
    path: data/landing/*.csv
    select: [raw_landing+]
    interval_seconds: 1
`,
      'sources/landing.yaml': `tables:
  - name: raw_landing
    path: data/landing/*.csv
`,
      'models/landed.sql': 'select count(*) as files_rows from raw_landing\n',
    });
    projects.push(project);
    mkdirSync(join(project.root, 'data', 'landing'), { recursive: true });
    const server = project.spawnWeir(['serve', '--port', '0']);
    await server.waitForOutput(/weir serve: project e2e_landing .* 1 schedule\(s\) and sensor\(s\)/);

    writeFileSync(join(project.root, 'data', 'landing', 'a.csv'), 'id,amount\n1,10\n2,20\n');
    await server.waitForOutput(/sensor:landing: run (r-\S+) succeeded/, 60_000);
    const first = /sensor:landing: run (r-\S+) succeeded/.exec(server.stdout())![1]!;

    writeFileSync(join(project.root, 'data', 'landing', 'b.csv'), 'id,amount\n3,30\n');
    await server.waitForOutput(new RegExp(`sensor:landing: run (?!${first})(r-\\S+) succeeded`), 60_000);

    const runs = await project.weirJson<RunJson[]>(['runs', '--json']);
    const sensed = runs.filter((run) => run.command === 'sensor:landing');
    expect(sensed.map((run) => run.status)).toEqual(['succeeded', 'succeeded']);
    const latest = await project.weirJson<RunDetailJson>(['runs', 'show', sensed[0]!.runId, '--json']);
    expect(latest.steps.find((step) => step.asset === 'raw_landing')).toMatchObject({ status: 'succeeded', rows: 3 });
    // Nothing new: no third run.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await project.weirJson<RunJson[]>(['runs', '--json'])).filter((run) => run.command === 'sensor:landing')).toHaveLength(2);

    server.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
});

describe('weir serve with a webhook sensor', () => {
  it('runs on an authenticated call, once per delivery id; a wrong or missing token gets 401 and runs nothing', async () => {
    const project = await createWeirProject({
      ...shopFiles(),
      'weir.yaml': `name: e2e_shop
sensors:
  - name: orders_arrived
    type: webhook
    token: \${HOOK_TOKEN}
    select: [raw_orders+]
`,
    });
    projects.push(project);
    const token = 'a-long-shared-secret-1234';
    const server = project.spawnWeir(['serve', '--port', '0'], { env: { HOOK_TOKEN: token } });
    await server.waitForOutput(/weir serve: project e2e_shop .* at (http:\/\/127\.0\.0\.1:\d+)/);
    const url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(server.stdout())![1]!;
    const call = (headers: Record<string, string>, name = 'orders_arrived') => fetch(`${url}/api/hooks/${name}`, { method: 'POST', headers });

    expect((await call({})).status).toBe(401);
    expect((await call({ authorization: 'Bearer wrong-secret-wrong-secret' })).status).toBe(401);
    const unknown = await call({ authorization: `Bearer ${token}` }, 'nope');
    expect(unknown.status).toBe(404);

    const first = await call({ authorization: `Bearer ${token}`, 'idempotency-key': 'delivery-1' });
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ queued: true, trigger: 'sensor:orders_arrived' });
    // The sender retries the same delivery: not queued again.
    const again = await call({ authorization: `Bearer ${token}`, 'idempotency-key': 'delivery-1' });
    expect(await again.json()).toMatchObject({ queued: false });
    await server.waitForOutput(/sensor:orders_arrived: run (r-\S+) succeeded/, 60_000);

    const runs = await project.weirJson<RunJson[]>(['runs', '--json'], { env: { HOOK_TOKEN: token } });
    expect(runs.filter((run) => run.command === 'sensor:orders_arrived')).toHaveLength(1);
    // The token is never printed.
    expect(server.stdout() + server.stderr()).not.toContain(token);

    server.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
});

describe('weir backfill while weir serve runs', () => {
  it('is handed to the server, built there partition by partition, and followed to the end', async () => {
    const days = Array.from({ length: 10 }, (_, index) => `2026-01-${String(index + 1).padStart(2, '0')}`);
    const project = await createWeirProject({
      'weir.yaml': 'name: e2e_backfill\n',
      'data/orders.csv': `id,order_date,amount\n${days.map((day, index) => `${index + 1},${day},${10 + index}`).join('\n')}\n`,
      'sources/files.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n    columns: { id: BIGINT, order_date: DATE, amount: DOUBLE }\n',
      'models/daily_revenue.sql': `/*---
partitioned_by: { column: order_date, granularity: day, start: 2026-01-01, end: 2026-01-31 }
---*/
select order_date, sum(amount) as revenue from raw_orders group by order_date`,
    });
    projects.push(project);
    const server = await startServer(project);
    const run = await project.weir(['run']);
    expect(run.code, show(run)).toBe(0);
    const backfill = await project.weir(['backfill', 'daily_revenue', '--from', '2026-01-01', '--to', '2026-01-10']);
    expect(backfill.code, show(backfill)).toBe(0);
    expect(backfill.stdout).toContain(`handed to weir serve (pid ${server.pid})`);
    expect(backfill.stdout).toContain('10 partition job(s) queued for weir serve');
    expect(backfill.stdout).toMatch(/succeeded: 10\/10 done/);
    expect(server.stdout()).toMatch(/backfill bf-\S+: 2026-01-10 done/);

    // One partition rebuilt with weir run --partition goes to the server too, and takes new data.
    project.write({ 'data/orders.csv': `id,order_date,amount\n${days.map((day, index) => `${index + 1},${day},${day === '2026-01-03' ? 1000 : 10 + index}`).join('\n')}\n` });
    const one = await project.weir(['run', '--partition', '2026-01-03']);
    expect(one.code, show(one)).toBe(0);
    expect(one.stdout).toContain(`handed to weir serve (pid ${server.pid})`);
    const bad = await project.weir(['run', '--partition', '1999-01-01']);
    expect(bad.code, show(bad)).toBe(2);
    server.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    const rows = await project.query<{ days: number; total: number }>('select count(*) as days, sum(revenue) as total from daily_revenue');
    expect(rows.map((row) => [Number(row.days), Number(row.total)])).toEqual([[10, days.reduce((sum, _, index) => sum + 10 + index, 0) - 12 + 1000]]);
    const third = await project.query<{ revenue: number }>("select revenue from daily_revenue where order_date = DATE '2026-01-03'");
    expect(third.map((row) => Number(row.revenue))).toEqual([1000]);
  });
});
